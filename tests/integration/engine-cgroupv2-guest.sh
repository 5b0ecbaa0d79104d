#!/bin/bash
# Runs inside the pure cgroup v2 UML guest (scripts/uml-v2.sh), started by engine-cgroupv2.bats:
# drives build/berth (run, update, pause, stats, top, kill, rm, inspect) against the real v2
# kernel and prints one "ok NAME" / "not ok NAME" line per check (uml-guest.bash).
#
# The script first moves itself into /user.slice/session-1.scope, as a login shell sits on a
# systemd host: a cgroup holding processes, below which v2 enables no controller. The containers
# must land beside it, in /user.slice/berth/<id>.
set -u
: "${BERTH_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BERTH_BUILD:=$BERTH_SRC/build}"
source "$BERTH_SRC/tests/integration/uml-guest.bash"
CG=/sys/fs/cgroup
SCOPE=$CG/user.slice/session-1.scope
CGB=$CG/user.slice/berth
TMP=$(mktemp -d /tmp/engine-v2.XXXXXX)
MiB=1048576

berth() {
        "$BERTH_BUILD/berth" --root "$TMP/root" --runroot "$TMP/run" "$@"
}

# run -d ARGS...: starts a container, prints its id (fails unless it is a 64-hex id)
run_d() {
        local id
        id=$(berth run -d "$@") || { echo "run -d $*: $id"; return 1; }
        [[ "$id" =~ ^[0-9a-f]{64}$ ]] || { echo "run -d $*: '$id'"; return 1; }
        echo "$id"
}

# the HostConfig and State fields named, one per line
fields() {
        local name=$1 f
        shift
        for f in "$@"; do
                berth inspect -f "{{.$f}}" "$name" || return 1
        done
}

t_mode() {
        expect "file system at $CG" "$(stat -fc %T $CG)" cgroup2fs || return 1
        berth busybox-image -q
}

# From the root cgroup (as inside a VM's init or a container with its own cgroup namespace) the
# containers go to /berth/<id>, and the last one takes berth/ away.
t_from_root() {
        local id
        expect "own cgroup" "$(cat /proc/self/cgroup)" "0::/" || return 1
        id=$(run_d -m 32m busybox sleep 1000) || return 1
        expect "memory.max in $CG/berth/<id>" "$(cat $CG/berth/$id/memory.max)" $((32 * MiB)) || return 1
        berth rm -f "$id" >/dev/null || return 1
        [ ! -e $CG/berth ] || { echo "$CG/berth left"; find $CG/berth -type d; return 1; }
}

# The rest runs where a login shell sits on a systemd host.
t_scope() {
        mkdir -p "$SCOPE" && echo $$ > "$SCOPE/cgroup.procs" || return 1
        expect "own cgroup" "$(cat /proc/self/cgroup)" "0::/user.slice/session-1.scope"
}

# Three containers the later checks look at: docker's flags reach the v2 files.
t_run() {
        LIM=$(run_d --name lim -m 64m --memory-swap 96m --cpus 0.5 --cpu-shares 512 --pids-limit 20 \
                busybox sleep 1000) || return 1
        ST=$(run_d --name st -m 48m busybox sh -c 'sleep 1000 & sleep 1000 & wait') || return 1
        PZ=$(run_d --name pz -m 32m --memory-swap -1 busybox sleep 1000) || return 1
        for id in $LIM $ST $PZ; do
                [ -d "$CGB/$id" ] || { echo "no $CGB/$id"; find $CG -name "$id"; return 1; }
        done
        # docker's default on v2: a private cgroup namespace, the container's cgroup as its root
        expect "HostConfig.CgroupnsMode" "$(fields lim HostConfig.CgroupnsMode)" private || return 1
        expect "container's /proc/self/cgroup" "$(berth exec lim cat /proc/self/cgroup)" "0::/"
}

t_memory() {
        expect memory.max "$(cat $CGB/$LIM/memory.max)" $((64 * MiB)) || return 1
        expect "memory.max of -m 48m" "$(cat $CGB/$ST/memory.max)" $((48 * MiB)) || return 1
        expect "memory.max and pids.max seen inside" "$(berth exec lim cat /sys/fs/cgroup/memory.max \
                /sys/fs/cgroup/pids.max | tr '\n' ' ')" "$((64 * MiB)) 20 "
}

# docker's --memory-swap is memory plus swap; v2's memory.swap.max is the swap alone
t_swap() {
        expect "swap.max of -m 64m --memory-swap 96m" "$(cat $CGB/$LIM/memory.swap.max)" $((32 * MiB)) || return 1
        expect "swap.max of -m 48m (docker: as much swap as memory)" "$(cat $CGB/$ST/memory.swap.max)" \
                $((48 * MiB)) || return 1
        expect "swap.max of --memory-swap -1" "$(cat $CGB/$PZ/memory.swap.max)" max
}

# runc's and crun's conversion: weight = 1 + (shares - 2) * 9999 / 262142
t_cpu() {
        expect "cpu.max of --cpus 0.5" "$(cat $CGB/$LIM/cpu.max)" "50000 100000" || return 1
        expect "cpu.weight of --cpu-shares 512" "$(cat $CGB/$LIM/cpu.weight)" 20 || return 1
        expect "cpu.max without --cpus" "$(cat $CGB/$ST/cpu.max)" "max 100000"
}

t_cpuset() {
        local out rc before
        if grep -qw cpuset $CG/cgroup.controllers; then
                expect "cpuset.cpus inside" "$(berth run --rm --cpuset-cpus 0 busybox cat /sys/fs/cgroup/cpuset.cpus)" 0
                return
        fi
        # This kernel has no cpuset controller (the UML guest's): refused by name, nothing left.
        before=$(ls $CGB | grep -c '^[0-9a-f]\{64\}$')
        out=$(berth run --rm --name cs --cpuset-cpus 0 busybox true 2>&1)
        rc=$?
        expect "exit status without a cpuset controller" "$rc" 125 || { echo "$out"; return 1; }
        [[ "$out" == *"cpuset.cpus"* ]] || { echo "error does not name cpuset: $out"; return 1; }
        ! berth inspect cs >/dev/null 2>&1 || { echo "record of cs left"; return 1; }
        expect "container cgroups" "$(ls $CGB | grep -c '^[0-9a-f]\{64\}$')" "$before"
}

t_pids() {
        local out
        expect pids.max "$(cat $CGB/$LIM/pids.max)" 20 || return 1
        expect "pids.max without --pids-limit" "$(cat $CGB/$ST/pids.max)" max || return 1
        out=$(berth run --rm --pids-limit 5 busybox sh -c \
                'cat /sys/fs/cgroup/pids.max; for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait' 2>&1)
        [[ "$out" == 5$'\n'* && "$out" == *"can't fork"* ]] || { echo "forks not refused: $out"; return 1; }
}

# The kernel OOM-kills the container's init: exit 137, and inspect reports it from memory.events.
t_oom() {
        local out rc
        out=$(berth run --name oom -m 16m --memory-swap 16m busybox sh -c 'x=a; while :; do x=$x$x; done' 2>&1)
        rc=$?
        expect "exit status" "$rc" 137 || { echo "$out"; return 1; }
        expect "State.OOMKilled State.ExitCode" "$(fields oom State.OOMKilled State.ExitCode | tr '\n' ' ')" \
                "true 137 "
}

# A child OOM-killed while the init lives on and exits 3: only memory.events can tell.
t_oom_child() {
        local rc
        berth run --name oomc -m 16m --memory-swap 16m busybox \
                sh -c 'sh -c "x=a; while :; do x=\$x\$x; done"; exit 3' >/dev/null 2>&1
        rc=$?
        expect "exit status" "$rc" 3 || return 1
        expect "State.OOMKilled State.ExitCode" "$(fields oomc State.OOMKilled State.ExitCode | tr '\n' ' ')" \
                "true 3 "
}

t_update() {
        local out
        berth update -m 128m --memory-swap 160m --cpus 1 --cpu-shares 1024 --pids-limit 30 lim >/dev/null || return 1
        expect memory.max "$(cat $CGB/$LIM/memory.max)" $((128 * MiB)) || return 1
        expect memory.swap.max "$(cat $CGB/$LIM/memory.swap.max)" $((32 * MiB)) || return 1
        expect cpu.max "$(cat $CGB/$LIM/cpu.max)" "100000 100000" || return 1
        expect "cpu.weight of 1024 shares" "$(cat $CGB/$LIM/cpu.weight)" 39 || return 1
        expect pids.max "$(cat $CGB/$LIM/pids.max)" 30 || return 1
        # a new limit alone keeps docker's memory+swap total of 160m
        berth update -m 96m lim >/dev/null || return 1
        expect "memory.max after -m 96m" "$(cat $CGB/$LIM/memory.max)" $((96 * MiB)) || return 1
        expect "memory.swap.max after -m 96m" "$(cat $CGB/$LIM/memory.swap.max)" $((64 * MiB)) || return 1
        # a new total alone keeps the limit
        berth update --memory-swap 192m lim >/dev/null || return 1
        expect "memory.swap.max after --memory-swap 192m" "$(cat $CGB/$LIM/memory.swap.max)" $((96 * MiB)) || return 1
        expect "memory.max after --memory-swap 192m" "$(cat $CGB/$LIM/memory.max)" $((96 * MiB)) || return 1
        # above the total: refused as docker does, nothing changed
        out=$(berth update -m 256m lim 2>&1) && { echo "update -m 256m over a 192m total: $out"; return 1; }
        [[ "$out" == *"memoryswap"* ]] || { echo "$out"; return 1; }
        expect "memory.max after a refused update" "$(cat $CGB/$LIM/memory.max)" $((96 * MiB)) || return 1
        expect "HostConfig" "$(fields lim HostConfig.Memory HostConfig.MemorySwap HostConfig.NanoCpus \
                HostConfig.PidsLimit | tr '\n' ' ')" "$((96 * MiB)) $((192 * MiB)) 1000000000 30 " || return 1
        # the container sees the new limit
        expect "memory.max inside" "$(berth exec lim cat /sys/fs/cgroup/memory.max)" $((96 * MiB))
}

t_pause() {
        berth pause pz >/dev/null || return 1
        expect cgroup.freeze "$(cat $CGB/$PZ/cgroup.freeze)" 1 || return 1
        grep -qx "frozen 1" $CGB/$PZ/cgroup.events || { cat $CGB/$PZ/cgroup.events; return 1; }
        expect "State.Status" "$(berth inspect -f '{{.State.Status}}' pz)" paused || return 1
        berth unpause pz >/dev/null || return 1
        grep -qx "frozen 0" $CGB/$PZ/cgroup.events || { cat $CGB/$PZ/cgroup.events; return 1; }
        expect "State.Status after unpause" "$(berth inspect -f '{{.State.Status}}' pz)" running
}

t_stats() {
        local out
        out=$(berth stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' st) || { echo "$out"; return 1; }
        # memory.current (non-zero) / memory.max, and pids.current: sh and two sleeps
        [[ "$out" =~ ^st\ [1-9][0-9.]*[KM]iB\ /\ 48MiB\ 3$ ]] || { echo "stats: '$out'"; return 1; }
        expect "pids.current" "$(cat $CGB/$ST/pids.current)" 3
}

# CPU % from cpu.stat's usage_usec; --cpus 0.5 throttles a spinning shell (cpu.stat nr_throttled)
t_cpu_busy() {
        local out id thr
        id=$(run_d --name busy --cpus 0.5 busybox sh -c 'while :; do :; done') || return 1
        out=$(berth stats --no-stream --format '{{.CPUPerc}}' busy)
        thr=$(sed -n 's/^nr_throttled //p' $CGB/$id/cpu.stat)
        berth rm -f busy >/dev/null || return 1
        [[ "$out" =~ ^[0-9]+\.[0-9]{2}%$ ]] && [ "${out%%.*}" -ge 1 ] || { echo "CPU %: '$out'"; return 1; }
        [ "${thr:-0}" -ge 1 ] || { echo "never throttled: nr_throttled '$thr'"; return 1; }
}

# A stopped container gets a new cgroup at each start, with what update recorded meanwhile.
t_restart() {
        local out
        berth create --name rs -m 40m busybox cat /sys/fs/cgroup/memory.max /proc/self/cgroup >/dev/null || return 1
        berth update -m 44m rs >/dev/null || return 1
        for i in 1 2; do
                out=$(berth start -a rs 2>&1) || { echo "start $i: $out"; return 1; }
                expect "start $i" "$(tr '\n' ' ' <<<"$out")" "$((44 * MiB)) 0::/ " || return 1
        done
        berth rm rs >/dev/null
}

# /sys/fs/cgroup is read-only in a container, writable with --privileged (docker's rule).
t_privileged() {
        local out
        out=$(berth exec st mkdir /sys/fs/cgroup/sub 2>&1) && { echo "mkdir allowed: $out"; return 1; }
        out=$(berth run --rm --privileged busybox sh -c 'mkdir /sys/fs/cgroup/sub && rmdir /sys/fs/cgroup/sub && echo rw')
        expect "mkdir in a privileged container's cgroup" "$out" rw
}

# procps' default `ps -ef` cannot read this UML kernel's boot time; -o columns do not need it.
t_top() {
        local out want
        out=$(berth top st -o pid,args) || { echo "$out"; return 1; }
        want=$(sort -n $CGB/$ST/cgroup.procs | tr '\n' ' ')
        expect "top's pids (cgroup.procs)" "$(tail -n +2 <<<"$out" | awk '{print $1}' | sort -n | tr '\n' ' ')" \
                "$want" || { echo "$out"; return 1; }
        [ "$(grep -cE '^ *[0-9]+ sleep 1000$' <<<"$out")" = 2 ] || { echo "$out"; return 1; }
}

# A container killed by a signal is not reported as OOM-killed.
t_kill() {
        berth kill lim >/dev/null || return 1
        expect "wait" "$(berth wait lim)" 137 || return 1
        expect "State.OOMKilled State.ExitCode" "$(fields lim State.OOMKilled State.ExitCode | tr '\n' ' ')" \
                "false 137 " || return 1
        [ ! -e "$CGB/$LIM" ] || { echo "cgroup of an exited container left"; return 1; }
}

t_rm() {
        berth rm -f lim st pz oom oomc >/dev/null || return 1
        expect "containers" "$(berth ps -aq)" "" || return 1
        find $CG -mindepth 1 -type d | grep -E '/[0-9a-f]{64}$' && { echo "container cgroups left"; return 1; }
        [ ! -d "$CGB" ] || { echo "$CGB left"; find "$CGB" -type d; return 1; }
}

t_nothing_left() {
        ! pgrep -f -- "$TMP/" || { echo "processes left"; return 1; }
        ! grep -q " $TMP" /proc/mounts || { grep " $TMP" /proc/mounts; return 1; }
        expect "state directories" "$(find "$TMP/root/containers" "$TMP/run/containers" -mindepth 1 -maxdepth 1 \
                2>/dev/null)" ""
}

for t in mode from_root scope run memory swap cpu cpuset pids oom oom_child update pause stats cpu_busy restart privileged top kill \
        rm nothing_left; do
        guest_check "$t" "t_$t"
done
guest_done

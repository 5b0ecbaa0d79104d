#!/bin/bash
# Runs inside the pure cgroup v2 UML guest (scripts/uml-v2.sh), started by
# cgroup-v2.bats: exercises the real v2 backend through cgroup-probe and prints
# one TAP-like line per check ("ok NAME" or "not ok NAME" followed by "#"
# lines with the evidence). The bats file on the host turns each line into a
# test. The guest is thrown away afterwards, but every check still cleans up
# after itself, and the last one verifies that nothing was left.
set -u
: "${BERTH_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BERTH_BUILD:=$BERTH_SRC/build}"
P="$BERTH_BUILD/tests/integration/cgroup-probe"
CG=/sys/fs/cgroup

source "$BERTH_SRC/tests/integration/uml-guest.bash"

guest_after_check() {
        "$P" --id "$1" destroy >/dev/null 2>&1 || true
}

t_mode() {
        expect mode "$("$P" mode)" v2
}

t_create() {
        "$P" --id t_create create || return 1
        [ -d "$CG/berth/t_create" ] || { echo "no $CG/berth/t_create"; return 1; }
        for c in cpu memory pids io; do
                grep -qw "$c" "$CG/berth/cgroup.subtree_control" || { echo "$c not enabled below berth/"; return 1; }
                grep -qw "$c" "$CG/berth/t_create/cgroup.controllers" || { echo "$c not available"; return 1; }
        done
        out=$("$P" --id t_create run cat /proc/self/cgroup) || return 1
        [[ "$out" == *"0::/berth/t_create"* ]] || { echo "$out"; return 1; }
        "$P" --id t_create destroy || return 1
        [ ! -e "$CG/berth" ] || { echo "berth/ left behind"; return 1; }
}

t_memory() {
        "$P" --id t_memory create set memory.limit=33554432 set memory.reservation=8388608 apply || return 1
        d=$CG/berth/t_memory
        expect memory.max "$(cat $d/memory.max)" 33554432 || return 1
        expect memory.low "$(cat $d/memory.low)" 8388608 || return 1
        out=$("$P" --id t_memory run sh -c 'head -c 300M /dev/zero | tail > /dev/null')
        # tail is killed; sh reports it as 128 + SIGKILL
        [[ "$out" == *"signal=9"* || "$out" == *"exit=137"* ]] || { echo "not OOM-killed: $out"; return 1; }
        grep -E '^oom_kill [1-9]' "$d/memory.events" || { cat "$d/memory.events"; return 1; }
        out=$("$P" --id t_memory stats) || return 1
        oom=$(sed -n 's/^oom_kills=//p' <<<"$out")
        [ "${oom:-0}" -ge 1 ] || { echo "$out"; return 1; }
        [[ "$out" == *"memory_limit=33554432"* ]] || { echo "$out"; return 1; }
}

t_swap() {
        "$P" --id t_swap create || return 1
        if [ -e "$CG/berth/t_swap/memory.swap.max" ]; then
                "$P" --id t_swap set memory.limit=33554432 set memory.swap=67108864 apply || return 1
                expect memory.swap.max "$(cat $CG/berth/t_swap/memory.swap.max)" 33554432
        else
                out=$("$P" --id t_swap set memory.limit=33554432 set memory.swap=67108864 apply 2>&1)
                [[ "$out" == *"memory.swap: not supported"* ]] || { echo "$out"; return 1; }
        fi
}

t_pids() {
        "$P" --id t_pids create set pids=4 apply || return 1
        expect pids.max "$(cat $CG/berth/t_pids/pids.max)" 4 || return 1
        out=$("$P" --id t_pids run busybox sh -c 'for i in 1 2 3 4 5 6; do sleep 1 & done; wait' 2>&1)
        [[ "$out" == *"can't fork"* ]] || { echo "forks not refused: $out"; return 1; }
        grep -E '^max [1-9]' "$CG/berth/t_pids/pids.events" || { cat "$CG/berth/t_pids/pids.events"; return 1; }
}

t_cpu() {
        "$P" --id t_cpu create set cpu.shares=512 set cpu.quota=25000 set cpu.period=50000 apply || return 1
        expect cpu.weight "$(cat $CG/berth/t_cpu/cpu.weight)" 20 || return 1
        expect cpu.max "$(cat $CG/berth/t_cpu/cpu.max)" "25000 50000" || return 1
        "$P" --id t_cpu set cpu.quota=-1 apply || return 1
        expect "cpu.max unlimited" "$(cat $CG/berth/t_cpu/cpu.max)" "max 50000"
}

t_io() {
        [ -b /dev/ubda ] || { echo "no /dev/ubda in the guest"; return 1; }
        mm=$(stat -c '%Hr:%Lr' /dev/ubda)
        "$P" --id t_io create set "io.rbps=$mm:1048576" set "io.wiops=$mm:100" apply || return 1
        expect io.max "$(cat $CG/berth/t_io/io.max)" "$mm rbps=1048576 wbps=max riops=max wiops=100" || return 1
        out=$("$P" --id t_io run dd if=/dev/ubda of=/dev/null bs=64k count=4 iflag=direct 2>&1) || return 1
        out=$("$P" --id t_io stats) || return 1
        rb=$(sed -n 's/^blkio_read_bytes=//p' <<<"$out")
        [ "${rb:-0}" -ge 262144 ] || { echo "$out"; cat "$CG/berth/t_io/io.stat"; return 1; }
        "$P" --id t_io set "io.rbps=$mm:0" apply || return 1
        expect "io.max after removing" "$(cat $CG/berth/t_io/io.max)" "$mm rbps=max wbps=max riops=max wiops=100"
}

t_freeze() {
        "$P" --id t_freeze create spawn sleep 1000 || return 1
        out=$("$P" --id t_freeze freeze frozen pids) || { echo "$out"; return 1; }
        [[ "$out" == *"frozen=1"* && "$out" == *"npids=1"* ]] || { echo "$out"; return 1; }
        grep -qx "frozen 1" "$CG/berth/t_freeze/cgroup.events" || { cat "$CG/berth/t_freeze/cgroup.events"; return 1; }
        pid=$(cat "$CG/berth/t_freeze/cgroup.procs")
        grep -q '^State:.*(stopped)\|^State:.*S (sleeping)' "/proc/$pid/status" || true
        out=$("$P" --id t_freeze thaw frozen) || return 1
        [[ "$out" == *"frozen=0"* ]] || { echo "$out"; return 1; }
        grep -qx "frozen 0" "$CG/berth/t_freeze/cgroup.events"
}

t_kill() {
        "$P" --id t_kill create || return 1
        "$P" --id t_kill spawn sleep 1000 >/dev/null && "$P" --id t_kill spawn sleep 1000 >/dev/null || return 1
        pids=$(cat "$CG/berth/t_kill/cgroup.procs" | tr '\n' ' ')
        [ -e "$CG/berth/t_kill/cgroup.kill" ] || { echo "no cgroup.kill"; return 1; }
        "$P" --id t_kill kill KILL || return 1
        for _ in $(seq 100); do [ -z "$(cat "$CG/berth/t_kill/cgroup.procs")" ] && break; sleep 0.05; done
        expect "processes left" "$(cat "$CG/berth/t_kill/cgroup.procs")" "" || return 1
        for p in $pids; do ! kill -0 "$p" 2>/dev/null || { echo "$p alive"; return 1; }; done
}

t_devices() {
        "$P" --id t_devices create set device=deny:a:-1:-1:rwm set device=allow:c:1:3:rwm apply || return 1
        out=$("$P" --id t_devices run sh -c 'echo x > /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null || echo zero-denied' 2>&1)
        [[ "$out" == *"null-ok"* && "$out" == *"zero-denied"* ]] || { echo "$out"; return 1; }
        # an update replaces the program (an old one left attached would still deny)
        "$P" --id t_devices set device=deny:a:-1:-1:rwm set device=allow:c:1:3:rwm set device=allow:c:1:5:r apply || return 1
        out=$("$P" --id t_devices run sh -c 'head -c1 /dev/zero >/dev/null && echo zero-ok' 2>&1)
        [[ "$out" == *"zero-ok"* ]] || { echo "after update: $out"; return 1; }
        # the defaults keep the usual devices usable under a deny-all
        "$P" --id t_devices set device=deny:a:-1:-1:rwm defaults apply || return 1
        out=$("$P" --id t_devices run sh -c 'head -c1 /dev/urandom >/dev/null && echo urandom-ok; head -c1 /dev/ubda >/dev/null 2>&1 || echo disk-denied' 2>&1)
        [[ "$out" == *"urandom-ok"* ]] || { echo "defaults: $out"; return 1; }
        [ ! -b /dev/ubda ] || [[ "$out" == *"disk-denied"* ]] || { echo "defaults: $out"; return 1; }
}

t_unified() {
        "$P" --id t_unified create set unified=memory.high:52428800 apply || return 1
        expect memory.high "$(cat $CG/berth/t_unified/memory.high)" 52428800 || return 1
        out=$("$P" --id t_unified set unified=cgroup.procs:1 apply 2>&1)
        [[ "$out" == *"'cgroup.procs' may not be set"* ]] || { echo "$out"; return 1; }
        out=$("$P" --id t_unified set unified=memory.nosuchfile:1 apply 2>&1)
        [[ "$out" == *"unified.memory.nosuchfile: not supported"* ]] || { echo "$out"; return 1; }
}

t_refused() {
        "$P" --id t_refused create || return 1
        out=$("$P" --id t_refused set network.classID=1048577 apply 2>&1)
        [[ "$out" == *"network.classID: not available on cgroup v2"* ]] || { echo "$out"; return 1; }
        out=$("$P" --id t_refused set rt.runtime=1000 apply 2>&1)
        [[ "$out" == *"cpu.realtimeRuntime: not available on cgroup v2"* ]] || { echo "$out"; return 1; }
        if [ ! -e "$CG/berth/t_refused/cpuset.cpus" ]; then
                out=$("$P" --id t_refused set cpu.cpus=0 apply 2>&1)
                [[ "$out" == *"cpu.cpus: not supported by this kernel or controller not enabled"* ]] || { echo "$out"; return 1; }
        fi
}

t_destroy_nested() {
        "$P" --id t_destroy_nested create || return 1
        mkdir -p "$CG/berth/t_destroy_nested/inner/deeper" || return 1
        echo "+pids" > "$CG/berth/t_destroy_nested/cgroup.subtree_control" || return 1
        "$P" --id t_destroy_nested spawn sleep 1000 >/dev/null || return 1
        pid=$(cat "$CG/berth/t_destroy_nested/cgroup.procs")
        echo "$pid" > "$CG/berth/t_destroy_nested/inner/deeper/cgroup.procs" 2>/dev/null || true
        "$P" --id t_destroy_nested destroy || return 1
        [ ! -e "$CG/berth" ] || { find "$CG/berth"; return 1; }
        ! kill -0 "$pid" 2>/dev/null || { echo "$pid survived"; return 1; }
}

t_mount() {
        root=$(mktemp -d)
        mkdir -p "$root/sys/fs"
        "$P" --id t_mount create || return 1
        out=$("$P" --id t_mount mount-run "$root" /sys/fs/cgroup nons ro sh -c "
                ls $root/sys/fs/cgroup; echo 1 > $root/sys/fs/cgroup/pids.max || echo write-refused" 2>&1)
        [[ "$out" == *"memory.max"* && "$out" == *"write-refused"* ]] || { echo "$out"; return 1; }
        out=$("$P" --id t_mount mount-run "$root" /sys/fs/cgroup ns rw sh -c "
                cat /proc/self/cgroup; ls $root/sys/fs/cgroup; grep ' $root/sys/fs/cgroup ' /proc/self/mountinfo" 2>&1)
        [[ "$out" == *"0::/"$'\n'* && "$out" == *"pids.max"* && "$out" == *"cgroup2"* ]] || { echo "$out"; return 1; }
        ! grep -q "$root" /proc/self/mountinfo || { echo "mount leaked"; return 1; }
        rm -rf "$root"
}

t_oomfd() {
        out=$("$P" --id t_oomfd create set memory.limit=33554432 apply oom-run true) || return 1
        [[ "$out" == *"oom-event=0"* ]] || { echo "without OOM: $out"; return 1; }
        out=$("$P" --id t_oomfd oom-run sh -c 'head -c 300M /dev/zero | tail > /dev/null') || return 1
        [[ "$out" == *"oom-event=1"* ]] || { echo "with OOM: $out"; return 1; }
}

t_nothing_left() {
        [ ! -e "$CG/berth" ] || { find "$CG/berth" -type d; return 1; }
        ! pgrep -x sleep || { echo "stray sleep processes"; return 1; }
}

for t in mode create memory swap pids cpu io freeze kill devices unified refused destroy_nested mount oomfd nothing_left; do
        guest_check "$t" "t_$t"
done
guest_done

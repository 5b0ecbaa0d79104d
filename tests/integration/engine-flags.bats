#!/usr/bin/env bats
# run's flags, each seen from inside the container.

bats_require_minimum_version 1.5.0

load engine-helpers

@test "-e, --env-file, -w, -u, -h, --entrypoint" {
        printf 'A=1\n# comment\n\nB=two\n' >"$TMP/env"
        run berth run --rm -e FOO=bar --env-file "$TMP/env" -w /work -u nobody -h myhost busybox \
                sh -c 'echo $FOO $A $B; pwd; id -un; hostname; cat /etc/hostname'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "bar 1 two" ]
        [ "${lines[1]}" = "/work" ]
        [ "${lines[2]}" = "nobody" ]
        [ "${lines[3]}" = "myhost" ]
        [ "${lines[4]}" = "myhost" ]
        [ "$(berth run --rm --entrypoint echo busybox a b)" = "a b" ]
        run berth run --rm -u nosuchuser busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"unable to find user nosuchuser"* ]]
}

@test "--user uid:gid and --group-add" {
        [ "$(berth run --rm -u 1234:4321 busybox sh -c 'echo $(id -u):$(id -g)')" = "1234:4321" ]
        [[ "$(berth run --rm --group-add 10 --group-add 20 busybox id -G)" == "0 10 20" ]]
}

@test "--read-only root, --tmpfs and -v binds with :ro" {
        run berth run --rm --read-only busybox touch /x
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        [ "$(berth run --rm --read-only --tmpfs /scratch:size=1m busybox sh -c 'touch /scratch/x && echo ok')" = ok ]
        mkdir "$TMP/vol"
        echo hello >"$TMP/vol/f"
        [ "$(berth run --rm -v "$TMP/vol:/data:ro" busybox cat /data/f)" = hello ]
        run berth run --rm -v "$TMP/vol:/data:ro" busybox touch /data/g
        [ "$status" -ne 0 ]
        berth run --rm -v "$TMP/vol:/data" busybox touch /data/g
        [ -f "$TMP/vol/g" ]
        run berth run --rm -v bad/name:/data busybox true
        [ "$status" -eq 125 ]
}

@test "/dev is minimal, /dev/shm is 64 MiB (--shm-size), /etc files per container" {
        run berth run --rm busybox ls /dev
        [[ "$output" == *null* && "$output" == *zero* && "$output" == *urandom* && "$output" == *shm* ]]
        [[ "$output" != *sda* && "$output" != *mem$'\n'* ]]
        [ "$(berth run --rm busybox sh -c "df -k /dev/shm | awk 'NR==2 {print \$2}'")" = "65536" ]
        [ "$(berth run --rm --shm-size 2m busybox sh -c "df -k /dev/shm | awk 'NR==2 {print \$2}'")" = "2048" ]
        run berth run --rm busybox sh -c 'grep -E " /etc/(hostname|hosts|resolv.conf) " /proc/mounts | wc -l'
        [ "$output" = "3" ]
        [[ "$(berth run --rm busybox cat /etc/hosts)" == *localhost* ]]
}

@test "docker's capabilities by default, --cap-add, --cap-drop, --privileged" {
        # CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD
        # AUDIT_WRITE SETFCAP
        [ "$(berth run --rm busybox awk '/CapEff/ {print $2}' /proc/self/status)" = "00000000a80425fb" ]
        [ "$(berth run --rm --cap-drop all --cap-add NET_RAW busybox awk '/CapEff/ {print $2}' /proc/self/status)" = "0000000000002000" ]
        [ "$(berth run --rm --cap-drop chown busybox awk '/CapEff/ {print $2}' /proc/self/status)" = "00000000a80425fa" ]
        run berth run --rm --cap-add NOSUCH busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"unknown capability"* ]]
        run berth run --rm --privileged busybox awk '/CapEff/ {print $2}' /proc/self/status
        [ "$output" != "00000000a80425fb" ]
}

# The host's device nodes directly under /dev ("path major:minor"), as docker's --privileged passes them.
list_devices='for f in /dev/*; do { [ -c "$f" ] || [ -b "$f" ]; } && [ ! -L "$f" ] && [ "$f" != /dev/console ] && [ "$f" != /dev/ptmx ] && echo "$f $(stat -c %t:%T "$f")"; done | sort'

@test "--privileged: the host's devices, every capability, no seccomp, no masked /proc paths, rw /sys" {
        local host inside
        host=$(sh -c "$list_devices")
        inside=$(berth run --rm --privileged busybox sh -c "$list_devices")
        [ "$(echo "$host" | wc -l)" -gt 6 ]
        [ "$inside" = "$host" ]
        # without it: only the default devices
        [ "$(berth run --rm busybox sh -c "$list_devices" | wc -l)" -le 6 ]
        # the device cgroup lets the container open them
        if [ -b /dev/loop0 ]; then
                berth run --rm --privileged busybox sh -c ': < /dev/loop0'
                run berth run --rm --device /dev/null busybox sh -c 'mknod /dev/l0 b 7 0 && : < /dev/l0'
                [ "$status" -ne 0 ]
        fi
        # every capability this process has (root here may lack some, e.g. CAP_SYS_RESOURCE)
        [ "$(berth run --rm --privileged busybox awk '/CapEff/ {print $2}' /proc/self/status)" = \
          "$(awk '/CapEff/ {print $2}' /proc/self/status)" ]
        [ "$(berth run --rm --privileged busybox awk '/^Seccomp:/ {print $2}' /proc/self/status)" = "0" ]
        # no masked or read-only paths under /proc, /proc/sys writable, /sys mounted rw
        [ "$(berth run --rm --privileged busybox sh -c 'grep -c " /proc/" /proc/mounts')" = "0" ]
        [ "$(berth run --rm busybox sh -c 'grep -c " /proc/" /proc/mounts')" -gt 0 ]
        berth run --rm --privileged busybox sh -c 'echo berth > /proc/sys/kernel/domainname'
        berth run --rm --privileged busybox sh -c 'grep -q " /sys sysfs rw," /proc/mounts'
        run berth run --rm busybox sh -c 'grep -q " /sys sysfs rw," /proc/mounts'
        [ "$status" -ne 0 ]
}

@test "masked and read-only /proc paths" {
        [ -z "$(berth run --rm busybox cat /proc/kcore 2>/dev/null | head -c 10)" ]
        run berth run --rm busybox sh -c 'echo 1 > /proc/sys/kernel/domainname'
        [ "$status" -ne 0 ]
        [[ "$(berth run --rm busybox ls /sys/firmware | wc -l)" -eq 0 ]]
}

@test "seccomp: default allowlist, unconfined, a profile file, no-new-privileges" {
        [ "$(berth run --rm busybox awk '/^Seccomp:/ {print $2}' /proc/self/status)" = "2" ]
        # unshare needs CAP_SYS_ADMIN, which the default set lacks: the filter refuses it
        run berth run --rm busybox unshare -U true
        [ "$status" -ne 0 ]
        [ "$(berth run --rm --security-opt seccomp=unconfined busybox awk '/^Seccomp:/ {print $2}' /proc/self/status)" = "0" ]
        cat >"$TMP/profile.json" <<'EOP'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
EOP
        run berth run --rm --security-opt seccomp="$TMP/profile.json" busybox mkdir /x
        [ "$status" -ne 0 ]
        [[ "$output" == *"Operation not permitted"* ]]
        [ "$(berth run --rm busybox awk '/NoNewPrivs/ {print $2}' /proc/self/status)" = "0" ]
        [ "$(berth run --rm --security-opt no-new-privileges busybox awk '/NoNewPrivs/ {print $2}' /proc/self/status)" = "1" ]
}

@test "memory limit enforced and OOMKilled in inspect" {
        run berth run --name oom -m 8m busybox sh -c 'x=a; while true; do x=$x$x$x$x; done'
        [ "$status" -eq 137 ]
        [ "$(berth inspect --format '{{.State.OOMKilled}}' oom)" = "true" ]
        [ "$(berth inspect --format '{{.HostConfig.Memory}}' oom)" = "8388608" ]
        berth rm oom
}

@test "pids limit" {
        run berth run --rm --pids-limit 8 busybox sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; wait'
        [ "$status" -ne 0 ]
        [[ "$output" == *"fork"* || "$output" == *"Resource"* ]]
        [ "$(berth run --rm --pids-limit 8 busybox sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max')" = 8 ]
}

@test "--cpus, --cpu-shares, --cpuset-cpus, --memory-swap reach the cgroup" {
        run berth run --rm --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 -m 64m --memory-swap 128m busybox \
                cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus \
                /sys/fs/cgroup/memory/memory.limit_in_bytes
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 50000 ]
        [ "${lines[1]}" = 512 ]
        [ "${lines[2]}" = 0 ]
        [ "${lines[3]}" = 67108864 ]
}

@test "--ulimit, --sysctl, --oom-score-adj, --device" {
        [ "$(berth run --rm --ulimit nofile=100:200 busybox sh -c 'echo $(ulimit -n) $(ulimit -Hn)')" = "100 200" ]
        [ "$(berth run --rm --sysctl net.ipv4.ip_forward=1 busybox cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
        [ "$(berth run --rm --oom-score-adj 500 busybox cat /proc/self/oom_score_adj)" = 500 ]
        [ "$(berth run --rm --device /dev/null:/dev/mynull busybox sh -c 'echo x > /dev/mynull && echo ok')" = ok ]
        run berth run --rm busybox test -c /dev/mynull
        [ "$status" -ne 0 ]
        run berth run --rm --device /nonexistent busybox true
        [ "$status" -ne 0 ]
}

@test "--network none has only loopback, --network host shares the host's" {
        [ "$(berth run --rm --network none busybox sh -c 'ls /sys/class/net')" = "lo" ]
        # docker's "none" has its loopback up
        [ "$(berth run --rm --network none busybox cat /sys/class/net/lo/operstate)" != "down" ]
        berth run --rm --network none busybox ping -c 1 -W 2 127.0.0.1
        [ "$(berth run --rm --network host busybox sh -c 'ls /sys/class/net | sort' | tr '\n' ' ')" = "$(ls /sys/class/net | sort | tr '\n' ' ')" ]
}

@test "--init runs a reaper as PID 1 that reaps zombies" {
        run berth run --rm --init busybox sh -c 'cat /proc/1/comm'
        [ "$output" = "docker-init" ]
        # an orphan reparented to PID 1 exits: `sleep` as PID 1 never reaps it, the init does
        berth run -d --name noinit busybox sh -c '(sleep 0.2 & exec true); exec sleep 100'
        berth run -d --name withinit --init busybox sh -c '(sleep 0.2 & exec true); exec sleep 100'
        sleep 1.5
        [ "$(berth exec noinit ps -o stat | grep -c Z)" -ge 1 ]
        [ "$(berth exec withinit ps -o stat | grep -c Z || true)" = 0 ]
        berth rm -f noinit withinit
        # signals reach the command through the init
        berth run -d --name i1 --init busybox sh -c 'trap "exit 4" TERM; while true; do sleep 0.1; done'
        sleep 0.5
        berth stop i1
        [ "$(berth inspect --format '{{.State.ExitCode}}' i1)" = 4 ]
}

@test "--restart on-failure:N restarts a failing container N times" {
        berth run -d --name rs --restart on-failure:2 busybox sh -c 'echo attempt; exit 1'
        wait_status rs 20 exited
        [ "$(berth inspect --format '{{.RestartCount}}' rs)" = 2 ]
        [ "$(berth logs rs | grep -c attempt)" -eq 3 ]
        [ "$(berth inspect --format '{{.State.ExitCode}}' rs)" = 1 ]
}

@test "--restart always restarts until stopped" {
        berth run -d --name ra --restart always busybox sh -c 'echo up; sleep 0.2'
        sleep 2
        [ "$(berth inspect --format '{{.RestartCount}}' ra)" -ge 1 ]
        berth stop -t 1 ra
        [ "$(berth inspect --format '{{.State.Status}}' ra)" = exited ]
        n=$(berth inspect --format '{{.RestartCount}}' ra)
        sleep 1
        [ "$(berth inspect --format '{{.RestartCount}}' ra)" = "$n" ]
}

@test "--label and --stop-timeout are recorded" {
        berth create --name lab -l a=b --stop-timeout 3 busybox true
        [ "$(berth inspect --format '{{.Config.Labels.a}}' lab)" = b ]
        [ "$(berth inspect --format '{{.Config.StopTimeout}}' lab)" = 3 ]
}

@test "--sig-proxy forwards the CLI's signals; --sig-proxy=false does not" {
        "$BERTH_BIN" --root "$ROOT" run --name sp busybox sh -c 'trap "exit 6" USR1; while true; do sleep 0.1; done' &
        pid=$!
        sleep 1
        kill -USR1 $pid
        wait $pid || status=$?
        [ "${status:-0}" -eq 6 ]
}

#!/usr/bin/env bats
# The cgroup v1 backend against this host's real hierarchies (hybrid layout,
# the test process confined to a memory cgroup of its own), driven through
# cgroup-probe. Each test uses its own relative cgroupsPath and checks in
# teardown that no cgroup directory and no process is left behind.

setup() {
        : "${BERTH_SRC:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
        : "${BERTH_BUILD:=$BERTH_SRC/build}"
        P="$BERTH_BUILD/tests/integration/cgroup-probe"
        [ -x "$P" ] || skip "cgroup-probe not built (ninja -C build)"
        [ "$(id -u)" = 0 ] || skip "needs root"
        [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] || skip "not a cgroup v1 (or hybrid) host"
        [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ] || skip "no memory or pids v1 hierarchy"
        TOP="bats-cg-$$-$BATS_TEST_NUMBER"
        CGP="$TOP"
        MEMSELF=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
        MEMDIR="/sys/fs/cgroup/memory${MEMSELF%/}/$CGP"
        PIDSELF=$(sed -n 's/^[0-9]*:pids:\(.*\)$/\1/p' /proc/self/cgroup)
        PIDDIR="/sys/fs/cgroup/pids${PIDSELF%/}/$CGP"
}

probe() {
        "$P" --path "$CGP" "$@"
}

teardown() {
        [ -n "${P:-}" ] && [ -x "$P" ] || return 0
        "$P" --path "$CGP" destroy || true
        # nothing of ours may remain in any hierarchy
        local left
        left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$TOP" 2>/dev/null)
        if [ -n "$left" ]; then
                echo "left behind: $left" >&2
                for d in $left; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
                return 1
        fi
}

@test "v1: create puts the container in every hierarchy, relative to our own cgroup" {
        run probe mode path create
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = v1 ]
        [ "${lines[1]}" = "${MEMSELF%/}/$CGP" ]
        [ -d "$MEMDIR" ]
        [ -d "$PIDDIR" ]
        [ -d "/sys/fs/cgroup/cpu/$CGP" ] || [ -d "/sys/fs/cgroup/cpu${PIDSELF%/}/$CGP" ]
        # cpuset got the parent's cpus and mems, so a process can join
        run probe run sh -c 'cat /proc/self/cgroup'
        [ "$status" -eq 0 ]
        [[ "$output" == *":memory:${MEMSELF%/}/$CGP"* ]]
        [[ "$output" == *":cpuset:"*"/$CGP"* ]]
        [[ "$output" == *"exit=0"* ]]
        run probe destroy
        [ "$status" -eq 0 ]
        [ ! -e "$MEMDIR" ]
        # parents that the container's path made go with it
        run "$P" --path "$TOP/a/b" create describe destroy
        [ "$status" -eq 0 ]
        [[ "$output" == *'"path":"/'"$TOP"'/a/b","created":3'* ]]
        [ ! -e "$MEMDIR" ]
}

@test "v1: memory.limit is written and enforced by the OOM killer, which stats count" {
        run probe create set memory.limit=33554432 apply
        [ "$status" -eq 0 ]
        [ "$(cat "$MEMDIR/memory.limit_in_bytes")" = 33554432 ]
        run probe run sh -c 'head -c 300M /dev/zero | tail > /dev/null'
        [ "$status" -eq 0 ]
        [[ "$output" == *"signal=9"* ]] || [[ "$output" == *"exit=137"* ]]
        run probe stats
        [ "$status" -eq 0 ]
        oom=$(sed -n 's/^oom_kills=//p' <<<"$output")
        [ "$oom" -ge 1 ]
        [[ "$output" == *"memory_limit=33554432"* ]]
}

@test "v1: pids.limit stops forks beyond the limit" {
        run probe create set pids=4 apply
        [ "$status" -eq 0 ]
        [ "$(cat "$PIDDIR/pids.max")" = 4 ]
        run probe run busybox sh -c 'for i in 1 2 3 4 5 6; do sleep 1 & done; wait'
        [[ "$output" == *"can't fork"* ]]
        [ "$(sed -n 's/^max //p' "$PIDDIR/pids.events")" -ge 1 ]
}

@test "v1: cpu shares, quota and period" {
        run probe create set cpu.shares=512 set cpu.quota=25000 set cpu.period=50000 apply
        [ "$status" -eq 0 ]
        d=/sys/fs/cgroup/cpu/$CGP
        [ "$(cat "$d/cpu.shares")" = 512 ]
        [ "$(cat "$d/cpu.cfs_quota_us")" = 25000 ]
        [ "$(cat "$d/cpu.cfs_period_us")" = 50000 ]
}

@test "v1: device rules deny what they do not allow" {
        run probe create set device=deny:a:-1:-1:rwm set device=allow:c:1:3:rwm apply
        [ "$status" -eq 0 ]
        run probe run sh -c 'echo x > /dev/null && echo null-ok; head -c1 /dev/zero > /dev/null || echo zero-denied'
        [[ "$output" == *"null-ok"* ]]
        [[ "$output" == *"zero-denied"* ]]
        [[ "$output" == *"Operation not permitted"* ]]
        # update: allowing zero afterwards works in place
        run probe set device=deny:a:-1:-1:rwm set device=allow:c:1:3:rwm set device=allow:c:1:5:r apply
        [ "$status" -eq 0 ]
        run probe run sh -c 'head -c1 /dev/zero > /dev/null && echo zero-ok'
        [[ "$output" == *"zero-ok"* ]]
}

@test "v1: blkio throttle on the root disk" {
        dev=$(findmnt -n -o SOURCE / 2>/dev/null)
        [ -b "$dev" ] || skip "root is not on a block device"
        mm=$(stat -c '%Hr:%Lr' "$dev")
        run probe create set "io.rbps=${mm}:1048576" set "io.wiops=${mm}:100" apply
        [ "$status" -eq 0 ]
        d=/sys/fs/cgroup/blkio/$CGP
        grep -qx "$mm 1048576" "$d/blkio.throttle.read_bps_device"
        grep -qx "$mm 100" "$d/blkio.throttle.write_iops_device"
}

@test "v1: freeze, thaw, kill and destroy with a process inside" {
        run probe create spawn sleep 1000
        [ "$status" -eq 0 ]
        pid=$(sed -n 's/^pid=//p' <<<"$output")
        [ -n "$pid" ]
        run probe freeze frozen pids
        [ "$status" -eq 0 ]
        [[ "$output" == *"frozen=1"* ]]
        [[ "$output" == *"npids=1"* ]]
        [ "$(cat /sys/fs/cgroup/freezer/$CGP/freezer.state)" = FROZEN ]
        run probe thaw frozen
        [[ "$output" == *"frozen=0"* ]]
        run probe kill TERM
        [ "$status" -eq 0 ]
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        ! kill -0 "$pid" 2>/dev/null
        # destroy kills stragglers itself, even in a paused (frozen) cgroup
        run probe spawn sleep 1000
        pid=$(sed -n 's/^pid=//p' <<<"$output")
        run probe freeze
        [ "$status" -eq 0 ]
        run probe destroy
        [ "$status" -eq 0 ]
        ! kill -0 "$pid" 2>/dev/null
        [ ! -e "$PIDDIR" ]
}

@test "v1: cgroup v2 files and missing controllers are refused by name" {
        run probe create set unified=memory.high:1000 apply
        [ "$status" -eq 1 ]
        [[ "$output" == *"unified: 'memory.high'"* ]]
        [ -d /sys/fs/cgroup/net_cls ] && skip "net_cls is mounted here"
        run probe set network.classID=1048577 apply
        [ "$status" -eq 1 ]
        [[ "$output" == *"network.classID: the net_cls controller is not available"* ]]
}

@test "v1: hostile cgroupsPath is refused and creates nothing" {
        run "$P" --path "$TOP/../../escape" create
        [ "$status" -eq 1 ]
        [[ "$output" == *"contains '..'"* ]]
        [ ! -e /sys/fs/cgroup/pids/escape ]
        [ ! -e /sys/fs/cgroup/escape ]
}

@test "v1: the container's view is mounted read-only, or rooted by a cgroup namespace" {
        root=$(mktemp -d "$BATS_TEST_TMPDIR/root.XXXXXX")
        mkdir -p "$root/sys/fs"
        run probe create mount-run "$root" /sys/fs/cgroup nons ro sh -c "
                ls $root/sys/fs/cgroup; cat $root/sys/fs/cgroup/pids/pids.max
                echo 1 > $root/sys/fs/cgroup/pids/pids.max || echo write-refused"
        [ "$status" -eq 0 ]
        [[ "$output" == *memory* ]]
        [[ "$output" == *"write-refused"* ]]
        [[ "$output" == *"Read-only file system"* ]]
        run probe mount-run "$root" /sys/fs/cgroup ns rw sh -c "cat /proc/self/cgroup; ls $root/sys/fs/cgroup/pids"
        [ "$status" -eq 0 ]
        [[ "$output" == *"pids:/"$'\n'* ]]
        [[ "$output" == *"pids.max"* ]]
        # the mounts lived in the probe's private namespace only
        ! grep -q "$root" /proc/self/mountinfo
        rm -rf "$root"
}

@test "v1: the OOM notification fd fires on an OOM kill, and not without one" {
        run probe create set memory.limit=33554432 apply oom-run sh -c 'true'
        [ "$status" -eq 0 ]
        [[ "$output" == *"oom-event=0"* ]]
        run probe oom-run sh -c 'head -c 300M /dev/zero | tail > /dev/null'
        [ "$status" -eq 0 ]
        [[ "$output" == *"oom-event=1"* ]]
}

@test "v1: OOM notification fd and stats" {
        run probe create oom-fd spawn sleep 1000
        [ "$status" -eq 0 ]
        [[ "$output" == *"oom-fd=ok"* ]]
        run probe stats
        [[ "$output" == *"pids_current=1"* ]]
}

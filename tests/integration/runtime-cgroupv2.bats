#!/usr/bin/env bats
# berth-runtime on a pure cgroup v2 host: the User-Mode Linux guest of scripts/uml-v2.sh (cpu, memory,
# pids and io controllers). Limits from config.json and from update, the cgroup namespace, pause
# (cgroup.freeze), stats, and no cgroup left after delete.

load runtime-helpers
load uml-helpers

setup() {
        uml_require
        # The guest's root is a tmpfs (pivot_root needs it); it copies this rootfs in with one cp.
        TPL=$BATS_TEST_TMPDIR/tpl
        make_busybox_rootfs "$TPL/rootfs"
        chmod 755 "$BATS_TEST_TMPDIR" "$TPL"
}

@test "cgroup v2: limits, cgroup namespace, update, pause, stats, delete" {
        cat >"$BATS_TEST_TMPDIR/guest.sh" <<'SCRIPT'
set -e
BERTH_SRC=$1; BERTH_BUILD=$2; export BERTH_ROOTFS_TEMPLATE=$3/rootfs
source "$BERTH_SRC/tests/integration/runtime-helpers.bash"
R="$BERTH_BUILD/berth-runtime --root /tmp/state"
stat -fc %T /sys/fs/cgroup
make_bundle /tmp/b sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /proc/self/cgroup'
bundle_edit /tmp/b '.linux.resources.memory = {"limit": 33554432} | .linux.resources.pids = {"limit": 7}'
$R run -b /tmp/b c1
bundle_edit /tmp/b '.process.args = ["sleep", "1000"]'
$R run -d -b /tmp/b c2
$R update --memory 64m --pids-limit 9 c2
$R exec c2 cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
$R pause c2
echo "status-$($R state c2 | grep -o '"status": "[a-z]*"' | cut -d'"' -f4)"
$R resume c2
$R events --stats c2 | grep -o '"pids":{"current":1,"limit":9}'
$R delete -f c2
find /sys/fs/cgroup -name 'c[12]' | grep . && echo cgroups-left || echo no-cgroups-left
SCRIPT
        run "$UML_SCRIPT" --share "$TPL" --script "$BATS_TEST_TMPDIR/guest.sh" "$BERTH_SRC" "$BERTH_BUILD" "$TPL"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = cgroup2fs ]
        [ "${lines[1]}" = 33554432 ]
        [ "${lines[2]}" = 7 ]
        [ "${lines[3]}" = "0::/" ]
        [ "${lines[4]}" = 67108864 ]
        [ "${lines[5]}" = 9 ]
        [ "${lines[6]}" = status-paused ]
        [ "${lines[7]}" = '"pids":{"current":1,"limit":9}' ]
        [ "${lines[8]}" = no-cgroups-left ]
}

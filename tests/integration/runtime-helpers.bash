# Shared by tests/integration/runtime-*.bats (and reusable by scripts/demo.sh):
# a busybox root file system, an OCI bundle made by `berth-runtime spec` and
# edited with jq, a private --root per test, and a teardown that fails when
# anything is left behind (state dirs, cgroups, mounts, processes).

BERTH_BUILD=${BERTH_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
RT=${RT:-$BERTH_BUILD/berth-runtime}
BUSYBOX=${BUSYBOX:-/bin/busybox}

# make_busybox_rootfs DIR: the static busybox, one symlink per applet, a root and a non-root user.
make_busybox_rootfs() {
        local dir=$1 applet
        mkdir -p "$dir"/{bin,sbin,etc,proc,sys,dev,tmp,root,home/user,usr/bin,var}
        cp "$BUSYBOX" "$dir/bin/busybox"
        for applet in $("$BUSYBOX" --list); do
                [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
        printf 'root:x:0:\nuser:x:1000:\nextra:x:2000:user\nnogroup:x:65534:\n' >"$dir/etc/group"
        chown 1000:1000 "$dir/home/user"
        chmod 1777 "$dir/tmp"
}

# make_bundle DIR [ARGS...]: DIR/rootfs plus DIR/config.json from `berth-runtime spec`, running ARGS
# (default: sh) without a terminal.
make_bundle() {
        local dir=$1
        shift
        mkdir -p "$dir"
        if [ -n "${BERTH_ROOTFS_TEMPLATE:-}" ] && [ -d "$BERTH_ROOTFS_TEMPLATE" ]; then
                cp -a "$BERTH_ROOTFS_TEMPLATE" "$dir/rootfs"
        else
                make_busybox_rootfs "$dir/rootfs"
        fi
        (cd "$dir" && "$RT" spec) || return 1
        local args='["sh"]'
        if [ $# -gt 0 ]; then
                args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
        fi
        bundle_edit "$dir" ".process.terminal = false | .process.args = $args | .root.readonly = false | del(.process.capabilities.ambient)"
}

# bundle_edit DIR JQ-FILTER: edits DIR/config.json in place.
bundle_edit() {
        local dir=$1 filter=$2
        jq "$filter" "$dir/config.json" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

# Per-test state: a private --root, a bundle, a unique id prefix.
runtime_setup() {
        TEST_ROOT=$BATS_TEST_TMPDIR/state
        BUNDLE=$BATS_TEST_TMPDIR/bundle
        ID=bt$$-${BATS_TEST_NUMBER}
        if [ -z "${BERTH_ROOTFS_TEMPLATE:-}" ]; then
                export BERTH_ROOTFS_TEMPLATE=$BATS_FILE_TMPDIR/rootfs-template
                [ -d "$BERTH_ROOTFS_TEMPLATE" ] || make_busybox_rootfs "$BERTH_ROOTFS_TEMPLATE"
        fi
        make_bundle "$BUNDLE"
}

rt() {
        "$RT" --root "$TEST_ROOT" "$@"
}

# Fails (with a message) when the test left anything behind.
runtime_teardown() {
        local id leftovers=""
        if [ -d "$TEST_ROOT" ]; then
                for id in $(ls "$TEST_ROOT" 2>/dev/null); do
                        "$RT" --root "$TEST_ROOT" delete --force "$id" >/dev/null 2>&1 || true
                        leftovers+=" state:$id"
                done
        fi
        # Cgroups named after this test's ids.
        local cg
        cg=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "bt$$-${BATS_TEST_NUMBER}*" 2>/dev/null | head -5)
        [ -n "$cg" ] && leftovers+=" cgroups:$cg"
        # Processes in such cgroups.
        local procs
        procs=$(grep -l "bt$$-${BATS_TEST_NUMBER}" /proc/[0-9]*/cgroup 2>/dev/null | head -5)
        [ -n "$procs" ] && leftovers+=" processes:$procs"
        # Mounts under the test's directory.
        if grep -q "$BATS_TEST_TMPDIR" /proc/self/mountinfo; then
                leftovers+=" mounts:$(grep "$BATS_TEST_TMPDIR" /proc/self/mountinfo | head -3 | awk '{print $5}')"
        fi
        if [ -n "$leftovers" ]; then
                echo "left behind:$leftovers" >&2
                return 1
        fi
}

# wait_for CMD...: retries CMD up to 10 s (for states reached asynchronously; not a timing assertion).
wait_for() {
        local i
        for i in $(seq 100); do
                "$@" && return 0
                sleep 0.1
        done
        "$@"
}

container_status() {
        rt state "$1" | jq -r .status
}

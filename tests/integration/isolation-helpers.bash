# Shared setup for tests/integration/isolation-*.bats: a busybox rootfs per
# test and the probe that runs the runtime's in-container steps on it.

ISOLATION_SRC="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
PROBE="${PROBE:-${BERTH_BUILD:-$ISOLATION_SRC/build}/tests/integration/isolation-probe}"

# The busybox tree is made once per file (a link per applet is hundreds of processes) and copied per test.
isolation_setup_file() {
        [ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] || return 0
        local t="$BATS_FILE_TMPDIR/template" a
        mkdir -p "$t/bin" "$t/etc" "$t/proc" "$t/sys" "$t/dev" "$t/tmp"
        cp /bin/busybox "$t/bin/busybox"
        (cd "$t/bin" && for a in $(./busybox --list); do [ -e "$a" ] || ln -s busybox "$a"; done)
        echo "root:x:0:0:root:/:/bin/sh" >"$t/etc/passwd"
        echo "root:x:0:" >"$t/etc/group"
}

isolation_setup() {
        [ "$(id -u)" -eq 0 ] || skip "needs root"
        [ -x "$PROBE" ] || skip "isolation-probe not built (ninja -C build)"
        [ -x /bin/busybox ] || skip "needs busybox-static"
        # A user namespace maps root to 100000, which must still reach the rootfs: open the test's own
        # directories (only those) for traversal.
        local d="$BATS_TEST_TMPDIR"
        while [ "$d" != / ] && [ "$d" != /tmp ]; do
                chmod o+x "$d"
                d="$(dirname "$d")"
        done
        ROOTFS="$BATS_TEST_TMPDIR/rootfs"
        HOSTDIR="$BATS_TEST_TMPDIR/host"
        mkdir -p "$HOSTDIR"
        cp -a "$BATS_FILE_TMPDIR/template" "$ROOTFS"
}

# Nothing the probe did may be visible on the host: no mount under the test's directory and no probe left running.
isolation_teardown() {
        [ -n "${ROOTFS:-}" ] || return 0
        if grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo; then
                echo "mounts left behind under $BATS_TEST_TMPDIR" >&2
                return 1
        fi
        if pgrep -f "isolation-probe.*$BATS_TEST_TMPDIR" >/dev/null; then
                echo "probe processes left behind" >&2
                return 1
        fi
}

# A shell snippet printing the mountinfo line of the container's root ("/" as mount point).
ROOT_MOUNTINFO='awk '"'"'$5 == "/"'"'"' /proc/self/mountinfo'

probe() {
        "$PROBE" "$@"
}

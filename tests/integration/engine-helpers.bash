# Helpers for the engine integration tests: each test gets its own --root
# (runtime state under it too) in a temporary directory and the busybox image.
# Teardown removes what the test left on purpose, then checks that nothing
# else is left: no mount under the root, no monitor or container process, no
# container cgroup, no state directory.

BERTH_BUILD=${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}
BERTH_BIN=${BERTH_BIN:-$BERTH_BUILD/berth}

# Container cgroups (64-hex names under berth/) of the pids hierarchy, and of the memory one (which
# is nested in our own memory cgroup on this host: see MACHINE-NOTES).
engine_cgroups() {
        local mem
        mem=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
        ls /sys/fs/cgroup/pids/berth /sys/fs/cgroup/unified/berth "/sys/fs/cgroup/memory$mem/berth" \
                /sys/fs/cgroup/berth 2>/dev/null | grep -E '^[0-9a-f]{64}$' | sort -u || true
}

engine_setup() {
        [ "$(id -u)" -eq 0 ] || skip "needs root"
        [ -x "$BERTH_BIN" ] || skip "build/berth not built"
        [ -x /bin/busybox ] || skip "busybox-static not installed"
        TMP=$(mktemp -d /tmp/berth-engine-test.XXXXXX)
        ROOT=$TMP/root
        CGROUPS_BEFORE=$(engine_cgroups)
        "$BERTH_BIN" --root "$ROOT" busybox-image -q >/dev/null
}

engine_teardown() {
        [ -n "${TMP:-}" ] || return 0
        local failed=0 left pids i ids
        # what the test left on purpose (a --rm container whose kernel state could not be removed
        # keeps its record, so these are all the ids that may have left a cgroup)
        ids=$("$BERTH_BIN" --root "$ROOT" ps -aq --no-trunc 2>/dev/null || true)
        [ -z "$ids" ] || "$BERTH_BIN" --root "$ROOT" rm -f $ids >/dev/null 2>&1 || true
        # a monitor may still be finishing a --rm removal after its exit frame: give it a moment
        for ((i = 0; i < 50; i++)); do
                pids=$(pgrep -f -- "$TMP/" || true)
                [ -z "$pids" ] && break
                sleep 0.1
        done
        if [ -n "$pids" ]; then
                echo "processes left behind: $(ps -o pid,args -p $(echo $pids | tr ' ' ',') 2>/dev/null)" >&2
                kill -9 $pids 2>/dev/null || true
                failed=1
        fi
        if grep -q " $TMP" /proc/mounts; then
                grep " $TMP" /proc/mounts >&2
                echo "mounts left behind under $TMP" >&2
                awk -v t="$TMP" '$2 ~ "^"t {print $2}' /proc/mounts | sort -r | xargs -r umount -l
                failed=1
        fi
        # other users of this machine make berth/<id> cgroups too: only ours count
        left=$(comm -13 <(echo "$CGROUPS_BEFORE") <(engine_cgroups) | grep -F -x -f <(echo "${ids:-none}") || true)
        if [ -n "$left" ]; then
                echo "container cgroups left behind: $left" >&2
                failed=1
        fi
        left=$(ls "$ROOT/containers" "$ROOT/run/containers" 2>/dev/null | grep -E '^[0-9a-f]{64}$' || true)
        if [ -n "$left" ]; then
                echo "container directories left behind: $left" >&2
                failed=1
        fi
        rm -rf "$TMP"
        return $failed
}

setup() { engine_setup; }
teardown() { engine_teardown; }

berth() {
        "$BERTH_BIN" --root "$ROOT" "$@"
}

# Waits up to $2 seconds (default 10) for `berth inspect -f '{{.State.Status}}' $1` to be $3.
wait_status() {
        local name=$1 timeout=${2:-10} want=${3:-exited} i
        for ((i = 0; i < timeout * 10; i++)); do
                [ "$(berth inspect --format '{{.State.Status}}' "$name" 2>/dev/null)" = "$want" ] && return 0
                sleep 0.1
        done
        echo "container $name did not become $want: $(berth inspect --format '{{.State.Status}}' "$name")" >&2
        return 1
}

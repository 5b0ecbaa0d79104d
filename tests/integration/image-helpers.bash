# Helpers for the image integration tests: each test gets its own --root and
# --runroot under a temporary directory, removed (and checked for leftover
# mounts) in teardown.

BERTH_BIN=${BERTH_BIN:-${BERTH_BUILD:-$BATS_TEST_DIRNAME/../../build}/berth}

image_setup() {
        [ "$(id -u)" -eq 0 ] || skip "needs root"
        [ -x "$BERTH_BIN" ] || skip "build/berth not built"
        TMP=$(mktemp -d /tmp/berth-image-test.XXXXXX)
        ROOT=$TMP/root
        RUNROOT=$TMP/run
}

image_teardown() {
        [ -n "${TMP:-}" ] || return 0
        if grep -q " $TMP" /proc/mounts; then
                grep " $TMP" /proc/mounts >&2
                echo "mounts left behind under $TMP" >&2
                awk -v t="$TMP" '$2 ~ "^"t {print $2}' /proc/mounts | sort -r | xargs -r umount -l
                rm -rf "$TMP"
                return 1
        fi
        rm -rf "$TMP"
}

setup() { image_setup; }
teardown() { image_teardown; }

berth() {
        "$BERTH_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
}

# berth with another root: berth_at DIR ARGS...
berth_at() {
        local dir=$1
        shift
        "$BERTH_BIN" --root "$dir" --runroot "$dir.run" "$@"
}

# The blobs of a root, one digest a line, sorted.
blobs_of() {
        ls "$1/blobs/sha256" | sort
}

# Nothing of an image is left: no blob, no image record, no unpacked layer.
assert_store_empty() {
        local root=${1:-$ROOT}
        [ -z "$(ls "$root/blobs/sha256" 2>/dev/null)" ] || { echo "blobs left: $(ls "$root/blobs/sha256")" >&2; return 1; }
        [ -z "$(berth_at "$root" images -q)" ] || { echo "images left" >&2; return 1; }
        local left
        left=$(ls "$root/layers" 2>/dev/null | grep -v -x -e empty -e l -e tmp || true)
        [ -z "$left" ] || { echo "layers left: $left" >&2; return 1; }
        [ -z "$(ls "$root/tmp" 2>/dev/null)" ] || { echo "temporary files left: $(ls "$root/tmp")" >&2; return 1; }
}

# Runs podman with throwaway storage under $TMP/podman (MACHINE-NOTES.md).
podman_tmp() {
        mkdir -p "$TMP/podman"
        cat >"$TMP/podman/containers.conf" <<EOC
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
EOC
        CONTAINERS_CONF=$TMP/podman/containers.conf podman --root "$TMP/podman/root" --runroot "$TMP/podman/run" \
                --tmpdir "$TMP/podman/tmp" --storage-driver overlay --cgroup-manager cgroupfs \
                --events-backend file "$@"
}

podman_cleanup() {
        [ -d "$TMP/podman/root" ] || return 0
        podman_tmp rmi -a -f >/dev/null 2>&1 || true
        awk -v t="$TMP/podman" '$2 ~ "^"t {print $2}' /proc/mounts | sort -r | xargs -r umount
}

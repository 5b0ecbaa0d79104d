#!/bin/bash
# Builds Berth and shows it working on this machine: a busybox image made
# offline from Debian's busybox-static, then a container run by berth-runtime
# from an OCI bundle, with its own hostname, pid namespace and limits, and
# (once the engine lands) `berth run`. Idempotent; leaves nothing behind but
# the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

./scripts/deps.sh
if [ ! -f build/build.ninja ]; then
        meson setup build >/dev/null
fi
ninja -C build >/dev/null

if [ "$(id -u)" != 0 ]; then
        echo "the demo runs containers: run it as root" >&2
        exit 1
fi

demo=$(mktemp -d /tmp/berth-demo.XXXXXX)
cleanup() {
        "$top/build/berth-runtime" --root "$demo/run" delete -f berth-demo >/dev/null 2>&1 || true
        "$top/build/berth" --root "$demo/store" rm -f web >/dev/null 2>&1 || true
        rm -rf "$demo"
}
trap cleanup EXIT

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

# shellcheck source=../tests/integration/runtime-helpers.bash
BERTH_BUILD=$top/build source tests/integration/runtime-helpers.bash

say "berth busybox-image        # an image from Debian's busybox-static, no network"
./build/berth --root "$demo/store" busybox-image
say "berth images"
./build/berth --root "$demo/store" images

say "berth-runtime run: busybox from an OCI bundle, new pid/uts/mount/ipc/net namespaces, 64 MiB memory, 32 pids"
make_bundle "$demo/bundle" sh -c 'echo "hello from $(hostname), I am pid $$"; echo "memory limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"; ps'
bundle_edit "$demo/bundle" '.hostname = "berth-demo" | .linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 32'
(cd "$demo/bundle" && time "$top/build/berth-runtime" --root "$demo/run" run berth-demo)

B=(./build/berth --root "$demo/store")
say "berth run --rm busybox echo hi"
"${B[@]}" run --rm busybox echo hi
say "berth run -d --name web -m 64m busybox sh -c 'while :; do date; sleep 1; done'"
"${B[@]}" run -d --name web -m 64m busybox sh -c 'while :; do date; sleep 1; done'
sleep 2
say "berth ps"
"${B[@]}" ps
say "berth logs web"
"${B[@]}" logs web
say "berth rm -f web"
"${B[@]}" rm -f web
echo
echo "demo done: see README.md for a tour of the CLI"

#!/usr/bin/env bats
# containerd 1.6 drives berth-runtime (ctr run --runc-binary) through containerd-shim-runc-v2:
# exit codes, env, users, tty, exec, kill, memory and pids limits. containerd runs from a temporary
# config, root, state and socket; the image is a docker-archive made here from the busybox rootfs.

load runtime-helpers

setup_file() {
        command -v containerd >/dev/null || skip "containerd is not installed"
        export CD=$BATS_FILE_TMPDIR/containerd
        mkdir -p "$CD"
        cat >"$CD/config.toml" <<CONF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
        "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
        "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CD/c.sock"
[ttrpc]
  address = "$CD/c.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
CONF
        containerd --config "$CD/config.toml" >"$CD/log" 2>&1 &
        echo $! >"$CD/pid"
        wait_for ctr -a "$CD/c.sock" version >/dev/null
        # A docker-archive by hand: one layer, a config naming its diff id, a manifest.
        local img=$CD/img d
        mkdir -p "$img"
        make_busybox_rootfs "$img/rootfs"
        tar -C "$img/rootfs" -cf "$img/layer.tar" .
        d=$(sha256sum "$img/layer.tar" | cut -d' ' -f1)
        printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$d" >"$img/config.json"
        echo '[{"Config":"config.json","RepoTags":["localhost/berth-busybox:latest"],"Layers":["layer.tar"]}]' >"$img/manifest.json"
        tar -C "$img" -cf "$img/image.tar" config.json manifest.json layer.tar
        c image import "$img/image.tar" >/dev/null
}

teardown_file() {
        local t
        for t in $(c task ls -q 2>/dev/null); do c task kill -s SIGKILL "$t" >/dev/null 2>&1; done
        sleep 0.5
        for t in $(c task ls -q 2>/dev/null); do c task delete -f "$t" >/dev/null 2>&1; done
        for t in $(c container ls -q 2>/dev/null); do c container delete "$t" >/dev/null 2>&1; done
        c image rm localhost/berth-busybox:latest >/dev/null 2>&1 || true
        [ -f "$CD/pid" ] && kill "$(cat "$CD/pid")" 2>/dev/null
        sleep 0.5
        grep "$CD" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l 2>/dev/null
        true
}

c() {
        ctr -a "$CD/c.sock" -n berth "$@"
}

IMAGE=localhost/berth-busybox:latest

setup() {
        command -v containerd >/dev/null || skip "containerd is not installed"
        CID=ct-$BATS_TEST_NUMBER
}

teardown() {
        run c container ls -q
        [ -z "$output" ] || { echo "containerd containers left: $output" >&2; return 1; }
}

@test "ctr run: exit code and output" {
        run c run --rm --runc-binary "$RT" "$IMAGE" "$CID" sh -c 'echo hello; exit 3'
        [ "$status" -eq 3 ]
        [ "$output" = hello ]
}

@test "ctr run: env" {
        run c run --rm --runc-binary "$RT" --env FOO=bar "$IMAGE" "$CID" sh -c 'echo $FOO'
        [ "$output" = bar ]
}

@test "ctr run -t: a terminal through the shim's console socket" {
        run script -qec "ctr -a $CD/c.sock -n berth run --rm -t --runc-binary $RT $IMAGE $CID sh -c '[ -t 0 ] && tty'" /dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *"/dev/pts/0"* ]]
}

@test "ctr task exec into a running container, with a user, and kill" {
        c run -d --runc-binary "$RT" "$IMAGE" "$CID" sleep 1000
        run c task exec --exec-id e1 "$CID" sh -c 'echo inside; exit 6'
        [ "$status" -eq 6 ]
        [ "$output" = inside ]
        run c task exec --exec-id e2 --user 1000 "$CID" id -u
        [ "$output" = 1000 ]
        run c task ps "$CID"
        [ "${#lines[@]}" -ge 2 ]
        c task kill -s SIGKILL "$CID"
        wait_for sh -c "ctr -a $CD/c.sock -n berth task ls | grep -q '$CID.*STOPPED'"
        c task delete "$CID"
        c container delete "$CID"
}

@test "ctr run: memory limit and OOM kill" {
        # containerd's default spec mounts no cgroup file system: read the limit from the host.
        c run -d --runc-binary "$RT" --memory-limit 33554432 "$IMAGE" "$CID" sleep 1000
        local pid path
        pid=$(c task ls | awk -v id="$CID" '$1 == id {print $2}')
        path=$(awk -F: '$2 == "memory" {print $3}' /proc/$pid/cgroup)
        [ "$(cat /sys/fs/cgroup/memory$path/memory.limit_in_bytes)" = 33554432 ]
        c task kill -s SIGKILL "$CID"
        wait_for sh -c "ctr -a $CD/c.sock -n berth task ls | grep -q '$CID.*STOPPED'"
        c task delete "$CID"
        c container delete "$CID"
        [ ! -d "/sys/fs/cgroup/memory$path" ]
        run c run --rm --runc-binary "$RT" --memory-limit 16777216 "$IMAGE" "$CID" sh -c 'x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done'
        [ "$status" -eq 137 ]
}

@test "ctr run --config: pids limit and user from a full config.json" {
        mkdir "$BATS_TEST_TMPDIR/s"
        (cd "$BATS_TEST_TMPDIR/s" && "$RT" spec)
        jq --arg root "$CD/img/rootfs" '.root = {path: $root, readonly: true} | .process.terminal = false
                | .process.args = ["sh", "-c", "cat /sys/fs/cgroup/pids/pids.max; id -u; for i in 1 2 3 4 5 6 7 8; do sleep 10 & done; echo end"]
                | .linux.resources.pids = {limit: 5} | .process.user = {uid: 1000, gid: 1000}
                | del(.process.capabilities.ambient)' "$BATS_TEST_TMPDIR/s/config.json" >"$BATS_TEST_TMPDIR/spec.json"
        run c run --rm --runc-binary "$RT" --config "$BATS_TEST_TMPDIR/spec.json" "$CID"
        [ "${lines[0]}" = 5 ]
        [ "${lines[1]}" = 1000 ]
        [[ "$output" == *fork* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
}

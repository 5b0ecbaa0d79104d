#!/usr/bin/env bats
# podman drives berth-runtime (--runtime) through conmon: exit codes, env, users, tty, exec, kill,
# memory and pids limits. Every podman directory is temporary; nothing global is touched.

load runtime-helpers

setup_file() {
        command -v podman >/dev/null || skip "podman is not installed"
        export PD=$BATS_FILE_TMPDIR/podman
        mkdir -p "$PD"
        cat >"$PD/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
        make_busybox_rootfs "$PD/rootfs"
        tar -C "$PD/rootfs" -c . | pd import - localhost/berth-busybox:latest >/dev/null
}

teardown_file() {
        pd rm -af >/dev/null 2>&1 || true
        pd rmi -af >/dev/null 2>&1 || true
        # podman leaves overlay mounts in its temporary root until told to unmount them
        pd system reset -f >/dev/null 2>&1 || true
        grep -q "$PD" /proc/self/mountinfo && grep "$PD" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
        true
}

pd() {
        CONTAINERS_CONF=$PD/containers.conf podman --root "$PD/root" --runroot "$PD/runroot" --tmpdir "$PD/tmp" \
                --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --runtime "$RT" "$@"
}

setup() {
        command -v podman >/dev/null || skip "podman is not installed"
}

teardown() {
        # No container of this test may be left in berth-runtime's state (podman keeps it under its runroot).
        run pd ps -aq
        [ -z "$output" ] || { pd rm -af >/dev/null; echo "podman containers left: $output" >&2; return 1; }
}

@test "podman run: exit code and output" {
        run pd run --rm --network none localhost/berth-busybox sh -c 'echo hello; exit 3'
        [ "$status" -eq 3 ]
        [ "$output" = hello ]
        run pd run --rm --network none localhost/berth-busybox true
        [ "$status" -eq 0 ]
}

@test "podman run: env and user" {
        run pd run --rm --network none -e FOO=bar localhost/berth-busybox sh -c 'echo $FOO'
        [ "$output" = bar ]
        run pd run --rm --network none --user 1000:1000 localhost/berth-busybox id
        [[ "$output" == "uid=1000(user) gid=1000(user)"* ]]
}

@test "podman run -t: a terminal from the console socket" {
        run pd run --rm -t --network none localhost/berth-busybox sh -c '[ -t 0 ] && tty'
        [ "$status" -eq 0 ]
        [[ "$output" == /dev/pts/0* ]]
}

@test "podman exec into a running container, kill and stop" {
        pd run -d --name ex --network none localhost/berth-busybox sleep 1000
        run pd exec ex sh -c 'echo in-$HOSTNAME; exit 4'
        [ "$status" -eq 4 ]
        [[ "$output" == in-* ]]
        run pd exec --user 1000 ex id -u
        [ "$output" = 1000 ]
        run pd exec -t ex tty
        [[ "$output" == /dev/pts/* ]]
        pd kill ex
        run pd wait ex
        [ "$output" = 137 ]
        pd rm ex
}

@test "podman run: memory and pids limits" {
        run pd run --rm --network none --memory 32m localhost/berth-busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes
        [ "$output" = 33554432 ]
        run pd run --rm --network none --memory 16m --memory-swap 16m localhost/berth-busybox sh -c 'x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done'
        [ "$status" -eq 137 ]
        run pd run --rm --network none --pids-limit 5 localhost/berth-busybox sh -c 'cat /sys/fs/cgroup/pids/pids.max; for i in 1 2 3 4 5 6 7 8; do sleep 10 & done; echo end'
        [ "${lines[0]}" = 5 ]
        [[ "$output" == *fork* ]] || [[ "$output" == *"Resource temporarily unavailable"* ]]
}

@test "podman pause/unpause and inspect see berth-runtime's state" {
        pd run -d --name pz --network none localhost/berth-busybox sleep 1000
        pd pause pz
        [ "$(pd inspect -f '{{.State.Status}}' pz)" = paused ]
        pd unpause pz
        [ "$(pd inspect -f '{{.State.Status}}' pz)" = running ]
        [ "$(pd inspect -f '{{.OCIRuntime}}' pz)" = "$RT" ] || [[ "$(pd inspect -f '{{.OCIRuntime}}' pz)" == *berth-runtime ]]
        pd rm -f pz
}

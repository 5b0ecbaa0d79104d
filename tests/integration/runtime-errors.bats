#!/usr/bin/env bats
# Bad input: a clear error naming the problem, exit status 1, and nothing left behind
# (runtime_teardown checks state dirs, cgroups, mounts and processes).

load runtime-helpers

setup() {
        runtime_setup
}

teardown() {
        runtime_teardown
}

# fails_with TEXT: the last `run` failed with status 1 and said TEXT; no state is left.
fails_with() {
        [ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
        [[ "$output" == *"$1"* ]] || { echo "expected '$1' in: $output"; return 1; }
        [ ! -e "$TEST_ROOT/$ID" ] || { echo "state left"; return 1; }
}

@test "invalid JSON in config.json" {
        echo '{"ociVersion": "1.2.0", "process": ' >"$BUNDLE/config.json"
        run rt run -b "$BUNDLE" "$ID"
        fails_with "config.json"
}

@test "config.json of the wrong types and a hostile size" {
        bundle_edit "$BUNDLE" '.process.args = "sh"'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "process.args"
        head -c 5000000 /dev/zero | tr '\0' ' ' >"$BUNDLE/config.json"
        run rt run -b "$BUNDLE" "$ID"
        fails_with "config.json"
}

@test "missing bundle, missing config.json, missing rootfs" {
        run rt run -b "$BATS_TEST_TMPDIR/nowhere" "$ID"
        fails_with "nowhere"
        mkdir "$BATS_TEST_TMPDIR/empty"
        run rt run -b "$BATS_TEST_TMPDIR/empty" "$ID"
        fails_with "config.json"
        bundle_edit "$BUNDLE" '.root.path = "no-such-rootfs"'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "no-such-rootfs"
}

@test "unknown namespace type" {
        bundle_edit "$BUNDLE" '.linux.namespaces += [{"type": "bogus"}]'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "bogus"
}

@test "namespace path that does not exist" {
        bundle_edit "$BUNDLE" '.process.args = ["true"] | .linux.namespaces |= map(if .type == "network" then .path = "/proc/999999999/ns/net" else . end)'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "/proc/999999999/ns/net"
}

@test "bad seccomp rules" {
        bundle_edit "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "SCMP_ACT_BOGUS"
        bundle_edit "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["no_such_syscall_at_all"], "action": "SCMP_ACT_ERRNO"}]}'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "no_such_syscall_at_all"
}

@test "duplicate id leaves the existing container untouched" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt create -b "$BUNDLE" "$ID"
        local pid
        pid=$(rt state "$ID" | jq .pid)
        run rt create -b "$BUNDLE" "$ID"
        [ "$status" -eq 1 ]
        [ "$output" = "berth-runtime: container '$ID' already exists" ]
        [ "$(container_status "$ID")" = created ]
        [ "$(rt state "$ID" | jq .pid)" = "$pid" ]
        rt start "$ID"
        [ "$(container_status "$ID")" = running ]
        rt delete --force "$ID"
}

@test "invalid container ids" {
        run rt run -b "$BUNDLE" "../escape"
        [ "$status" -eq 1 ]
        [[ "$output" == *"invalid container id"* ]]
        [ ! -e "$BATS_TEST_TMPDIR/escape" ]
        run rt state "a/b"
        [ "$status" -eq 1 ]
        run rt run -b "$BUNDLE"
        [ "$status" -eq 1 ]
        [[ "$output" == *"container id"* ]]
}

@test "missing executable fails create with exit 1 and a clear message" {
        bundle_edit "$BUNDLE" '.process.args = ["/no/such/binary"]'
        run rt create -b "$BUNDLE" "$ID"
        fails_with "/no/such/binary"
        bundle_edit "$BUNDLE" '.process.args = ["not-in-path"]'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "not-in-path"
}

@test "bad cwd, bad user mapping, bad mount option, bad cgroupsPath, bad rlimit" {
        bundle_edit "$BUNDLE" '.process.cwd = "relative"'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "cwd"
        make_bundle "$BUNDLE.2"
        bundle_edit "$BUNDLE.2" '.mounts += [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["bogusopt=1,,"]}]'
        run rt run -b "$BUNDLE.2" "$ID"
        [ "$status" -eq 1 ]
        [ ! -e "$TEST_ROOT/$ID" ]
        make_bundle "$BUNDLE.3"
        bundle_edit "$BUNDLE.3" '.linux.cgroupsPath = "../../../../escape"'
        run rt run -b "$BUNDLE.3" "$ID"
        fails_with "cgroupsPath"
        make_bundle "$BUNDLE.4"
        bundle_edit "$BUNDLE.4" '.process.rlimits = [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]'
        run rt run -b "$BUNDLE.4" "$ID"
        fails_with "RLIMIT_BOGUS"
}

@test "terminal without --console-socket" {
        bundle_edit "$BUNDLE" '.process.terminal = true'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "console"
        run rt run --console-socket "$BATS_TEST_TMPDIR/no.sock" -b "$BUNDLE" "$ID"
        fails_with "no.sock"
}

@test "a failure inside the container cleans up the cgroup, state and processes" {
        # sethostname without a UTS namespace: refused before anything starts
        bundle_edit "$BUNDLE" '.hostname = "x" | .linux.namespaces |= map(select(.type != "uts"))'
        run rt run -b "$BUNDLE" "$ID"
        fails_with "UTS"
        # a sysctl that fails inside the container (read-only key), after clone and cgroup setup
        make_bundle "$BUNDLE.2"
        bundle_edit "$BUNDLE.2" '.linux.sysctl = {"net.ipv4.no_such_key": "1"}'
        run rt run -b "$BUNDLE.2" "$ID"
        fails_with "net.ipv4.no_such_key"
}

@test "commands on a container that does not exist" {
        local c
        for c in start state kill delete pause resume ps events update; do
                run rt $c "$ID"
                [ "$status" -eq 1 ]
                [[ "$output" == *"does not exist"* ]]
        done
        run rt exec "$ID" true
        [ "$status" -eq 1 ]
        [[ "$output" == *"does not exist"* ]]
}

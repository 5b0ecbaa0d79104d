#!/usr/bin/env bats
# Fixes for gaps found by the upstream runtime-tools validation programs
# (scripts/conformance.sh --suite upstream; docs/conformance.md). Each test
# names the validation program that found the gap.

load runtime-helpers

setup() {
        runtime_setup
}

teardown() {
        runtime_teardown
}

# validation/linux_rootfs_propagation, case "unbindable": the rootfs was made
# unbindable before it was bound onto itself, which the kernel refuses (EINVAL).
@test "conformance fix: rootfsPropagation unbindable runs and leaves '/' unbindable" {
        local p
        for p in unbindable runbindable; do
                bundle_edit "$BUNDLE" ".linux.rootfsPropagation = \"$p\" | .process.args = [\"cat\", \"/proc/self/mountinfo\"]"
                run rt run -b "$BUNDLE" "$ID-$p"
                echo "$p: $output"
                [ "$status" -eq 0 ]
                # The container's root mount carries the unbindable tag.
                awk '$5 == "/" { for (i = 7; $i != "-"; i++) if ($i == "unbindable") f = 1 } END { exit !f }' <<<"$output"
        done
}

# validation/hooks_stdin: the state on a prestart hook's stdin says "created"
# (crun does the same); berth-runtime said "creating".
@test "conformance fix: a prestart hook reads status created on stdin" {
        local log=$BATS_TEST_TMPDIR/hook.log
        printf '#!/bin/sh\njq -r .status >>%s\n' "$log" >"$BATS_TEST_TMPDIR/hook"
        chmod 755 "$BATS_TEST_TMPDIR/hook"
        bundle_edit "$BUNDLE" ".hooks.prestart = [{\"path\": \"$BATS_TEST_TMPDIR/hook\"}] | .process.args = [\"true\"]"
        run rt run -b "$BUNDLE" "$ID"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(cat "$log")" = created ]
}

# validation/linux_uid_mappings and linux_ns_nopath: with a user namespace
# whose root is another host user, create failed with "open exec fifo:
# Permission denied" (the init opens the fifo as that user). Only create+start
# goes through the fifo; run does not.
@test "conformance fix: create and start a container whose root is mapped to another host user" {
        local d=$BATS_TEST_TMPDIR
        while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
        bundle_edit "$BUNDLE" '.linux.namespaces += [{"type": "user"}]
                | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
                | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
                | .process.args = ["sh", "-c", "cat /proc/self/uid_map > /tmp/map; sleep 30"]'
        # The init keeps create's stdio: not through `run`, which would wait for it.
        rt create -b "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/create.out" 2>&1 ||
                { cat "$BATS_TEST_TMPDIR/create.out"; return 1; }
        run rt start "$ID"
        [ "$status" -eq 0 ]
        wait_for test -s "$BUNDLE/rootfs/tmp/map"
        read -r c h n <"$BUNDLE/rootfs/tmp/map"
        [ "$c $h $n" = "0 100000 65536" ]
        rt delete --force "$ID"
}

# validation/killsig: start returned as soon as it had written the exec fifo,
# before the container's process had exec'd, so a signal sent right after
# start could reach the init before the program's handler existed. start now
# returns once the process runs the user's program (as runc and crun do).
@test "conformance fix: start returns after the container's process has exec'd" {
        local i pid exe
        # A startContainer hook runs in the container between the fifo and
        # execve: it holds the process there for a second.
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "30"]
                | .hooks.startContainer = [{"path": "/bin/sleep", "args": ["sleep", "1"]}]'
        for i in 1 2; do
                rt create -b "$BUNDLE" "$ID-$i" </dev/null >/dev/null 2>&1
                pid=$(rt state "$ID-$i" | jq -r .pid)
                rt start "$ID-$i"
                exe=$(readlink "/proc/$pid/exe")
                rt delete --force "$ID-$i"
                echo "start $i: $exe"
                [[ "$exe" == */bin/busybox ]]
        done
}

#!/usr/bin/env bats
# Security properties of berth-runtime: no fd leaks, the runtime binary is out of reach
# through /proc/<pid>/exe, symlinks in the rootfs cannot redirect mounts.

load runtime-helpers

setup() {
        runtime_setup
}

teardown() {
        runtime_teardown
}

@test "no file descriptor leaks into the container (run, create/start, exec)" {
        # ls itself opens fd 3 (the directory it lists); anything more leaked in.
        bundle_edit "$BUNDLE" '.process.args = ["ls", "/proc/self/fd"]'
        # fd 7 and 9 are open in the caller without close-on-exec: they must not get in.
        run rt run -b "$BUNDLE" "$ID" 7>"$BATS_TEST_TMPDIR/leak7" 9<"$BUNDLE/config.json"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(echo $output)" = "0 1 2 3" ]
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt create -b "$BUNDLE" "$ID" 7>"$BATS_TEST_TMPDIR/leak7"
        rt start "$ID"
        run rt exec "$ID" ls /proc/1/fd 7>"$BATS_TEST_TMPDIR/leak7"
        [ "$(echo $output)" = "0 1 2" ]
        run rt exec "$ID" ls /proc/self/fd 7>"$BATS_TEST_TMPDIR/leak7"
        [ "$(echo $output)" = "0 1 2 3" ]
        rt delete --force "$ID"
}

@test "the runtime binary cannot be reached through /proc/<pid>/exe of the waiting init" {
        local sum
        sum=$(sha256sum "$RT" | cut -d' ' -f1)
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .process.capabilities.bounding += ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER"] | .process.capabilities.effective += ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER"] | .process.capabilities.permitted += ["CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER"]'
        rt create -b "$BUNDLE" "$ID"
        # pid 1 of the container is still the runtime, blocked on the exec fifo.
        [ "$(readlink /proc/$(rt state "$ID" | jq .pid)/exe)" = "$(readlink -f "$RT")" ]
        run rt exec "$ID" sh -c 'cat /proc/1/exe >/dev/null && echo READ-OK'
        [[ "$output" != *READ-OK* ]]
        [[ "$output" == *"ermission denied"* ]]
        run rt exec "$ID" sh -c 'echo evil >/proc/1/exe && echo WRITE-OK'
        [[ "$output" != *WRITE-OK* ]]
        run rt exec "$ID" sh -c 'ls -l /proc/1/fd/ 2>&1; readlink /proc/1/exe && echo LINK-OK'
        [[ "$output" != *LINK-OK* ]]
        [ "$(sha256sum "$RT" | cut -d' ' -f1)" = "$sum" ]
        # once started, pid 1 is the container's own program
        rt start "$ID"
        wait_for sh -c "$RT --root $TEST_ROOT exec $ID readlink /proc/1/exe | grep -q busybox"
        rt delete --force "$ID"
        [ "$(sha256sum "$RT" | cut -d' ' -f1)" = "$sum" ]
}

@test "a symlink in the rootfs pointing outside does not redirect a mount" {
        mkdir "$BATS_TEST_TMPDIR/outside"
        ln -s "$BATS_TEST_TMPDIR/outside" "$BUNDLE/rootfs/escape"
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "touch /escape/marker && grep -c \" /escape \" /proc/self/mountinfo; readlink /escape"] | .mounts += [{"destination": "/escape", "type": "tmpfs", "source": "tmpfs"}]'
        run rt run -b "$BUNDLE" "$ID"
        echo "$output"
        [ "$status" -eq 0 ]
        [ ! -e "$BATS_TEST_TMPDIR/outside/marker" ]
        [ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
        # a relative link climbing above the root stays in the root too
        make_bundle "$BUNDLE.2"
        ln -s ../../../../../../../../../../../.. "$BUNDLE.2/rootfs/up"
        bundle_edit "$BUNDLE.2" '.process.args = ["sh", "-c", "touch /up/tmp/up-marker && ls /tmp"] | .mounts += [{"destination": "/up/tmp", "type": "tmpfs", "source": "tmpfs"}]'
        run rt run -b "$BUNDLE.2" "$ID"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = up-marker ]
        [ ! -e /tmp/up-marker ]
}

@test "masked and read-only paths of the default spec" {
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c", "cat /proc/timer_list 2>&1 | head -c 1 | wc -c; echo 1 >/proc/sys/kernel/shmmni 2>/dev/null && echo WROTE; true"]'
        run rt run -b "$BUNDLE" "$ID"
        [ "${lines[0]}" = 0 ]
        [[ "$output" != *WROTE* ]]
}

@test "the container gets the default capabilities, not the runtime's" {
        bundle_edit "$BUNDLE" '.process.args = ["grep", "^Cap", "/proc/self/status"]'
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -eq 0 ]
        # CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
        [[ "$output" == *"CapEff:	0000000020000420"* ]]
        [[ "$output" == *"CapBnd:	0000000020000420"* ]]
}

@test "the init's exec fifo and state dir are not reachable from the container" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"]'
        rt create -b "$BUNDLE" "$ID"
        run rt exec "$ID" sh -c "ls $TEST_ROOT 2>&1; ls -l /proc/1/fd 2>&1"
        [[ "$output" != *exec.fifo* ]]
        [[ "$output" != *state.json* ]]
        rt delete --force "$ID"
}

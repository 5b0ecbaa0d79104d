#!/usr/bin/env bats
# A container without a mount namespace (linux.namespaces has no "mount"), as
# upstream's validation/linux_ns_itype runs one: berth-runtime mounts in the
# caller's mount namespace under a private bind of the rootfs and chroots.
# Every test runs the runtime inside `unshare -m --propagation private`, so
# the host's mount table is never touched, and checks from inside that
# namespace that nothing of the bundle stays mounted.

load runtime-helpers

setup() {
        runtime_setup
        bundle_edit "$BUNDLE" 'del(.linux.namespaces[] | select(.type == "mount"))
                | del(.linux.maskedPaths) | del(.linux.readonlyPaths) | del(.linux.rootfsPropagation)'
        export RT TEST_ROOT BUNDLE ID
}

teardown() {
        runtime_teardown
}

# in_private_ns SCRIPT: runs the bash SCRIPT (with `set -e`) in a new private mount namespace.
in_private_ns() {
        unshare -m --propagation private bash -ec "$1"
}

# Prints the mounts of the bundle in the current namespace (none: empty output).
bundle_mounts='grep -F " $BUNDLE" /proc/self/mountinfo || true'

@test "no mount namespace: run chroots into the bundle's rootfs with /proc mounted, in the caller's namespace" {
        echo from-the-bundle >"$BUNDLE/rootfs/marker"
        bundle_edit "$BUNDLE" '.process.args = ["sh", "-c",
                "cat /marker; cat /proc/self/comm; readlink /proc/1/ns/mnt; readlink /proc/self/ns/mnt"]'
        run in_private_ns '
                readlink /proc/self/ns/mnt
                "$RT" --root "$TEST_ROOT" run -b "$BUNDLE" "$ID"
                echo "left: $('"$bundle_mounts"')"'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = from-the-bundle ]
        [ "${lines[2]}" = cat ] # a /proc of its own: its self is the container's process
        # The container's process is in the namespace that ran the runtime (its fresh /proc
        # shows the pid namespace, so pid 1 is the container's init: the same namespace again).
        [ "${lines[4]}" = "${lines[0]}" ]
        [ "${lines[3]}" = "${lines[0]}" ]
        [ "${lines[5]}" = "left: " ]
}

@test "no mount namespace: create, exec, a read-only root, and delete detaches every mount" {
        bundle_edit "$BUNDLE" '.root.readonly = true | .process.args = ["sleep", "60"]'
        run in_private_ns '
                "$RT" --root "$TEST_ROOT" create -b "$BUNDLE" "$ID" </dev/null >/dev/null
                "$RT" --root "$TEST_ROOT" start "$ID"
                echo "proc: $(awk -v d="$BUNDLE/rootfs/proc" "\$5 == d { print \$9 }" /proc/self/mountinfo)"
                echo "exec: $("$RT" --root "$TEST_ROOT" exec "$ID" sh -c "ls /; touch /x 2>&1 || echo read-only" | tr "\n" " ")"
                "$RT" --root "$TEST_ROOT" delete --force "$ID"
                echo "left: $('"$bundle_mounts"')"
                touch "$BUNDLE/rootfs/writable-after-delete" && echo "bundle writable"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "proc: proc" ]]
        [[ "${lines[1]}" == *"bin dev etc"* ]]
        [[ "${lines[1]}" == *"read-only"* ]]
        [ "${lines[2]}" = "left: " ]
        [ "${lines[3]}" = "bundle writable" ]
}

@test "no mount namespace: a create that fails in the init leaves no mount and no state" {
        bundle_edit "$BUNDLE" '.process.args = ["/no/such/program"]'
        run in_private_ns '
                if "$RT" --root "$TEST_ROOT" create -b "$BUNDLE" "$ID" </dev/null; then echo "create passed"; fi
                echo "left: $('"$bundle_mounts"')"
                echo "state: $(ls "$TEST_ROOT")"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"exec '/no/such/program'"* ]]
        [[ "$output" != *"create passed"* ]]
        [[ "$output" == *"left: "$'\n'"state: "* ]]
}

@test "no mount namespace: a rootfs on a shared mount is refused, nothing propagates" {
        run in_private_ns '
                mount --bind "$BUNDLE" "$BUNDLE"
                mount --make-shared "$BUNDLE"
                before=$(grep -cF " $BUNDLE" /proc/self/mountinfo)
                if "$RT" --root "$TEST_ROOT" run -b "$BUNDLE" "$ID" true; then echo "run passed"; fi
                echo "mounts: $before $(grep -cF " $BUNDLE" /proc/self/mountinfo)"
                umount "$BUNDLE"
                echo "state: $(ls "$TEST_ROOT")"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *"run passed"* ]]
        [[ "$output" == *'linux.namespaces has no "mount"'*"is on the shared mount '$BUNDLE'"* ]]
        [[ "$output" == *"mounts: 1 1"* ]]
        [[ "$output" == *"state: "* ]]
        [ "${lines[-1]}" = "state: " ]
}

@test "no mount namespace: maskedPaths, readonlyPaths and rootfsPropagation are refused by name" {
        local field value
        cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/saved.json"
        for field in maskedPaths readonlyPaths rootfsPropagation; do
                case $field in
                rootfsPropagation) value='"private"' ;;
                *) value='["/proc/kcore"]' ;;
                esac
                cp "$BATS_TEST_TMPDIR/saved.json" "$BUNDLE/config.json"
                bundle_edit "$BUNDLE" ".linux.$field = $value"
                run in_private_ns '"$RT" --root "$TEST_ROOT" run -b "$BUNDLE" "$ID" true'
                echo "$field: $output"
                [ "$status" -ne 0 ]
                [[ "$output" == *"linux.$field needs a mount namespace"* ]]
        done
        [ -z "$(ls "$TEST_ROOT" 2>/dev/null)" ]
}

@test "no mount namespace: delete from another mount namespace detaches the bind where it was made" {
        local ready=$BATS_TEST_TMPDIR/ready done=$BATS_TEST_TMPDIR/done out=$BATS_TEST_TMPDIR/ns.out
        export ready done
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "60"]'
        in_private_ns '
                "$RT" --root "$TEST_ROOT" create -b "$BUNDLE" "$ID" </dev/null >/dev/null
                echo "before: $(grep -cF " $BUNDLE" /proc/self/mountinfo)"
                touch "$ready"
                while [ ! -e "$done" ]; do sleep 0.1; done
                echo "left: $('"$bundle_mounts"')"' >"$out" 2>&1 &
        wait_for test -e "$ready"
        # Here, outside that namespace, the bundle has no mount at all.
        ! grep -qF " $BUNDLE" /proc/self/mountinfo
        rt delete --force "$ID"
        touch "$done"
        wait
        cat "$out"
        [[ "$(head -1 "$out")" =~ ^before:\ [1-9] ]]
        [ "$(tail -1 "$out")" = "left: " ]
}

@test "no mount namespace: a second container on the same rootfs covers the first's bind; deletes in reverse order" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "60"]'
        run in_private_ns '
                "$RT" --root "$TEST_ROOT" create -b "$BUNDLE" "$ID-a" </dev/null >/dev/null
                "$RT" --root "$TEST_ROOT" create -b "$BUNDLE" "$ID-b" </dev/null >/dev/null
                if "$RT" --root "$TEST_ROOT" delete --force "$ID-a"; then echo "first delete passed"; fi
                "$RT" --root "$TEST_ROOT" delete --force "$ID-b"
                "$RT" --root "$TEST_ROOT" delete --force "$ID-a"
                echo "left: $('"$bundle_mounts"')"
                echo "state: $(ls "$TEST_ROOT")"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *"first delete passed"* ]]
        [[ "$output" == *"is covered by another mount"* ]]
        [ "${lines[-2]}" = "left: " ]
        [ "${lines[-1]}" = "state: " ]
}

#!/usr/bin/env bats
# OCI hooks: all six kinds, in order, with the state on stdin, args, env, timeouts and failures.

load runtime-helpers

setup() {
        runtime_setup
        LOG=$BUNDLE/rootfs/hooklog
}

teardown() {
        runtime_teardown
}

# hook KIND: a hook that appends its kind and its stdin (the state) to the log, in host paths.
hook() {
        jq -n --arg kind "$1" --arg log "$LOG" \
                '{path: "/bin/sh", args: ["sh", "-c", "printf \"%s \" \"$0\" >>\"$1\"; cat >>\"$1\"; echo >>\"$1\"", $kind, $log]}'
}

@test "all six hook kinds run in order with the state on stdin" {
        local h
        h=$(jq -n --argjson pre "$(hook prestart)" --argjson cr "$(hook createRuntime)" \
                --argjson cc "$(hook createContainer)" --argjson ps "$(hook poststart)" --argjson pst "$(hook poststop)" \
                '{prestart: [$pre], createRuntime: [$cr], createContainer: [$cc], poststart: [$ps], poststop: [$pst],
                  startContainer: [{path: "/bin/sh", args: ["sh", "-c", "printf \"startContainer \" >>/hooklog; cat >>/hooklog; echo >>/hooklog"]}]}')
        bundle_edit "$BUNDLE" ".process.args = [\"sleep\", \"1000\"] | .hooks = $h"
        rt create -b "$BUNDLE" "$ID"
        [ "$(awk '{print $1}' "$LOG" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]
        rt start "$ID"
        wait_for grep -q poststart "$LOG"
        wait_for grep -q startContainer "$LOG"
        rt kill "$ID" KILL
        wait_for sh -c "[ \"\$($RT --root $TEST_ROOT state $ID | jq -r .status)\" = stopped ]"
        rt delete "$ID"
        [ "$(awk '{print $1}' "$LOG" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart poststop " ]
        local pid
        # The state each hook saw: id, bundle, status and pid.
        [ "$(grep ^prestart "$LOG" | cut -d' ' -f2- | jq -r .status)" = created ]
        [ "$(grep ^createRuntime "$LOG" | cut -d' ' -f2- | jq -r .id)" = "$ID" ]
        [ "$(grep ^createContainer "$LOG" | cut -d' ' -f2- | jq -r .bundle)" = "$BUNDLE" ]
        [ "$(grep ^poststart "$LOG" | cut -d' ' -f2- | jq -r .status)" = running ]
        [ "$(grep ^poststop "$LOG" | cut -d' ' -f2- | jq -r .status)" = stopped ]
        pid=$(grep ^prestart "$LOG" | cut -d' ' -f2- | jq .pid)
        [ "$pid" -gt 0 ]
        [ "$(grep ^poststart "$LOG" | cut -d' ' -f2- | jq .pid)" = "$pid" ]
}

@test "createContainer and startContainer hooks run in the container's namespaces" {
        bundle_edit "$BUNDLE" ".process.args = [\"true\"] | .hooks = {
                createContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"readlink /proc/self/ns/uts >$LOG.cc; hostname >>$LOG.cc\"]}],
                createRuntime: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"readlink /proc/self/ns/uts >$LOG.cr\"]}],
                startContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"hostname >/sc; readlink /proc/self/ns/mnt >>/sc\"]}]} | .hostname = \"hooked\""
        rt run -b "$BUNDLE" "$ID"
        [ "$(head -1 "$LOG.cr")" = "$(readlink /proc/self/ns/uts)" ]
        [ "$(head -1 "$LOG.cc")" != "$(readlink /proc/self/ns/uts)" ]
        [ "$(sed -n 2p "$LOG.cc")" = hooked ]
        [ "$(head -1 "$BUNDLE/rootfs/sc")" = hooked ]
        [ "$(sed -n 2p "$BUNDLE/rootfs/sc")" != "$(readlink /proc/self/ns/mnt)" ]
}

@test "hook args and env are passed as given" {
        bundle_edit "$BUNDLE" ".process.args = [\"true\"] | .hooks.prestart = [{path: \"/bin/sh\", args: [\"zero\", \"-c\", \"echo \$0 \$HOOKVAR >$LOG\", \"one\"], env: [\"HOOKVAR=v1\"]}]"
        rt run -b "$BUNDLE" "$ID"
        [ "$(cat "$LOG")" = "one v1" ]
}

@test "a failing prestart hook fails create, names the hook and leaves nothing behind" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .hooks.prestart = [{path: "/bin/true"}, {path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
        run rt create -b "$BUNDLE" "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"prestart hook[1] '/bin/sh'"* ]]
        [[ "$output" == *"status 3"* ]]
        [ ! -e "$TEST_ROOT/$ID" ]
}

@test "failing createRuntime, createContainer and startContainer hooks fail the container" {
        local kind
        for kind in createRuntime createContainer; do
                bundle_edit "$BUNDLE" ".process.args = [\"true\"] | .hooks = {$kind: [{path: \"/bin/false\"}]}"
                run rt run -b "$BUNDLE" "$ID"
                [ "$status" -eq 1 ]
                [[ "$output" == *"$kind hook[0] '/bin/false'"* ]]
                [ ! -e "$TEST_ROOT/$ID" ]
        done
        bundle_edit "$BUNDLE" '.process.args = ["echo", "never"] | .hooks = {startContainer: [{path: "/bin/false"}]}'
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -ne 0 ]
        [[ "$output" == *"startContainer hook[0]"* ]]
        [[ "$output" != *never* ]]
        [ ! -e "$TEST_ROOT/$ID" ]
}

@test "a hook over its timeout is killed and the error names it" {
        bundle_edit "$BUNDLE" '.process.args = ["true"] | .hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30.0417"], timeout: 1}]'
        run rt run -b "$BUNDLE" "$ID"
        [ "$status" -eq 1 ]
        [[ "$output" == *"createRuntime hook[0] '/bin/sleep'"* ]]
        [[ "$output" == *"timed out after 1 s"* ]]
        ! pgrep -f "^sleep 30.0417$"
}

@test "failing poststart and poststop hooks are warnings only" {
        bundle_edit "$BUNDLE" '.process.args = ["sleep", "1000"] | .hooks = {poststart: [{path: "/bin/false"}], poststop: [{path: "/bin/false"}]}'
        rt create -b "$BUNDLE" "$ID"
        run rt start "$ID"
        [ "$status" -eq 0 ]
        [[ "$output" == *"poststart hook[0]"* ]]
        [ "$(container_status "$ID")" = running ]
        run rt delete --force "$ID"
        [ "$status" -eq 0 ]
        [[ "$output" == *"poststop hook[0]"* ]]
        [ ! -e "$TEST_ROOT/$ID" ]
}

@test "createContainer hooks run after the container's mounts and before pivot_root" {
        # The hook runs in the container's mount namespace with the host's paths: the tmpfs from
        # config.json must already be mounted on the rootfs, and the old root still be "/".
        local check hk
        check="grep -q ' $BUNDLE/rootfs/hookcheck ' /proc/self/mountinfo && test -d '$BUNDLE' && echo mounted >'$LOG'"
        hk=$(jq -c -n --arg c "$check" '[{path: "/bin/sh", args: ["sh", "-c", $c]}]')
        bundle_edit "$BUNDLE" ".process.args = [\"true\"] | .mounts += [{destination: \"/hookcheck\", type: \"tmpfs\", source: \"tmpfs\"}] | .hooks.createContainer = $hk"
        rt run -b "$BUNDLE" "$ID"
        [ "$(cat "$LOG")" = mounted ]
}

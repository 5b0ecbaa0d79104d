#!/bin/bash
# hooks: every kind runs, in order, with the state on stdin, args and env;
# a failing prestart/createRuntime hook makes create fail and leaves nothing.
. "$(dirname "$0")/lib.sh"

log=$WORK/hooks.log
: >"$log"
# The hook appends "<kind> <arg> <HOOK_ENV> <status from stdin> <id from stdin>".
cat >"$WORK/hook.sh" <<HOOK
s=\$(cat)
echo "\$1 \$2 \$HOOK_ENV \$(echo "\$s" | jq -r .status) \$(echo "\$s" | jq -r .id)" >>"$log"
HOOK
hook() { # kind
        jq -n --arg k "$1" --arg script "$WORK/hook.sh" \
                '{"path": "/bin/sh", "args": ["sh", $script, $k, "arg1"], "env": ["HOOK_ENV=env-ok", "PATH=/usr/bin:/bin"], "timeout": 10}'
}
# (startContainer runs inside the container, where the host's script is not:
# it has its own check below.)
new_bundle '.hooks = {"prestart": [$a], "createRuntime": [$b], "createContainer": [$c], "poststart": [$e], "poststop": [$f]}' \
        --argjson a "$(hook prestart)" --argjson b "$(hook createRuntime)" --argjson c "$(hook createContainer)" \
        --argjson e "$(hook poststart)" --argjson f "$(hook poststop)"
args sleep 60
create_ct
expect "create exits 0" 0 "$RC" "$(diag_err)"
rt start "$ID" >/dev/null 2>&1
wait_status "$ID" running
sleep 0.5
rt delete --force "$ID" >/dev/null 2>&1
kinds=$(cut -d' ' -f1 "$log" | paste -sd' ')
expect "hooks run in order: prestart createRuntime createContainer poststart poststop" \
        "prestart createRuntime createContainer poststart poststop" "$kinds" "log: $(cat "$log")"
expect "a hook gets its args and env" "arg1 env-ok" "$(awk '$1 == "poststart" {print $2, $3}' "$log")"
# prestart runs inside the create operation: "creating" or "created" are both fair.
st=$(awk '$1 == "prestart" {print $4, $5}' "$log")
case "$st" in "creating $ID" | "created $ID") ok "prestart hooks get state on stdin" ;;
*) notok "prestart hooks get state on stdin" "got: $st" ;; esac
expect "poststart hooks get state on stdin (status running)" "running $ID" "$(awk '$1 == "poststart" {print $4, $5}' "$log")"
st=$(awk '$1 == "poststop" {print $4}' "$log")
case "$st" in stopped | running) ok "poststop hooks get state on stdin" ;; *) notok "poststop hooks get state on stdin" "log: $(cat "$log")" ;; esac

# startContainer runs inside the container, after the mounts, before the user program.
new_bundle '.hooks = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo in-container >/hook-ran"]}]}'
run_ct cat /hook-ran
expect "startContainer runs in the container before the process" in-container "$OUT" "$(diag_err)"

# A failing prestart hook: create (or run) fails, no container remains.
new_bundle '.hooks = {"prestart": [{"path": "/bin/false"}]}'
run_ct sh -c 'echo should-not-run'
[ "$RC" -ne 0 ] && ok "a failing prestart hook makes run fail" || notok "a failing prestart hook makes run fail"
[ "$OUT" != should-not-run ] && ok "the process does not run after a failing prestart hook" ||
        notok "the process does not run after a failing prestart hook"
[ -z "$(rt list -q 2>/dev/null)" ] && ok "a failing hook leaves no container" || notok "a failing hook leaves no container" "$(rt list 2>&1)"

new_bundle '.hooks = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "exec sleep 30"], "timeout": 1}]}'
args true
start=$(date +%s)
create_ct
end=$(date +%s)
[ "$RC" -ne 0 ] && ok "a hook past its timeout makes create fail" || notok "a hook past its timeout makes create fail"
[ $((end - start)) -lt 20 ] && ok "the hook is killed at its timeout" || notok "the hook is killed at its timeout" "create took $((end - start)) s"

# A failing poststart hook: the spec says log a warning and go on; a failing
# poststop hook likewise.
new_bundle '.hooks = {"poststop": [{"path": "/bin/false"}]}'
run_ct true
expect "a failing poststop hook does not fail the container" 0 "$RC" "$(diag_err)"

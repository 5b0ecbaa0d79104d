#!/bin/bash
# exec (runc CLI, used by containerd and podman): a process in a running
# container's namespaces, with args, env, cwd and user; its exit status.
. "$(dirname "$0")/lib.sh"

new_bundle '.hostname = "exec-target"'
args sleep 60
create_ct
rt start "$ID" >/dev/null 2>&1
wait_status "$ID" running
RC=0
OUT=$(timeout 30 "$RUNTIME" --root "$STATE" exec --env FOO=bar --cwd /tmp "$ID" sh -c 'hostname; echo "$FOO"; pwd' </dev/null 2>"$WORK/exec.err") || RC=$?
expect "exec exits 0" 0 "$RC" "$(cat "$WORK/exec.err")"
expect "exec runs in the container with env and cwd" "exec-target
bar
/tmp" "$OUT"
RC=0
timeout 30 "$RUNTIME" --root "$STATE" exec "$ID" sh -c 'exit 3' </dev/null >/dev/null 2>&1 || RC=$?
expect "exec returns the process's exit status" 3 "$RC"
OUT=$(timeout 30 "$RUNTIME" --root "$STATE" exec --user 1000:1000 "$ID" id -u </dev/null 2>&1)
expect "exec --user" 1000 "$OUT"
printf '{"args": ["sh", "-c", "echo from-process-json"], "cwd": "/", "env": ["PATH=/bin:/usr/bin"], "user": {"uid": 0, "gid": 0}}' >"$WORK/process.json"
OUT=$(timeout 30 "$RUNTIME" --root "$STATE" exec --process "$WORK/process.json" "$ID" </dev/null 2>&1)
expect "exec --process FILE" from-process-json "$OUT"

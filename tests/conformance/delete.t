#!/bin/bash
# delete: refuses a running container without --force, removes a stopped one,
# --force kills and removes a running one; nothing of it remains.
. "$(dirname "$0")/lib.sh"

RC=0
rt delete "conf-no-such-$$" >/dev/null 2>&1 || RC=$?
[ "$RC" -ne 0 ] && ok "delete of an unknown id fails" || notok "delete of an unknown id fails"

new_bundle
args sleep 60
create_ct
rt start "$ID" >/dev/null 2>&1
wait_status "$ID" running
pid=$(state_field "$ID" pid)
RC=0
rt delete "$ID" >/dev/null 2>&1 || RC=$?
[ "$RC" -ne 0 ] && ok "delete of a running container fails" || notok "delete of a running container fails"
RC=0
rt delete --force "$ID" >/dev/null 2>"$WORK/del.err" || RC=$?
expect "delete --force exits 0" 0 "$RC" "$(cat "$WORK/del.err")"
rt state "$ID" >/dev/null 2>&1 && notok "the container is gone" || ok "the container is gone"
case "$pid" in '' | null | *[!0-9]*) pid=none ;; esac
for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
[ -d "/proc/$pid" ] && [ "$(cat /proc/$pid/stat 2>/dev/null | cut -d' ' -f3)" != Z ] &&
        notok "its process is gone" "pid $pid still alive" || ok "its process is gone"

new_bundle
args true
create_ct
RC=0
rt delete "$ID" >/dev/null 2>"$WORK/del2.err" || RC=$?
expect "delete of a created (never started) container exits 0" 0 "$RC" "$(cat "$WORK/del2.err")"
rt state "$ID" >/dev/null 2>&1 && notok "the created container is gone" || ok "the created container is gone"

new_bundle
args true
create_ct
rt start "$ID" >/dev/null 2>&1
wait_status "$ID" stopped
RC=0
rt delete "$ID" >/dev/null 2>"$WORK/del3.err" || RC=$?
expect "delete of a stopped container exits 0" 0 "$RC" "$(cat "$WORK/del3.err")"

#!/bin/bash
# start: runs the user program of a created container; starting an unknown or
# already started container fails.
. "$(dirname "$0")/lib.sh"

RC=0
rt start "conf-no-such-$$" >/dev/null 2>&1 || RC=$?
[ "$RC" -ne 0 ] && ok "start of an unknown id fails" || notok "start of an unknown id fails"

new_bundle
args sh -c 'echo started >/started; sleep 60'
create_ct
expect "create exits 0" 0 "$RC" "$(diag_err)"
RC=0
rt start "$ID" >/dev/null 2>"$WORK/start.err" || RC=$?
expect "start exits 0" 0 "$RC" "$(cat "$WORK/start.err")"
wait_status "$ID" running
expect "state is running" running "$(state_field "$ID" status)"
wait_file "$B/rootfs/started"
[ -e "$B/rootfs/started" ] && ok "the user program runs after start" || notok "the user program runs after start"
RC=0
rt start "$ID" >/dev/null 2>&1 || RC=$?
[ "$RC" -ne 0 ] && ok "a second start fails" || notok "a second start fails"

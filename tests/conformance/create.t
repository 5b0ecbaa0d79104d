#!/bin/bash
# create: the container exists in state "created" and its process has not run
# the user program; a duplicate id and a bad bundle are refused.
. "$(dirname "$0")/lib.sh"

new_bundle
args sh -c 'echo started >/started; sleep 60'
create_ct
expect "create exits 0" 0 "$RC" "$(diag_err)"
expect "state is created" created "$(state_field "$ID" status)"
expect "state reports the id" "$ID" "$(state_field "$ID" id)"
pid=$(state_field "$ID" pid)
if [ -n "$pid" ] && [ "$pid" != null ] && [ "$pid" -gt 0 ] 2>/dev/null && [ -d "/proc/$pid" ]; then
        ok "state reports the pid of a live process"
else
        notok "state reports the pid of a live process" "pid: $pid"
fi
[ ! -e "$B/rootfs/started" ] && ok "the user program has not run before start" ||
        notok "the user program has not run before start"

old=$B
old_id=$ID
RC=0
rt create --bundle "$old" "$old_id" </dev/null >/dev/null 2>"$WORK/dup.err" || RC=$?
[ "$RC" -ne 0 ] && ok "create with a duplicate id fails" || notok "create with a duplicate id fails"
expect "the first container is untouched" created "$(state_field "$old_id" status)"
rt delete --force "$old_id" >/dev/null 2>&1

new_bundle
rm -rf "$B/rootfs"
create_ct
[ "$RC" -ne 0 ] && ok "create with a missing rootfs fails" || notok "create with a missing rootfs fails"
rt state "$ID" >/dev/null 2>&1 && notok "a failed create leaves no container" "state $ID succeeds" ||
        ok "a failed create leaves no container"

new_bundle
echo '{"ociVersion": "1.0.2", "process": ' >"$B/config.json"
create_ct
[ "$RC" -ne 0 ] && ok "create with invalid config.json fails" || notok "create with invalid config.json fails"
[ -n "$ERR" ] && ok "and says why on stderr" || notok "and says why on stderr"

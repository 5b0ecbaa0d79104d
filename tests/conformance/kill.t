#!/bin/bash
# kill: signals by name and number reach the container's process; kill of an
# unknown id fails; a stopped container's state says so.
. "$(dirname "$0")/lib.sh"

RC=0
rt kill "conf-no-such-$$" TERM >/dev/null 2>&1 || RC=$?
[ "$RC" -ne 0 ] && ok "kill of an unknown id fails" || notok "kill of an unknown id fails"

# A process that records the signal it got (pid 1 ignores signals it has no handler for).
new_bundle
args sh -c 'trap "echo USR1 >/got; exit 0" USR1; trap "echo TERM >/got; exit 0" TERM; echo ready >/ready; while :; do sleep 0.1; done'
create_ct
rt start "$ID" >/dev/null 2>&1
wait_file "$B/rootfs/ready"
RC=0
rt kill "$ID" USR1 >/dev/null 2>"$WORK/kill.err" || RC=$?
expect "kill by name exits 0" 0 "$RC" "$(cat "$WORK/kill.err")"
wait_file "$B/rootfs/got"
expect "the process got SIGUSR1" USR1 "$(cat "$B/rootfs/got" 2>/dev/null)"
wait_status "$ID" stopped
expect "stopped after the process exits" stopped "$(state_field "$ID" status)"
rt delete "$ID" >/dev/null 2>&1

for sig in TERM SIGTERM 15; do
        new_bundle
        args sh -c 'trap "echo TERM >/got; exit 0" TERM; echo ready >/ready; while :; do sleep 0.1; done'
        create_ct
        rt start "$ID" >/dev/null 2>&1
        wait_file "$B/rootfs/ready"
        rt kill "$ID" "$sig" >/dev/null 2>&1
        wait_file "$B/rootfs/got"
        expect "signal given as '$sig' is delivered" TERM "$(cat "$B/rootfs/got" 2>/dev/null)"
        rt delete --force "$ID" >/dev/null 2>&1
done

new_bundle
args sleep 60
create_ct
rt start "$ID" >/dev/null 2>&1
rt kill "$ID" KILL >/dev/null 2>&1
wait_status "$ID" stopped
expect "SIGKILL stops the container" stopped "$(state_field "$ID" status)"

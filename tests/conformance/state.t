#!/bin/bash
# state: the fields of the state document across the life of a container.
. "$(dirname "$0")/lib.sh"

RC=0
rt state "conf-no-such-$$" >/dev/null 2>&1 || RC=$?
[ "$RC" -ne 0 ] && ok "state of an unknown id fails" || notok "state of an unknown id fails"

new_bundle '.annotations = {"org.example.key": "value"}'
args sh -c 'sleep 60'
create_ct
st=$(rt state "$ID" 2>&1)
jq -e . >/dev/null 2>&1 <<<"$st" && ok "state prints JSON" || notok "state prints JSON" "$st"
ver=$(jq -r .ociVersion <<<"$st" 2>/dev/null)
case "$ver" in 1.*) ok "ociVersion is 1.x" ;; *) notok "ociVersion is 1.x" "got: $ver" ;; esac
expect "bundle is the absolute bundle path" "$B" "$(jq -r .bundle <<<"$st" 2>/dev/null)"
expect "annotations are reported" value "$(jq -r '.annotations["org.example.key"]' <<<"$st" 2>/dev/null)"
rt start "$ID" >/dev/null 2>&1
wait_status "$ID" running
expect "running after start" running "$(state_field "$ID" status)"
rt kill "$ID" KILL >/dev/null 2>&1
wait_status "$ID" stopped
expect "stopped after its process dies" stopped "$(state_field "$ID" status)"

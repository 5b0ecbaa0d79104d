#!/bin/bash
# A time namespace with linux.timeOffsets shifts the monotonic and boottime clocks.
. "$(dirname "$0")/lib.sh"

if [ ! -e /proc/self/ns/time ]; then
        skip "time namespace with a boottime offset" "no time namespaces in this kernel"
        exit 0
fi
new_bundle '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}, "monotonic": {"secs": 86400, "nanosecs": 0}}'
run_ct sh -c 'readlink /proc/self/ns/time; cat /proc/uptime'
expect "process exits 0" 0 "$RC" "$(diag_err)"
ns=$(sed -n 1p <<<"$OUT")
[ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/time)" ] && ok "time namespace is new" ||
        notok "time namespace is new" "container: $ns"
up=$(sed -n 2p <<<"$OUT" | cut -d. -f1)
host=$(cut -d. -f1 /proc/uptime)
[ -n "$up" ] && [ "$up" -ge $((host + 86000)) ] 2>/dev/null && ok "uptime shows the boottime offset" ||
        notok "uptime shows the boottime offset" "container uptime: $up host: $host"

#!/bin/bash
# linux.sysctl: namespaced sysctls are written in the container only.
. "$(dirname "$0")/lib.sh"

host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
want_fwd=$((1 - host_fwd))
new_bundle '.linux.sysctl = {"net.ipv4.ip_forward": $f, "kernel.shmmni": "1234"}' --arg f "$want_fwd"
run_ct sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "sysctls are set" "$want_fwd
1234" "$OUT"
expect "the host's value is unchanged" "$host_fwd" "$(cat /proc/sys/net/ipv4/ip_forward)"

new_bundle '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
run_ct true
[ "$RC" -ne 0 ] && ok "a net sysctl without a network namespace is refused" ||
        notok "a net sysctl without a network namespace is refused"

#!/bin/bash
# hostname and domainname are set in the container's UTS namespace.
. "$(dirname "$0")/lib.sh"

new_bundle '.hostname = "hostname-specific"'
run_ct hostname
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "hostname is set" hostname-specific "$OUT"

new_bundle '.domainname = "example.test"'
run_ct cat /proc/sys/kernel/domainname
expect "domainname is set" example.test "$OUT" "$(diag_err)"

new_bundle 'del(.hostname)'
run_ct hostname
expect "no hostname: process runs" 0 "$RC" "$(diag_err)"

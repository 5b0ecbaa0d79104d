#!/bin/bash
# process.capabilities: each of the five sets is what the config says.
. "$(dirname "$0")/lib.sh"

# capability numbers: CAP_CHOWN 0, CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_SYS_ADMIN 21
new_bundle '.process.capabilities = {
        "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"],
        "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "effective": ["CAP_CHOWN", "CAP_KILL"],
        "inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
        "ambient": ["CAP_KILL"]}
        | .process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
run_ct sh -c 'grep ^Cap /proc/self/status'
expect "process exits 0" 0 "$RC" "$(diag_err)"
# A non-root user keeps only its ambient set across execve of a file without
# file capabilities: permitted = effective = ambient = {CAP_KILL}.
expect "bounding set" 0000000000200421 "$(awk '$1 == "CapBnd:" {print $2}' <<<"$OUT")"
expect "inheritable set" 0000000000000420 "$(awk '$1 == "CapInh:" {print $2}' <<<"$OUT")"
expect "ambient set" 0000000000000020 "$(awk '$1 == "CapAmb:" {print $2}' <<<"$OUT")"
expect "permitted set (ambient after execve)" 0000000000000020 "$(awk '$1 == "CapPrm:" {print $2}' <<<"$OUT")"
expect "effective set (ambient after execve)" 0000000000000020 "$(awk '$1 == "CapEff:" {print $2}' <<<"$OUT")"

new_bundle '.process.capabilities = {"bounding": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"]}'
run_ct sh -c 'grep ^Cap /proc/self/status'
# root (no user namespace) gets its bounding set back as permitted on execve.
expect "root's permitted set is its bounding set" 0000000000000001 "$(awk '$1 == "CapPrm:" {print $2}' <<<"$OUT")" "$(diag_err)"
expect "effective set for root" 0000000000000001 "$(awk '$1 == "CapEff:" {print $2}' <<<"$OUT")"
expect "bounding set for root" 0000000000000001 "$(awk '$1 == "CapBnd:" {print $2}' <<<"$OUT")"

new_bundle '.process.capabilities.bounding += ["CAP_NO_SUCH_THING"]'
run_ct true
# runtime-spec: a capability that cannot be mapped is logged as a warning, and
# runtimes SHOULD NOT fail for it.
expect "an unknown capability name does not stop the container" 0 "$RC" "$(diag_err)"

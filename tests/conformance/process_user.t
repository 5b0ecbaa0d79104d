#!/bin/bash
# process.user: uid, gid, additionalGids and umask.
. "$(dirname "$0")/lib.sh"

new_bundle '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6], "umask": 63}'
run_ct sh -c 'id -u; id -g; cat /proc/self/status | grep ^Groups: | tr -s "\t " " "; umask'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "uid is set" 1000 "$(sed -n 1p <<<"$OUT")"
expect "gid is set" 1001 "$(sed -n 2p <<<"$OUT")"
expect "additionalGids are set" "Groups: 5 6 " "$(sed -n 3p <<<"$OUT")"
expect "umask is set" 0077 "$(sed -n 4p <<<"$OUT")"

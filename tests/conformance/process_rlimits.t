#!/bin/bash
# process.rlimits: soft and hard limits; an unknown type is refused.
. "$(dirname "$0")/lib.sh"

new_bundle '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
run_ct sh -c 'ulimit -Sn; ulimit -Hn; ulimit -Sc; ulimit -Hc; ulimit -Su; ulimit -Hu'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "RLIMIT_NOFILE soft/hard" "512 768" "$(sed -n 1,2p <<<"$OUT" | paste -sd' ')"
expect "RLIMIT_CORE soft/hard" "0 0" "$(sed -n 3,4p <<<"$OUT" | paste -sd' ')"
expect "RLIMIT_NPROC soft/hard" "300 400" "$(sed -n 5,6p <<<"$OUT" | paste -sd' ')"

new_bundle '.process.rlimits = [{"type": "RLIMIT_NO_SUCH", "soft": 1, "hard": 1}]'
run_ct true
[ "$RC" -ne 0 ] && ok "an unknown rlimit type is refused" || notok "an unknown rlimit type is refused"

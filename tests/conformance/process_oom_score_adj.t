#!/bin/bash
# process.oomScoreAdj is applied.
. "$(dirname "$0")/lib.sh"

new_bundle '.process.oomScoreAdj = 500'
run_ct cat /proc/self/oom_score_adj
expect "oom_score_adj is set" 500 "$OUT" "$(diag_err)"

#!/bin/bash
# linux.resources.pids.limit is applied and enforced.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.cgroupsPath = "\($cg)/\($id)" | .linux.resources.pids = {"limit": 8}' --arg id "conf-$$-cg" --arg cg "$CG_PARENT"
args sleep 60
create_ct
expect "create exits 0" 0 "$RC" "$(diag_err)"
pid=$(state_field "$ID" pid)
dir=$(host_cgroup_dir "$pid" pids)
expect "pids.max" 8 "$(cat "$dir/pids.max" 2>/dev/null)" "cgroup dir: $dir"
rt delete --force "$ID" >/dev/null 2>&1

new_bundle '.linux.cgroupsPath = "\($cg)/\($id)-2" | .linux.resources.pids = {"limit": 4}' --arg id "conf-$$-cg" --arg cg "$CG_PARENT"
run_ct sh -c 'for i in 1 2 3 4 5 6; do sleep 5 & done; echo all-forked'
case "$OUT/$ERR" in *all-forked*) notok "forks beyond the limit fail" "out: $OUT" "$(diag_err)" ;;
*"can't fork"* | *"Resource temporarily unavailable"*) ok "forks beyond the limit fail" ;;
*) notok "forks beyond the limit fail" "out: $OUT" "$(diag_err)" ;; esac

#!/bin/bash
# linux.resources.cpu: shares, quota/period and cpuset.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.cgroupsPath = "\($cg)/\($id)" | .linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}' --arg id "conf-$$-cg" --arg cg "$CG_PARENT"
args sleep 60
create_ct
expect "create exits 0" 0 "$RC" "$(diag_err)"
pid=$(state_field "$ID" pid)
cpu=$(host_cgroup_dir "$pid" cpu)
cpuset=$(host_cgroup_dir "$pid" cpuset)
if [ -f "$cpu/cpu.shares" ]; then
        expect "cpu.shares" 512 "$(cat "$cpu/cpu.shares")"
        expect "cpu.cfs_quota_us" 50000 "$(cat "$cpu/cpu.cfs_quota_us")"
        expect "cpu.cfs_period_us" 100000 "$(cat "$cpu/cpu.cfs_period_us")"
        expect "cpuset.cpus" 0 "$(cat "$cpuset/cpuset.cpus" 2>/dev/null)"
        expect "cpuset.mems" 0 "$(cat "$cpuset/cpuset.mems" 2>/dev/null)"
elif [ -f "$cpu/cpu.max" ]; then
        expect "cpu.max" "50000 100000" "$(cat "$cpu/cpu.max")"
        expect "cpuset.cpus" 0 "$(cat "$cpu/cpuset.cpus" 2>/dev/null)"
else
        notok "the container has a cpu cgroup" "pid $pid cgroup dir: $cpu"
fi

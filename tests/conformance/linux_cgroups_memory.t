#!/bin/bash
# linux.resources.memory: limit, reservation and swap reach the container's cgroup.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.cgroupsPath = "\($cg)/\($id)" | .linux.resources.memory = {"limit": 67108864, "reservation": 33554432}' --arg id "conf-$$-cg" --arg cg "$CG_PARENT"
args sleep 60
create_ct
expect "create exits 0" 0 "$RC" "$(diag_err)"
pid=$(state_field "$ID" pid)
dir=$(host_cgroup_dir "$pid" memory)
if [ -f "$dir/memory.limit_in_bytes" ]; then
        expect "memory.limit_in_bytes" 67108864 "$(cat "$dir/memory.limit_in_bytes")"
        expect "memory.soft_limit_in_bytes" 33554432 "$(cat "$dir/memory.soft_limit_in_bytes")"
elif [ -f "$dir/memory.max" ]; then
        expect "memory.max" 67108864 "$(cat "$dir/memory.max")"
        expect "memory.low" 33554432 "$(cat "$dir/memory.low")"
else
        notok "the container has a memory cgroup" "pid $pid cgroup dir: $dir"
fi
rt delete --force "$ID" >/dev/null 2>&1
[ -d "$dir" ] && notok "delete removes the cgroup" "$dir still exists" || ok "delete removes the cgroup"

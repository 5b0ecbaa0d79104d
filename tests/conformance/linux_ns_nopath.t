#!/bin/bash
# linux.namespaces without a path: each listed type is new, the others are the host's.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.namespaces = [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]'
run_ct sh -c 'for n in pid net ipc uts mnt cgroup user; do echo "$n $(readlink /proc/self/ns/$n)"; done'
expect "process exits 0" 0 "$RC" "$(diag_err)"
for n in pid net ipc uts mnt cgroup; do
        in=$(awk -v n="$n" '$1 == n {print $2}' <<<"$OUT")
        [ -n "$in" ] && [ "$in" != "$(readlink /proc/self/ns/$n)" ] && ok "$n namespace is new" ||
                notok "$n namespace is new" "container: $in host: $(readlink /proc/self/ns/$n)"
done
expect "user namespace is the host's (not listed)" "$(readlink /proc/self/ns/user)" "$(awk '$1 == "user" {print $2}' <<<"$OUT")"


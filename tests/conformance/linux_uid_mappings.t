#!/bin/bash
# linux.uidMappings/gidMappings with a user namespace.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
chown -R 100000:200000 "$B/rootfs"
run_ct sh -c 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " " "; id -u'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "uid_map and gid_map are written" " 0 100000 65536
 0 200000 65536
0" "$OUT"

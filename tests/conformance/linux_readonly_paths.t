#!/bin/bash
# linux.readonlyPaths: writes fail under them, reads work; absent paths are ignored.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.readonlyPaths = ["/ro-dir", "/ro-file", "/does/not/exist"]'
mkdir -p "$B/rootfs/ro-dir"
echo data >"$B/rootfs/ro-file"
run_ct sh -c 'cat /ro-file; touch /ro-dir/x 2>/dev/null && echo dir-writable; echo x >>/ro-file 2>/dev/null && echo file-writable; touch /rw-ok && echo root-writable'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "read-only paths refuse writes, the rest stays writable" "data
root-writable" "$OUT"

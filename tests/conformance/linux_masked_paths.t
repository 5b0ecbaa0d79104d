#!/bin/bash
# linux.maskedPaths: files read empty, directories are empty; absent paths are ignored.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.maskedPaths = ["/proc/kcore", "/sys/firmware", "/masked-file", "/masked-dir", "/does/not/exist"]'
echo secret >"$B/rootfs/masked-file"
mkdir -p "$B/rootfs/masked-dir"
echo secret >"$B/rootfs/masked-dir/inner"
run_ct sh -c 'cat /masked-file; ls /masked-dir; echo changed > /masked-file 2>/dev/null; ls /sys/firmware | wc -l; cat /proc/kcore | wc -c; echo end'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "masked files and directories read empty" "0
0
end" "$OUT"
expect "a write to a masked file does not reach it" secret "$(cat "$B/rootfs/masked-file")"

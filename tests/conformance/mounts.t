#!/bin/bash
# mounts: tmpfs with options, bind mounts (read-only and read-write) and their order.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/host-dir"
echo from-host >"$WORK/host-dir/file"
new_bundle '.mounts += [
        {"destination": "/mnt/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=700", "nodev"]},
        {"destination": "/mnt/ro", "type": "bind", "source": $dir, "options": ["rbind", "ro"]},
        {"destination": "/mnt/rw", "type": "bind", "source": $dir, "options": ["bind", "rw"]},
        {"destination": "/mnt/tmp/inner", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}
]' --arg dir "$WORK/host-dir"
run_ct sh -c 'grep " /mnt/" /proc/mounts | cut -d" " -f2,3,4; stat -c %a /mnt/tmp; cat /mnt/ro/file;
        touch /mnt/ro/x 2>/dev/null && echo ro-writable || echo ro-readonly;
        touch /mnt/rw/y && echo rw-writable'
expect "process exits 0" 0 "$RC" "$(diag_err)"
mnt=$(grep '^/mnt/' <<<"$OUT")
tmp_opts=$(awk '$1 == "/mnt/tmp" {print $3}' <<<"$mnt")
case "$tmp_opts" in *size=1024k*nodev* | *nodev*size=1024k*) ok "tmpfs options are applied" ;; *) notok "tmpfs options are applied" "/mnt/tmp options: $tmp_opts" ;; esac
expect "tmpfs mode is applied" 700 "$(grep -x '[0-7]\{3\}' <<<"$OUT")"
expect "bind mount shows the host file" from-host "$(grep -x from-host <<<"$OUT")"
expect "ro bind mount is read-only" ro-readonly "$(grep '^ro-' <<<"$OUT")"
expect "rw bind mount is writable" rw-writable "$(grep '^rw-' <<<"$OUT")"
[ -e "$WORK/host-dir/y" ] && ok "write through the rw bind mount reaches the host" || notok "write through the rw bind mount reaches the host"
expect "mounts are made in order (nested tmpfs after its parent)" "/mnt/tmp/inner tmpfs" \
        "$(awk '$1 == "/mnt/tmp/inner" {print $1, $2}' <<<"$mnt")"

#!/bin/bash
# The default devices and /dev symlinks every Linux container has (runtime-spec
# config-linux "Default Devices" and "Default Filesystems"/dev symlinks).
. "$(dirname "$0")/lib.sh"

new_bundle
run_ct sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t,%T" /dev/$d; done;
        for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done'
expect "process exits 0" 0 "$RC" "$(diag_err)"
for want in "null 1,3" "zero 1,5" "full 1,7" "random 1,8" "urandom 1,9" "tty 5,0"; do
        set -- $want
        expect "/dev/$1 is the char device $2" "/dev/$1 character special file $2" "$(grep "^/dev/$1 " <<<"$OUT")"
done
expect "/dev/fd -> /proc/self/fd" "fd -> /proc/self/fd" "$(grep '^fd ' <<<"$OUT")"
expect "/dev/stdin -> /proc/self/fd/0" "stdin -> /proc/self/fd/0" "$(grep '^stdin ' <<<"$OUT")"
expect "/dev/stdout -> /proc/self/fd/1" "stdout -> /proc/self/fd/1" "$(grep '^stdout ' <<<"$OUT")"
expect "/dev/stderr -> /proc/self/fd/2" "stderr -> /proc/self/fd/2" "$(grep '^stderr ' <<<"$OUT")"
expect "/dev/ptmx -> pts/ptmx" "ptmx -> pts/ptmx" "$(grep '^ptmx ' <<<"$OUT")"

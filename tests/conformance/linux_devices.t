#!/bin/bash
# linux.devices: device nodes with type, numbers, mode and owner.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.devices = [
        {"path": "/dev/conf-null", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 12, "gid": 34},
        {"path": "/dev/sub/conf-zero", "type": "c", "major": 1, "minor": 5, "fileMode": 384}]
        | .linux.resources.devices = [{"allow": true, "access": "rwm"}]'
run_ct sh -c 'stat -c "%F %t,%T %a %u:%g" /dev/conf-null /dev/sub/conf-zero; echo hi >/dev/conf-null && echo wrote; head -c 4 /dev/sub/conf-zero | wc -c'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "device nodes have type, numbers, mode and owner; they work" "character special file 1,3 666 12:34
character special file 1,5 600 0:0
wrote
4" "$OUT"

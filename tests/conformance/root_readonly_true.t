#!/bin/bash
# root.readonly makes the root file system read-only; false leaves it writable.
. "$(dirname "$0")/lib.sh"

new_bundle '.root.readonly = true'
run_ct sh -c 'touch /newfile && echo writable || echo readonly'
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "root is read-only" readonly "$OUT"

new_bundle '.root.readonly = false'
run_ct sh -c 'touch /newfile && echo writable || echo readonly'
expect "root is writable when readonly is false" writable "$OUT" "$(diag_err)"

#!/bin/bash
# create --pid-file writes the pid of the container's process.
. "$(dirname "$0")/lib.sh"

new_bundle
args sleep 60
create_ct --pid-file "$WORK/ct.pid"
expect "create exits 0" 0 "$RC" "$(diag_err)"
expect "the pid file holds the state's pid" "$(state_field "$ID" pid)" "$(cat "$WORK/ct.pid" 2>/dev/null)"

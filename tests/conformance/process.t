#!/bin/bash
# process: args, env, cwd and the exit status of `run`.
. "$(dirname "$0")/lib.sh"

new_bundle '.process.env += ["CONFORMANCE=yes"] | .process.cwd = "/tmp/work"'
run_ct sh -c 'echo "$CONFORMANCE"; pwd; echo "$0 $1" ' a1 b2
expect "process exits 0" 0 "$RC" "$(diag_err)"
expect "args, env and cwd are applied" "yes
/tmp/work
a1 b2" "$OUT"

new_bundle
run_ct sh -c 'exit 7'
expect "run returns the process's exit status" 7 "$RC" "$(diag_err)"

new_bundle
run_ct /no/such/program
if [ "$RC" -ne 0 ]; then ok "a missing executable is an error"; else notok "a missing executable is an error"; fi

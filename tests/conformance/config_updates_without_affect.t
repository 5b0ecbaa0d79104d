#!/bin/bash
# Changes to config.json after create do not affect the created container.
. "$(dirname "$0")/lib.sh"

new_bundle '.hostname = "before"'
args sh -c 'hostname >/seen; echo "$VAR" >>/seen'
cfg '.process.env += ["VAR=before"]'
create_ct
expect "create exits 0" 0 "$RC" "$(diag_err)"
cfg '.hostname = "after" | .process.env = ["VAR=after"] | .process.args = ["sh", "-c", "echo changed >/seen"]'
rt start "$ID" >/dev/null 2>&1
for _ in $(seq 50); do [ -s "$B/rootfs/seen" ] && [ "$(wc -l <"$B/rootfs/seen")" -ge 2 ] && break; sleep 0.1; done
expect "the container runs with the config it was created from" "before
before" "$(cat "$B/rootfs/seen" 2>/dev/null)"

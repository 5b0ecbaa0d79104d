#!/bin/bash
# linux.namespaces with a path: the container joins the given namespace.
. "$(dirname "$0")/lib.sh"

# A holder process in new uts, ipc and net namespaces.
unshare --uts --ipc --net sh -c 'hostname holder-ns; exec sleep 300' &
holder=$!
trap 'kill $holder 2>/dev/null; wait $holder 2>/dev/null; finish' EXIT
for _ in $(seq 50); do [ "$(readlink /proc/$holder/ns/uts)" != "$(readlink /proc/self/ns/uts)" ] && break; sleep 0.1; done

new_bundle '.linux.namespaces = [{"type": "pid"}, {"type": "mount"},
        {"type": "uts", "path": "/proc/\($p)/ns/uts"}, {"type": "ipc", "path": "/proc/\($p)/ns/ipc"},
        {"type": "network", "path": "/proc/\($p)/ns/net"}] | del(.hostname)' --arg p "$holder"
run_ct sh -c 'for n in uts ipc net; do echo "$n $(readlink /proc/self/ns/$n)"; done; hostname'
expect "process exits 0" 0 "$RC" "$(diag_err)"
for n in uts ipc net; do
        expect "joins the $n namespace by path" "$(readlink /proc/$holder/ns/$n)" "$(awk -v n="$n" '$1 == n {print $2}' <<<"$OUT")"
done
expect "sees the joined namespace's hostname" holder-ns "$(tail -1 <<<"$OUT")"

new_bundle '.linux.namespaces += [{"type": "ipc", "path": "/proc/self/ns/net"}] | .linux.namespaces |= (map(select(.type != "ipc")) + [{"type": "ipc", "path": "/proc/self/ns/net"}])'
run_ct true
[ "$RC" -ne 0 ] && ok "a path to a namespace of another type is refused" ||
        notok "a path to a namespace of another type is refused"

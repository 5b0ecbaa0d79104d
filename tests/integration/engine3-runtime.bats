#!/usr/bin/env bats
# Containers run with --runtime PATH (runc): the commands that act on a running container drive
# that runtime's command line (exec, ps, events --stats, pause/resume, update).

bats_require_minimum_version 1.5.0

load engine-helpers

setup() {
        engine_setup
        RUNC=$(command -v runc || true)
        [ -n "$RUNC" ] || skip "runc not installed"
}

@test "--runtime runc: exec with -e, -w, -u, exit codes, -d and -t" {
        berth run -d --name c --runtime "$RUNC" -e A=1 busybox sleep 1000 >/dev/null
        [ "$(berth exec c echo hi)" = "hi" ]
        [ "$(berth exec -e B=2 -w /tmp -u 1000:1000 c sh -c 'echo $A$B; pwd; id -u; id -g')" = "$(printf '12\n/tmp\n1000\n1000')" ]
        run berth exec c sh -c 'exit 3'
        [ "$status" -eq 3 ]
        echo piped | berth exec -i c sh -c 'cat > /tmp/in'
        [ "$(berth exec c cat /tmp/in)" = "piped" ]
        berth exec -d c sh -c 'sleep 0.2; touch /tmp/detached'
        for ((i = 0; i < 50; i++)); do berth exec c test -e /tmp/detached && break; sleep 0.1; done
        berth exec c test -e /tmp/detached
        if command -v script >/dev/null; then
                run script -qec "$BERTH_BIN --root $ROOT exec -t c tty" /dev/null
                [ "$status" -eq 0 ]
                [[ "$output" == *"/dev/pts/"* ]]
        fi
        # the container's process runs under runc: it has runc's state
        "$RUNC" --root "$ROOT/run/runc" state "$(berth inspect -f '{{.Id}}' c)" >/dev/null
}

@test "--runtime runc: top and stats" {
        berth run -d --name c --runtime "$RUNC" --memory 64m busybox sleep 1000 >/dev/null
        run berth top c
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^UID\ +PID\ +PPID ]]
        [ "${#lines[@]}" -eq 2 ]
        [[ "${lines[1]}" == *"sleep 1000"* ]]
        run berth stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemUsage}}' c
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^c\ 1\ [0-9.]+[KMG]?i?B\ /\ 64MiB$ ]]
}

@test "--runtime runc: pause, unpause and update" {
        berth run -d --name c --runtime "$RUNC" busybox sh -c 'while :; do date +%s%N > /tmp/t; sleep 0.05; done' >/dev/null
        id=$(berth inspect -f '{{.Id}}' c)
        [ "$(berth pause c)" = "c" ]
        [ "$(berth inspect -f '{{.State.Status}}' c)" = "paused" ]
        [ "$("$RUNC" --root "$ROOT/run/runc" state "$id" | grep -o '"status": *"[a-z]*"')" = '"status": "paused"' ]
        [ "$(berth unpause c)" = "c" ]
        [ "$(berth inspect -f '{{.State.Status}}' c)" = "running" ]
        [ "$("$RUNC" --root "$ROOT/run/runc" state "$id" | grep -o '"status": *"[a-z]*"')" = '"status": "running"' ]
        run berth update --memory 96m --pids-limit 30 c
        [ "$status" -eq 0 ]
        [ "$(cat /sys/fs/cgroup/pids/berth/$id/pids.max)" = "30" ]
        [[ "$(berth stats --no-stream --format '{{.MemUsage}}' c)" == *"/ 96MiB" ]]
        [ "$(berth inspect -f '{{.HostConfig.PidsLimit}}' c)" = "30" ]
}

@test "--runtime takes a name found in PATH, as podman does, and refuses what is not an executable" {
        berth run --rm --runtime runc busybox true
        berth run -d --name c --runtime runc busybox sleep 1000 >/dev/null
        [ "$(berth inspect -f '{{.HostConfig.Runtime}}' c)" = "$RUNC" ]
        berth rm -f c >/dev/null
        for bad in no-such-runtime ./runc ../bin/runc /etc/passwd ''; do
                run berth run --rm --runtime "$bad" busybox true
                [ "$status" -eq 125 ]
                [[ "$output" == *"--runtime '$bad': no such executable"* ]]
        done
        [ -z "$(berth ps -aq)" ]
}

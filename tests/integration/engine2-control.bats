#!/usr/bin/env bats
# top, stats, pause/unpause, rename, port, update, container prune.

load engine-helpers

mem_cgroup() {
        local mem
        mem=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
        echo "/sys/fs/cgroup/memory$mem/berth/$1"
}

@test "top lists the container's processes with docker's columns and passes ps options" {
        berth run -d --name c busybox sleep 100 >/dev/null
        run berth top c
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
        [ "${#lines[@]}" -eq 2 ]
        [[ "${lines[1]}" == *"sleep 100"* ]]
        run berth top c -o pid,comm
        [[ "${lines[0]}" =~ PID\ +COMMAND ]]
        [[ "${lines[1]}" == *sleep* ]]
        berth stop -t 0 c >/dev/null
        run berth top c
        [ "$status" -ne 0 ]
        [[ "$output" == *"is not running"* ]]
}

@test "stats --no-stream shows the table and json values" {
        berth run -d --name c --memory 64m busybox sleep 100 >/dev/null
        run berth stats --no-stream
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
        [[ "${lines[1]}" == *" c "* ]]
        [[ "${lines[1]}" == *"/ 64MiB"* ]]
        run berth stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemUsage}}' c
        [[ "$output" =~ ^c\ 1\ [0-9.]+[KMG]?i?B\ /\ 64MiB$ ]]
        run berth stats --no-stream --format json c
        [[ "$output" == *'"Name":"c"'* ]]
        [[ "$output" == *'"CPUPerc":"'* ]]
}

@test "stats CPU % sees a busy container" {
        berth run -d --name busy busybox sh -c 'while :; do :; done' >/dev/null
        run berth stats --no-stream --format '{{.CPUPerc}}' busy
        [ "$status" -eq 0 ]
        # a spinning shell uses a measurable share of a CPU
        [[ "$output" =~ ^[0-9]+\.[0-9]{2}%$ ]]
        [ "${output%%.*}" -ge 1 ]
}

@test "pause and unpause freeze the container and show in ps and inspect" {
        berth run -d --name c busybox sh -c 'while :; do date +%s%N > /tmp/t; sleep 0.05; done' >/dev/null
        run berth pause c
        [ "$output" = "c" ]
        [ "$(berth inspect -f '{{.State.Status}}' c)" = "paused" ]
        [ "$(berth inspect -f '{{.State.Paused}}' c)" = "true" ]
        [[ "$(berth ps --format '{{.Status}}')" == *"(Paused)"* ]]
        run berth pause c
        [ "$status" -eq 1 ]
        [[ "$output" == *"already paused"* ]]
        berth unpause c
        [ "$(berth inspect -f '{{.State.Status}}' c)" = "running" ]
        run berth unpause c
        [ "$status" -eq 1 ]
        berth exec c true
}

@test "rename changes the name; a taken or invalid name is refused" {
        # Names that are not hex: a lookup also matches container ID prefixes, as docker's does.
        berth create --name xa busybox true >/dev/null
        berth create --name xb busybox true >/dev/null
        berth rename xa xa2
        [ "$(berth inspect -f '{{.Name}}' xa2)" = "/xa2" ]
        run berth inspect xa
        [ "$status" -ne 0 ]
        run berth rename xa2 xb
        [ "$status" -eq 1 ]
        [[ "$output" == *"already in use"* ]]
        run berth rename xa2 'bad name'
        [ "$status" -eq 1 ]
        run berth rename nosuch x
        [ "$status" -eq 1 ]
}

@test "port prints nothing without published ports and fails for a given port" {
        berth create --name c busybox true >/dev/null
        run berth port c
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run berth port c 80
        [ "$status" -eq 1 ]
        [[ "$output" == *"No public port '80' published"* ]]
}

@test "update changes limits live in the cgroup and in inspect" {
        berth run -d --name c --memory 64m busybox sleep 100 >/dev/null
        id=$(berth inspect -f '{{.Id}}' c)
        [ "$(cat "$(mem_cgroup "$id")/memory.limit_in_bytes")" = "67108864" ]
        run berth update --memory 96m --pids-limit 30 --cpu-shares 512 --restart on-failure:3 c
        [ "$status" -eq 0 ]
        [ "$output" = "c" ]
        [ "$(cat "$(mem_cgroup "$id")/memory.limit_in_bytes")" = "100663296" ]
        [ "$(cat /sys/fs/cgroup/pids/berth/$id/pids.max)" = "30" ]
        [ "$(berth inspect -f '{{.HostConfig.Memory}}' c)" = "100663296" ]
        [ "$(berth inspect -f '{{.HostConfig.PidsLimit}}' c)" = "30" ]
        [ "$(berth inspect -f '{{.HostConfig.RestartPolicy.Name}}' c)" = "on-failure" ]
        run berth update --memory bogus c
        [ "$status" -eq 125 ]
}

@test "update of a stopped container is recorded for its next start" {
        berth create --name c busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes >/dev/null
        berth update --memory 48m c
        [ "$(berth inspect -f '{{.HostConfig.Memory}}' c)" = "50331648" ]
        run berth start -a c
        [ "$status" -eq 0 ]
        [ "$output" = "50331648" ]
}

@test "container prune removes stopped containers only, honouring until=" {
        berth run --name done busybox true
        berth create --name created busybox true >/dev/null
        berth run -d --name up busybox sleep 100 >/dev/null
        run berth container prune -f --filter until=1h
        [ "$status" -eq 0 ]
        [ "$(berth ps -aq | wc -l)" -eq 3 ]
        run berth container prune -f
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" = "Deleted Containers:" ]]
        [ "${#lines[@]}" -eq 4 ]
        run berth ps -a --format '{{.Names}}'
        [ "$output" = "up" ]
}

@test "attach relays stdio and returns the exit code" {
        berth run -d -i --name a busybox cat >/dev/null
        run sh -c "printf 'hello\n' | '$BERTH_BIN' --root '$ROOT' attach a"
        [ "$status" -eq 0 ]
        [ "$output" = "hello" ]
        wait_status a 10 exited
        berth run -d --name c busybox sh -c 'sleep 1; echo late; exit 3' >/dev/null
        run berth attach c
        [ "$status" -eq 3 ]
        [ "$output" = "late" ]
        run berth attach c
        [ "$status" -eq 1 ]
        [[ "$output" == *"cannot attach to a stopped container"* ]]
}

@test "attach detaches on ctrl-p ctrl-q and on --detach-keys, leaving the container running" {
        berth run -d -i --name b busybox sh -c 'while read l; do echo got:$l; done' >/dev/null
        run sh -c "(printf 'one\n'; sleep 1; printf '\020\021'; sleep 3) | '$BERTH_BIN' --root '$ROOT' attach b"
        [ "$status" -eq 0 ]
        [[ "$output" == *"got:one"* ]]
        [[ "$output" == *"read escape sequence"* ]]
        [ "$(berth inspect -f '{{.State.Status}}' b)" = "running" ]
        # a lone ctrl-p is passed on; a custom sequence detaches
        run sh -c "(printf 'a\020b\n'; sleep 1; printf 'xy'; sleep 3) | '$BERTH_BIN' --root '$ROOT' attach --detach-keys x,y b"
        [ "$status" -eq 0 ]
        [[ "$output" == *"got:a"$'\020'"b"* ]]
        [ "$(berth inspect -f '{{.State.Status}}' b)" = "running" ]
        run berth attach --detach-keys ctrl-bogus b
        [ "$status" -eq 125 ]
}

@test "stats without --no-stream keeps printing tables until interrupted" {
        berth run -d --name c busybox sleep 100 >/dev/null
        run timeout -s INT 3 "$BERTH_BIN" --root "$ROOT" stats c
        [ "$(grep -c '^CONTAINER ID' <<<"$output")" -ge 2 ]
        [[ "$output" == *" c "* ]]
}

#!/usr/bin/env bats
# berth run: the demo command, exit codes, errors, stdio, names, --rm, -d.

bats_require_minimum_version 1.5.0

load engine-helpers

@test "run --rm busybox echo hi" {
        run berth run --rm busybox echo hi
        [ "$status" -eq 0 ]
        [ "$output" = "hi" ]
        [ -z "$(berth ps -aq)" ]
}

@test "run exits with the container's exit code" {
        run berth run --rm busybox sh -c 'exit 42'
        [ "$status" -eq 42 ]
        run berth run --rm --init busybox sh -c 'kill -9 $$'
        [ "$status" -eq 137 ]
}

@test "run: 127 for a command not found, 126 for one that cannot be invoked" {
        run -127 berth run --rm busybox nosuchcommand
        [ "$status" -eq 127 ]
        [[ "$output" == *"nosuchcommand"*"not found"* ]]
        run berth run --rm busybox /etc/passwd
        [ "$status" -eq 126 ]
        [ -z "$(berth ps -aq)" ]
}

@test "run: 125 and a message naming the problem for a missing image or bad flag" {
        run berth run --rm nosuchimage true
        [ "$status" -eq 125 ]
        [[ "$output" == *"No such image: nosuchimage"* ]]
        run berth run --memory lots busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"--memory"* ]]
        run berth run --rm --restart always busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"Conflicting options: --restart and --rm"* ]]
        [ -z "$(berth ps -aq)" ]
}

@test "run keeps stdout and stderr apart" {
        run bash -c "'$BERTH_BIN' --root '$ROOT' run --rm busybox sh -c 'echo out; echo err >&2' 2>/dev/null"
        [ "$output" = "out" ]
        run bash -c "'$BERTH_BIN' --root '$ROOT' run --rm busybox sh -c 'echo out; echo err >&2' 2>&1 >/dev/null"
        [ "$output" = "err" ]
}

@test "run -i passes stdin, without -i stdin is empty" {
        run bash -c "echo piped | '$BERTH_BIN' --root '$ROOT' run --rm -i busybox cat"
        [ "$status" -eq 0 ]
        [ "$output" = "piped" ]
        run bash -c "echo piped | '$BERTH_BIN' --root '$ROOT' run --rm busybox cat"
        [ "$status" -eq 0 ]
        [ -z "$output" ]
}

@test "run -t gives the container a terminal" {
        command -v script >/dev/null || skip "script (util-linux) not installed"
        run script -qec "'$BERTH_BIN' --root '$ROOT' run --rm -t busybox sh -c 'tty; stty size'" /dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *"/dev/pts/0"* ]]
}

@test "run --name: names are unique, generated ones look like docker's" {
        run berth run --name web busybox true
        [ "$status" -eq 0 ]
        run berth run --name web busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *'Conflict. The container name "/web" is already in use by container'* ]]
        run berth run --name 'bad name' busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"Invalid container name"* ]]
        berth run busybox true
        name=$(berth ps -a --format '{{.Names}}' | grep -v '^web$')
        [[ "$name" =~ ^[a-z]+_[a-z]+$ ]]
        berth rm web "$name"
}

@test "run -d prints the id; the container outlives the CLI; logs survive it" {
        id=$(berth run -d --name bg busybox sh -c 'echo first; sleep 0.5; echo second')
        [[ "$id" =~ ^[0-9a-f]{64}$ ]]
        run berth wait bg
        [ "$output" = "0" ]
        run berth logs bg
        [ "${lines[0]}" = "first" ]
        [ "${lines[1]}" = "second" ]
        run berth inspect --format '{{.State.Status}} {{.State.ExitCode}}' bg
        [ "$output" = "exited 0" ]
        berth rm bg
}

@test "create then start -a" {
        id=$(berth create --name c1 busybox echo created-then-started)
        run berth ps -a --format '{{.Names}} {{.State}} {{.Status}}'
        [ "$output" = "c1 created Created" ]
        run berth start -a c1
        [ "$status" -eq 0 ]
        [ "$output" = "created-then-started" ]
        berth start c1
        berth wait c1
        [ "$(berth logs c1 | wc -l)" -eq 2 ]
        berth rm "$id"
}

@test "a CLI killed with SIGKILL at any point leaves a consistent store" {
        for d in 0.01 0.05 0.1 0.15 0.2 0.3 0.4 0.6; do
                "$BERTH_BIN" --root "$ROOT" run busybox sleep 0.3 >/dev/null 2>&1 &
                pid=$!
                sleep $d
                kill -9 $pid 2>/dev/null || true
                wait $pid 2>/dev/null || true
        done
        sleep 1
        # every record is in a state a user can act on, and rm removes it all
        for id in $(berth ps -aq); do
                st=$(berth inspect --format '{{.State.Status}}' "$id")
                [[ "$st" == created || "$st" == running || "$st" == exited ]]
        done
        ids=$(berth ps -aq)
        [ -z "$ids" ] || berth rm -f $ids
        [ -z "$(berth ps -aq)" ]
        [ -z "$(ls "$ROOT/containers")" ]
}

@test "50 concurrent runs" {
        pids=()
        for i in $(seq 1 50); do
                "$BERTH_BIN" --root "$ROOT" run --rm busybox sh -c "echo run-$i" >"$TMP/out.$i" 2>&1 &
                pids+=($!)
        done
        for i in $(seq 1 50); do
                wait "${pids[$((i - 1))]}"
                [ "$(cat "$TMP/out.$i")" = "run-$i" ]
        done
        [ -z "$(berth ps -aq)" ]
}

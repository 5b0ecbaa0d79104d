#!/usr/bin/env bats
# stop, restart, kill, rm, wait, ps, logs, inspect, exec.

bats_require_minimum_version 1.5.0

load engine-helpers

@test "stop sends the stop signal, then SIGKILL after -t" {
        berth run -d --name s1 busybox sh -c 'trap "echo got-term; exit 7" TERM; while true; do sleep 0.1; done'
        sleep 0.5
        run berth stop s1
        [ "$status" -eq 0 ]
        [ "$output" = "s1" ]
        [ "$(berth inspect --format '{{.State.ExitCode}}' s1)" = "7" ]
        [[ "$(berth logs s1)" == *got-term* ]]
        # sh as PID 1 ignores SIGTERM: killed after the timeout
        berth run -d --name s2 busybox sleep 100
        run berth stop -t 1 s2
        [ "$status" -eq 0 ]
        [ "$(berth inspect --format '{{.State.ExitCode}}' s2)" = "137" ]
}

@test "stop uses --stop-signal, and the image's STOPSIGNAL" {
        berth run -d --name s3 --stop-signal USR1 busybox sh -c 'trap "exit 9" USR1; while true; do sleep 0.1; done'
        sleep 0.5
        berth stop -t 5 s3
        [ "$(berth inspect --format '{{.State.ExitCode}}' s3)" = "9" ]
        [ "$(berth inspect --format '{{.Config.StopSignal}}' s3)" = "USR1" ]
}

@test "kill -s sends a signal; kill of a stopped container fails" {
        berth run -d --name k1 busybox sh -c 'trap "exit 3" HUP; while true; do sleep 0.1; done'
        sleep 0.5
        berth kill -s HUP k1
        run berth wait k1
        [ "$output" = "3" ]
        run berth kill k1
        [ "$status" -eq 1 ]
        [[ "$output" == *"is not running"* ]]
}

@test "restart starts a stopped container again" {
        berth run -d --name r1 busybox sh -c 'echo run; sleep 100'
        berth restart -t 0 r1
        [ "$(berth inspect --format '{{.State.Status}}' r1)" = "running" ]
        sleep 0.3
        [ "$(berth logs r1 | grep -c run)" -eq 2 ]
        berth rm -f r1
}

@test "rm refuses a running container, rm -f kills it" {
        berth run -d --name rm1 busybox sleep 100
        run berth rm rm1
        [ "$status" -eq 1 ]
        [[ "$output" == *"cannot remove container \"/rm1\": container is running"* ]]
        run berth rm -f rm1
        [ "$status" -eq 0 ]
        run berth rm rm1
        [ "$status" -eq 1 ]
        [[ "$output" == *"No such container: rm1"* ]]
}

@test "ps: running only, -a, -q, -n, --no-trunc, --filter, --format" {
        berth run -d --name up -l tier=web busybox sleep 100
        run berth run --name down busybox sh -c 'exit 2'
        [ "$status" -eq 2 ]
        run berth ps --format '{{.Names}}'
        [ "$output" = "up" ]
        [ "$(berth ps -a -q | wc -l)" -eq 2 ]
        [ "$(berth ps -n 1 --format '{{.Names}}')" = "down" ]
        [ "$(berth ps -a --filter status=exited --format '{{.Names}}')" = "down" ]
        [ "$(berth ps -a --filter exited=2 --format '{{.Names}}')" = "down" ]
        [ "$(berth ps -a --filter label=tier=web --format '{{.Names}}')" = "up" ]
        [ "$(berth ps -a --filter name=do --format '{{.Names}}')" = "down" ]
        [[ "$(berth ps -a --no-trunc -q | head -1)" =~ ^[0-9a-f]{64}$ ]]
        [[ "$(berth ps -q)" =~ ^[0-9a-f]{12}$ ]]
        run berth ps -a --format json
        [ "$(echo "${lines[0]}" | jq -r .Names)" = "down" ]
        [[ "$(echo "${lines[0]}" | jq -r .Status)" == "Exited (2)"* ]]
        run berth ps -a --format 'table {{.Names}}\t{{.State}}'
        [[ "${lines[0]}" == NAMES*STATE ]]
        run berth ps
        [[ "${lines[0]}" == "CONTAINER ID   IMAGE"*"NAMES" ]]
        [[ "${lines[1]}" == *"busybox"*'"sleep 100"'*"Up "*"up" ]]
        run berth ps --filter bogus=1
        [ "$status" -eq 125 ]
        berth rm -f up
}

@test "logs: --tail, -t, --since, --until, stderr apart, -f follows until exit" {
        # the two streams are two pipes: pause between them so that the log's order is known
        berth run --name l1 busybox sh -c 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three' >/dev/null 2>&1
        [ "$(berth logs --tail 1 l1)" = "three" ]
        [ "$(berth logs l1 2>/dev/null | tr '\n' ' ')" = "one three " ]
        [ "$(berth logs l1 2>&1 >/dev/null)" = "two" ]
        [[ "$(berth logs -t --tail 1 l1)" =~ ^20[0-9-]+T[0-9:]+\.[0-9]{9}Z\ three$ ]]
        [ -z "$(berth logs --since 2099-01-01T00:00:00Z l1)" ]
        [ -z "$(berth logs --until 2000-01-01T00:00:00Z l1 2>&1)" ]
        [ "$(berth logs --since 10m l1 2>/dev/null | wc -l)" -eq 2 ]
        log=$(berth inspect --format '{{.LogPath}}' l1)
        line=$(head -1 "$log")
        [ "$(echo "$line" | jq -r .log)" = "one" ]
        [ "$(echo "$line" | jq -r .stream)" = "stdout" ]
        [[ "$(echo "$line" | jq -r .time)" =~ Z$ ]]
        berth run -d --name l2 busybox sh -c 'for i in 1 2 3; do echo n$i; sleep 0.2; done'
        run timeout 20 "$BERTH_BIN" --root "$ROOT" logs -f l2
        [ "$status" -eq 0 ]
        [ "${lines[2]}" = "n3" ]
}

@test "log rotation with --log-opt max-size and max-file" {
        berth run --name rot --log-opt max-size=1k --log-opt max-file=3 busybox \
                sh -c 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done'
        log=$(berth inspect --format '{{.LogPath}}' rot)
        [ -f "$log" ] && [ -f "$log.1" ] && [ -f "$log.2" ]
        [ ! -e "$log.3" ]
        [ "$(stat -c %s "$log")" -le 1024 ]
        [ "$(berth logs --tail 1 rot)" = "line-199" ]
        run berth run --log-opt max-file=0 busybox true
        [ "$status" -eq 125 ]
}

@test "inspect shows a docker-shaped document" {
        run berth run --name i1 -e X=1 -l k=v busybox sh -c 'exit 4'
        [ "$status" -eq 4 ]
        doc=$(berth inspect i1)
        [ "$(echo "$doc" | jq -r '.[0].Name')" = "/i1" ]
        [ "$(echo "$doc" | jq -r '.[0].State.Status')" = "exited" ]
        [ "$(echo "$doc" | jq -r '.[0].State.ExitCode')" = "4" ]
        [ "$(echo "$doc" | jq -r '.[0].Path')" = "sh" ]
        [ "$(echo "$doc" | jq -r '.[0].Args[0]')" = "-c" ]
        [ "$(echo "$doc" | jq -r '.[0].Config.Labels.k')" = "v" ]
        [[ "$(echo "$doc" | jq -r '.[0].Config.Env[]')" == *X=1* ]]
        [[ "$(echo "$doc" | jq -r '.[0].Image')" == sha256:* ]]
        [ "$(echo "$doc" | jq -r '.[0].HostConfig.RestartPolicy.Name')" = "no" ]
        [ "$(berth inspect --type container --format '{{.State.OOMKilled}}' i1)" = "false" ]
        run berth inspect --type container nosuch
        [ "$status" -eq 1 ]
}

@test "exec runs in the container: -e, -u, -w, exit codes, -d" {
        berth run -d --name e1 busybox sleep 100
        [ "$(berth exec e1 hostname)" = "$(berth inspect --format '{{.Config.Hostname}}' e1)" ]
        [ "$(berth exec -e Z=9 -u nobody -w /tmp e1 sh -c 'echo $Z $(id -u) $(pwd)')" = "9 65534 /tmp" ]
        run berth exec e1 sh -c 'exit 5'
        [ "$status" -eq 5 ]
        run -127 berth exec e1 nosuchcommand
        [ "$status" -eq 127 ]
        echo input | berth exec -i e1 sh -c 'cat > /tmp/in'
        [ "$(berth exec e1 cat /tmp/in)" = "input" ]
        berth exec -d e1 sh -c 'sleep 0.2; touch /tmp/detached'
        sleep 1
        berth exec e1 test -f /tmp/detached
        berth rm -f e1
        run berth exec e1 true
        [ "$status" -eq 1 ]
}

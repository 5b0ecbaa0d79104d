#!/usr/bin/env bats
# Healthchecks: --health-* flags, the image's Healthcheck, --no-healthcheck, State.Health, ps status.

load engine-helpers

# Waits up to $3 seconds for the container's health status to be $2.
wait_health() {
        local i
        for ((i = 0; i < $3 * 10; i++)); do
                [ "$(berth inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null)" = "$2" ] && return 0
                sleep 0.1
        done
        echo "health of $1: $(berth inspect -f '{{json .State.Health}}' "$1")" >&2
        return 1
}

@test "a failing healthcheck turns unhealthy, a passing one healthy again" {
        berth run -d --name h --health-cmd 'echo checking; test -f /tmp/ok' --health-interval 1s \
                --health-retries 2 busybox sleep 100 >/dev/null
        [ "$(berth inspect -f '{{.Config.Healthcheck.Interval}}' h)" = "1000000000" ]
        [[ "$(berth ps --format '{{.Status}}')" == *"(health: starting)"* ]]
        wait_health h unhealthy 30
        [[ "$(berth ps --format '{{.Status}}')" == *"(unhealthy)"* ]]
        [ "$(berth inspect -f '{{.State.Health.FailingStreak}}' h)" -ge 2 ]
        run berth inspect -f '{{json .State.Health.Log}}' h
        [[ "$output" == *'"ExitCode":1'* ]]
        [[ "$output" == *'"Output":"checking\n"'* ]]
        berth exec h touch /tmp/ok
        wait_health h healthy 30
        [[ "$(berth ps --format '{{.Status}}')" == *"(healthy)"* ]]
        [ "$(berth inspect -f '{{.State.Health.FailingStreak}}' h)" = "0" ]
}

@test "the health log keeps the last 5 results; a timeout fails the check" {
        berth run -d --name h --health-cmd 'sleep 5' --health-interval 100ms --health-timeout 200ms \
                --health-retries 1 busybox sleep 100 >/dev/null
        wait_health h unhealthy 30
        run berth inspect -f '{{json .State.Health.Log}}' h
        [[ "$output" == *"exceeded timeout"* ]]
        for ((i = 0; i < 100; i++)); do
                n=$(berth inspect -f '{{json .State.Health.Log}}' h | grep -o '"ExitCode"' | wc -l)
                [ "$n" -ge 5 ] && break
                sleep 0.2
        done
        sleep 1
        n=$(berth inspect -f '{{json .State.Health.Log}}' h | grep -o '"ExitCode"' | wc -l)
        [ "$n" -eq 5 ]
}

@test "the image's Healthcheck is used; --no-healthcheck disables it" {
        # commit keeps the container's Healthcheck in the image's config
        berth run --name base --health-cmd false --health-interval 1s --health-retries 1 busybox true
        berth commit base hc:1 >/dev/null
        [[ "$(berth image inspect -f '{{json .Config.Healthcheck}}' hc:1)" == *CMD-SHELL* ]]
        berth run -d --name a hc:1 sleep 100 >/dev/null
        wait_health a unhealthy 30
        berth run -d --name b --no-healthcheck hc:1 sleep 100 >/dev/null
        sleep 2
        [ -z "$(berth inspect -f '{{json .State.Health}}' b | grep -v null || true)" ]
}

@test "health flags are checked" {
        run berth run --rm --health-interval bogus busybox true
        [ "$status" -eq 125 ]
        run berth run --rm --health-retries -1 busybox true
        [ "$status" -eq 125 ]
}

@test "a container without a healthcheck has no Health and no checker left" {
        berth run -d --name n busybox sleep 100 >/dev/null
        sleep 0.5
        run berth inspect -f '{{json .State.Health}}' n
        [[ "$output" != *Status* ]]
        [[ "$(berth ps --format '{{.Status}}')" != *health* ]]
        # the monitor alone: its checker saw no healthcheck and exited
        id=$(berth inspect -f '{{.Id}}' n)
        for ((i = 0; i < 50; i++)); do
                [ "$(pgrep -f -- "--id $id" | wc -l)" -eq 1 ] && break
                sleep 0.1
        done
        [ "$(pgrep -f -- "--id $id" | wc -l)" -eq 1 ]
        # with a healthcheck: the monitor and its checker (once the monitor's recorder, a third
        # process for the first moments, has gone idle and exited)
        berth run -d --name w --health-cmd true --health-interval 1h busybox sleep 100 >/dev/null
        wid=$(berth inspect -f '{{.Id}}' w)
        for ((i = 0; i < 50; i++)); do
                [ "$(pgrep -f -- "--id $wid" | wc -l)" -eq 2 ] && break
                sleep 0.1
        done
        [ "$(pgrep -f -- "--id $wid" | wc -l)" -eq 2 ]
        berth rm -f w >/dev/null
        [ "$(pgrep -f -- "--id $wid" | wc -l)" -eq 0 ]
}

@test "removing a container removes its health record" {
        command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
        berth run -d --name h --health-cmd true --health-interval 100ms busybox sleep 100 >/dev/null
        wait_health h healthy 30
        [ "$(sqlite3 "$ROOT/berth.db" 'SELECT count(*) FROM health')" = "1" ]
        berth rm -f h >/dev/null
        [ "$(sqlite3 "$ROOT/berth.db" 'SELECT count(*) FROM health')" = "0" ]
}

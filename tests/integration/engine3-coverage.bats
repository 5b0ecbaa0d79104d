#!/usr/bin/env bats
# Commands and run options of issue 4 that no other test would catch when broken (the coverage
# table of docs/engine.md names these tests).

bats_require_minimum_version 1.5.0

load engine-helpers

@test "start -a -i passes stdin to a created container" {
        berth create -i --name c busybox sh -c 'read x; echo "got $x"' >/dev/null
        [ "$(echo hello | timeout 60 "$BERTH_BIN" --root "$ROOT" start -a -i c)" = "got hello" ]
}

@test "image inspect and inspect of an image give docker's document" {
        doc=$(berth image inspect busybox)
        [[ "$(echo "$doc" | jq -r '.[0].Id')" == sha256:* ]]
        [ "$(echo "$doc" | jq -r '.[0].RepoTags[0]')" = "busybox:latest" ]
        [ "$(echo "$doc" | jq -r '.[0].RootFS.Type')" = "layers" ]
        [ "$(echo "$doc" | jq -r '.[0].Os')" = "linux" ]
        [ "$(berth inspect --type image -f '{{.Id}}' busybox)" = "$(echo "$doc" | jq -r '.[0].Id')" ]
        [ "$(berth inspect -f '{{.Id}}' busybox)" = "$(echo "$doc" | jq -r '.[0].Id')" ]
        run berth image inspect nosuch
        [ "$status" -ne 0 ]
}

@test "run -t: the terminal's size is the container's, and a resize follows it" {
        command -v script >/dev/null || skip "script (util-linux) not installed"
        run script -qec "stty rows 31 cols 101; '$BERTH_BIN' --root '$ROOT' run --rm -t busybox stty size" /dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *"31 101"* ]]
        # the container reports its size when SIGWINCH comes; the outer terminal changes once it runs
        # (a background job of a non-interactive shell gets /dev/null as stdin: give it the terminal)
        cat >"$TMP/resize.sh" <<EOS
stty rows 20 cols 80
'$BERTH_BIN' --root '$ROOT' run --rm -t --name rs busybox sh -c 'trap "stty size; exit 0" WINCH; touch /tmp/ready; while :; do sleep 0.1; done' </dev/tty &
for i in \$(seq 100); do '$BERTH_BIN' --root '$ROOT' exec rs test -e /tmp/ready 2>/dev/null && break; sleep 0.1; done
stty rows 42 cols 123
wait
EOS
        run timeout 60 script -qec "sh $TMP/resize.sh" /dev/null
        [ "$status" -eq 0 ]
        # printed by the container (the outer shell prints nothing)
        [[ "$output" == *"42 123"* ]]
}

@test "exec -t gives the process a terminal; exec -i passes stdin" {
        command -v script >/dev/null || skip "script (util-linux) not installed"
        berth run -d --name c busybox sleep 1000 >/dev/null
        run script -qec "'$BERTH_BIN' --root '$ROOT' exec -t c tty" /dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *"/dev/pts/"* ]]
        run berth exec c tty
        [ "$status" -ne 0 ]
        [ "$(echo in | berth exec -i c cat)" = "in" ]
        [ -z "$(echo in | berth exec c cat)" ]
}

@test "--memory-swap sets memory+swap; --stop-timeout is what stop waits before SIGKILL" {
        [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "no swap accounting"
        [ "$(berth run --rm -m 64m --memory-swap 128m busybox cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes)" = 134217728 ]
        # the container takes 3 s to stop on SIGTERM: a stop timeout of 1 s kills it, the default waits
        berth run -d --name st --stop-timeout 1 busybox sh -c 'trap "sleep 3; exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
        berth run -d --name sd busybox sh -c 'trap "sleep 3; exit 7" TERM; while :; do sleep 0.1; done' >/dev/null
        sleep 0.5
        berth stop st sd >/dev/null
        [ "$(berth inspect -f '{{.State.ExitCode}}' st)" = 137 ]
        [ "$(berth inspect -f '{{.State.ExitCode}}' sd)" = 7 ]
}

@test "--restart no and unless-stopped" {
        berth run -d --name rn --restart no busybox sh -c 'exit 1' >/dev/null
        wait_status rn 10 exited
        [ "$(berth inspect -f '{{.RestartCount}}' rn)" = 0 ]
        [ "$(berth inspect -f '{{.HostConfig.RestartPolicy.Name}}' rn)" = "no" ]
        berth run -d --name ru --restart unless-stopped busybox sh -c 'sleep 0.2; exit 0' >/dev/null
        for ((i = 0; i < 100; i++)); do
                [ "$(berth inspect -f '{{.RestartCount}}' ru)" -ge 1 ] && break
                sleep 0.1
        done
        [ "$(berth inspect -f '{{.RestartCount}}' ru)" -ge 1 ]
        [ "$(berth inspect -f '{{.HostConfig.RestartPolicy.Name}}' ru)" = "unless-stopped" ]
        berth stop -t 1 ru >/dev/null
        [ "$(berth inspect -f '{{.State.Status}}' ru)" = exited ]
        n=$(berth inspect -f '{{.RestartCount}}' ru)
        sleep 1
        [ "$(berth inspect -f '{{.RestartCount}}' ru)" = "$n" ]
        [ "$(berth inspect -f '{{.State.Status}}' ru)" = exited ]
}

@test "--health-start-period: failures meanwhile do not count" {
        berth run -d --name hs --health-cmd 'false' --health-interval 1s --health-retries 1 \
                --health-start-period 120s busybox sleep 1000 >/dev/null
        berth run -d --name hn --health-cmd 'false' --health-interval 1s --health-retries 1 \
                busybox sleep 1000 >/dev/null
        [ "$(berth inspect -f '{{.Config.Healthcheck.StartPeriod}}' hs)" = "120000000000" ]
        for ((i = 0; i < 300; i++)); do
                n=$(berth inspect hs | jq '.[0].State.Health.Log | length')
                [ "$n" -ge 2 ] && break
                sleep 0.1
        done
        [ "$n" -ge 2 ]
        [ "$(berth inspect -f '{{.State.Health.Status}}' hs)" = "starting" ]
        [ "$(berth inspect -f '{{.State.Health.Status}}' hn)" = "unhealthy" ]
}

@test "--sig-proxy=false: the CLI's signals do not reach the container" {
        "$BERTH_BIN" --root "$ROOT" run --name sp --sig-proxy=false busybox sh -c 'trap "exit 6" USR1; touch /tmp/ready; while true; do sleep 0.1; done' &
        pid=$!
        for ((i = 0; i < 100; i++)); do berth exec sp test -e /tmp/ready 2>/dev/null && break; sleep 0.1; done
        kill -USR1 $pid
        wait $pid || true
        # the CLI is gone (killed by the signal it did not hand on); the container still runs
        [ "$(berth inspect -f '{{.State.Status}}' sp)" = running ]
        berth kill -s USR1 sp >/dev/null
        wait_status sp 10 exited
        [ "$(berth inspect -f '{{.State.ExitCode}}' sp)" = 6 ]
}

@test "--label is recorded and filters ps" {
        berth run -d --name l1 --label team=a busybox sleep 1000 >/dev/null
        berth run -d --name l2 -l team=b busybox sleep 1000 >/dev/null
        [ "$(berth ps --filter label=team=a --format '{{.Names}}')" = "l1" ]
        [ "$(berth inspect -f '{{.Config.Labels.team}}' l2)" = "b" ]
}

#!/usr/bin/env bats
# Terminals through --console-socket: the pty is made inside the container and its master is
# received by tests/integration/recvtty (built by meson).

load runtime-helpers

RECVTTY=$BERTH_BUILD/tests/integration/recvtty

setup() {
        runtime_setup
        SOCK=$BATS_TEST_TMPDIR/console.sock
}

teardown() {
        runtime_teardown
}

@test "run with a terminal: pty from the container's devpts, size, controlling tty, /dev/console" {
        bundle_edit "$BUNDLE" '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 77} | .process.args = ["sh", "-c", "tty; stty size; [ -t 0 ] && [ -t 1 ] && echo isatty; stat -c %t,%T /dev/console; echo ctty >/dev/tty && echo ctty-ok"]'
        "$RECVTTY" "$SOCK" >"$BATS_TEST_TMPDIR/tty.out" &
        local recv=$!
        wait_for test -S "$SOCK"
        rt run --console-socket "$SOCK" -b "$BUNDLE" "$ID"
        wait $recv
        tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out" >"$BATS_TEST_TMPDIR/tty.txt"
        run cat "$BATS_TEST_TMPDIR/tty.txt"
        [ "${lines[0]}" = /dev/pts/0 ]
        [ "${lines[1]}" = "33 77" ]
        [ "${lines[2]}" = isatty ]
        [ "${lines[3]}" = "88,0" ]
        [ "${lines[5]}" = ctty-ok ]
}

@test "input typed on the console reaches the container" {
        bundle_edit "$BUNDLE" '.process.terminal = true | .process.args = ["sh", "-c", "read line; echo got-$line"]'
        "$RECVTTY" --input $'hello\n' "$SOCK" >"$BATS_TEST_TMPDIR/tty.out" &
        local recv=$!
        wait_for test -S "$SOCK"
        rt run --console-socket "$SOCK" -b "$BUNDLE" "$ID"
        wait $recv
        grep -q got-hello "$BATS_TEST_TMPDIR/tty.out"
}

@test "create/start with a terminal, then exec --tty" {
        bundle_edit "$BUNDLE" '.process.terminal = true | .process.args = ["sleep", "1000"]'
        "$RECVTTY" "$SOCK" >/dev/null &
        local recv=$!
        wait_for test -S "$SOCK"
        rt create --console-socket "$SOCK" -b "$BUNDLE" "$ID"
        rt start "$ID"
        "$RECVTTY" "$SOCK.2" >"$BATS_TEST_TMPDIR/exec.out" &
        local recv2=$!
        wait_for test -S "$SOCK.2"
        rt exec --tty --console-socket "$SOCK.2" "$ID" sh -c 'tty; [ -t 0 ] && echo exec-isatty'
        wait $recv2
        grep -q exec-isatty "$BATS_TEST_TMPDIR/exec.out"
        grep -q /dev/pts/1 "$BATS_TEST_TMPDIR/exec.out"
        run rt exec --tty "$ID" true
        [ "$status" -eq 1 ]
        [[ "$output" == *console-socket* ]]
        rt delete --force "$ID"
        wait $recv
}

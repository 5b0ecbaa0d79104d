#!/usr/bin/env bats
# `berth-runtime spec` writes runc's starter config.json (only ociVersion differs), and
# what it writes is accepted by berth-runtime's own parser. runc is a test partner here:
# the tests skip when it is not installed.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)/build}
RT=${RT:-$BERTH_BUILD/berth-runtime}

# same_spec A B: the two config.json files are equal once ociVersion is dropped.
same_spec() {
        diff <(jq -S 'del(.ociVersion)' "$1") <(jq -S 'del(.ociVersion)' "$2")
}

@test "spec matches runc spec" {
        command -v runc >/dev/null || skip "runc not installed"
        mkdir "$BATS_TEST_TMPDIR/berth" "$BATS_TEST_TMPDIR/runc"
        (cd "$BATS_TEST_TMPDIR/berth" && "$RT" spec)
        (cd "$BATS_TEST_TMPDIR/runc" && runc spec)
        run same_spec "$BATS_TEST_TMPDIR/berth/config.json" "$BATS_TEST_TMPDIR/runc/config.json"
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(jq -r .ociVersion "$BATS_TEST_TMPDIR/berth/config.json")" = 1.2.0 ]
}

@test "spec --rootless matches runc spec --rootless" {
        command -v runc >/dev/null || skip "runc not installed"
        mkdir "$BATS_TEST_TMPDIR/berth" "$BATS_TEST_TMPDIR/runc"
        "$RT" spec --rootless --bundle "$BATS_TEST_TMPDIR/berth"
        runc spec --rootless --bundle "$BATS_TEST_TMPDIR/runc"
        run same_spec "$BATS_TEST_TMPDIR/berth/config.json" "$BATS_TEST_TMPDIR/runc/config.json"
        [ "$status" -eq 0 ] || { echo "$output"; false; }
        [ "$(jq -r '.linux.uidMappings[0].hostID' "$BATS_TEST_TMPDIR/berth/config.json")" = "$(id -u)" ]
        [ "$(jq -r '[.linux.namespaces[].type] | index("user") != null' "$BATS_TEST_TMPDIR/berth/config.json")" = true ]
}

@test "a config edited from the default is validated field by field" {
        mkdir "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/b/rootfs"
        "$RT" spec --bundle "$BATS_TEST_TMPDIR/b"
        jq '.process.rlimits += [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]' "$BATS_TEST_TMPDIR/b/config.json" \
                >"$BATS_TEST_TMPDIR/b/c.json"
        mv "$BATS_TEST_TMPDIR/b/c.json" "$BATS_TEST_TMPDIR/b/config.json"
        run "$RT" --root "$BATS_TEST_TMPDIR/state" create -b "$BATS_TEST_TMPDIR/b" spec-bats-$$
        [ "$status" -eq 1 ]
        [[ "$output" == *"process.rlimits[1].type: unknown rlimit 'RLIMIT_BOGUS'"* ]] || { echo "$output"; false; }
        [ ! -e "$BATS_TEST_TMPDIR/state/spec-bats-$$" ]
}

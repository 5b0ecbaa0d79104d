#!/usr/bin/env bats
# Layer unpacking as root: device nodes, ownership, setuid, trusted.* and
# security.capability xattrs, interop with GNU tar, gzip(1) and zstd(1), and
# hostile layers that must not change anything outside the destination.

load layer-helpers

setup() { layer_setup; }
teardown() { layer_teardown; }

@test "unpack keeps devices, fifos, ownership, setuid, hardlinks and trusted xattrs" {
        mkdir -p "$T/src/dev" "$T/src/bin"
        mknod "$T/src/dev/null" c 1 3
        mknod "$T/src/dev/loop9" b 7 9
        mkfifo "$T/src/dev/fifo"
        echo '#!/bin/sh' > "$T/src/bin/su"
        chown 1234:5678 "$T/src/bin/su"
        chmod 4755 "$T/src/bin/su"
        ln "$T/src/bin/su" "$T/src/bin/su2"
        echo x > "$T/src/bin/ping"
        setcap cap_net_raw+ep "$T/src/bin/ping"
        setxattr "$T/src/bin" trusted.berth v1
        chown 42:43 "$T/src/dev"
        touch -d @1600000000 "$T/src/dev"

        run "$LAYER_TOOL" create "$T/src" "$T/l.tar.gz" gzip
        [ "$status" -eq 0 ]
        run "$LAYER_TOOL" unpack "$T/dst" "$T/l.tar.gz"
        [ "$status" -eq 0 ]
        [ "$(stat -c '%F %t:%T' "$T/dst/dev/null")" = "character special file 1:3" ]
        [ "$(stat -c '%F %t:%T' "$T/dst/dev/loop9")" = "block special file 7:9" ]
        [ "$(stat -c '%F' "$T/dst/dev/fifo")" = "fifo" ]
        [ "$(stat -c '%u:%g %a %h' "$T/dst/bin/su")" = "1234:5678 4755 2" ]
        [ "$(stat -c '%i' "$T/dst/bin/su")" = "$(stat -c '%i' "$T/dst/bin/su2")" ]
        [ "$(stat -c '%u:%g %Y' "$T/dst/dev")" = "42:43 1600000000" ]
        [ "$(getxattr "$T/dst/bin" trusted.berth)" = v1 ]
        run getcap "$T/dst/bin/ping"
        [[ "$output" == *cap_net_raw=ep* ]]
}

@test "GNU tar archives with xattrs unpack like GNU tar unpacks them" {
        mkdir -p "$T/src/a/b"
        echo hi > "$T/src/a/b/f"
        chmod 2755 "$T/src/a"
        chown 7:8 "$T/src/a/b/f"
        setxattr "$T/src/a/b/f" user.k val
        ln -s b/f "$T/src/a/l"
        tar --xattrs --xattrs-include='*' --numeric-owner -C "$T/src" -cf "$T/gnu.tar" a
        run "$LAYER_TOOL" unpack "$T/dst" "$T/gnu.tar"
        [ "$status" -eq 0 ]
        mkdir "$T/ref"
        tar --xattrs --xattrs-include='*' --numeric-owner -C "$T/ref" -xpf "$T/gnu.tar"
        list() { (cd "$1" && find . -mindepth 1 -printf '%p %y %m %U %G %s %T@ %l\n' | sort); }
        [ "$(list "$T/dst")" = "$(list "$T/ref")" ]
        [ "$(getxattr "$T/dst/a/b/f" user.k)" = val ]
}

@test "diff_id is the sha256 of the tar for gzip(1) and zstd(1) blobs" {
        mktar "$T/l.tar" d:etc/ f:etc/hosts:127.0.0.1 l:etc/link:hosts
        want="sha256:$(sha256sum < "$T/l.tar" | cut -d' ' -f1)"
        gzip -c "$T/l.tar" > "$T/l.tar.gz"
        zstd -q -c "$T/l.tar" > "$T/l.tar.zst"
        for f in l.tar l.tar.gz l.tar.zst; do
                run "$LAYER_TOOL" unpack "$T/d-$f" "$T/$f"
                [ "$status" -eq 0 ]
                [ "${lines[0]%% *}" = "$want" ]
                blob="sha256:$(sha256sum < "$T/$f" | cut -d' ' -f1)"
                [ "$(echo "${lines[0]}" | cut -d' ' -f2)" = "$blob" ]
                [ "$(cat "$T/d-$f/etc/link")" = 127.0.0.1 ]
        done
}

@test "hostile layer: ../ and absolute escapes refused or confined" {
        mktar "$T/dotdot.tar" f:ok:1 "f:../../../../../../tmp/pwned:x"
        run "$LAYER_TOOL" unpack "$T/d1" "$T/dotdot.tar"
        [ "$status" -ne 0 ]
        [[ "$output" == *"points outside the layer"* ]]

        mktar "$T/abs.tar" "f:/etc/pwned:x" "f:$T/sentinel/secret:overwritten"
        run "$LAYER_TOOL" unpack "$T/d2" "$T/abs.tar"
        [ "$status" -eq 0 ]
        [ -f "$T/d2/etc/pwned" ]
        [ "$(cat "$T/d2$T/sentinel/secret")" = overwritten ]
        check_outside_unchanged
}

@test "hostile layer: symlinks then writes through them stay inside" {
        mktar "$T/sym.tar" "l:s:$T/sentinel" "f:s/secret:overwritten" "f:s/new:x" \
                l:etc:/realetc "f:etc/pwned:x" l:up:../../../../.. "f:up/tmp/pwned:x" \
                "l:sub:$T/sentinel/sub" "d:sub/" "f:sub/file:replaced"
        run "$LAYER_TOOL" unpack "$T/d" "$T/sym.tar"
        [ "$status" -eq 0 ]
        check_outside_unchanged
        [ -f "$T/d/realetc/pwned" ]
        [ -f "$T/d/tmp/pwned" ]
        [ "$(cat "$T/d/sub/file")" = replaced ]
        [ "$(cat "$T/d$T/sentinel/secret")" = overwritten ]

        # "etc -> /etc" is a loop inside the layer: refused like the kernel refuses it
        mktar "$T/loop.tar" l:etc:/etc "f:etc/pwned:x"
        run "$LAYER_TOOL" unpack "$T/d2" "$T/loop.tar"
        [ "$status" -ne 0 ]
        [[ "$output" == *"symbolic links"* ]]
        check_outside_unchanged
}

@test "hardlinks to outside refused, through symlinks confined" {
        mktar "$T/h1.tar" h:pw:../../../../etc/passwd
        run "$LAYER_TOOL" unpack "$T/d1" "$T/h1.tar"
        [ "$status" -ne 0 ]
        [[ "$output" == *"points outside the layer"* ]]

        mktar "$T/h2.tar" h:pw:/etc/passwd
        run "$LAYER_TOOL" unpack "$T/d2" "$T/h2.tar"
        [ "$status" -ne 0 ]

        mktar "$T/h3.tar" l:e:/etc h:pw:e/passwd
        run "$LAYER_TOOL" unpack "$T/d3" "$T/h3.tar"
        [ "$status" -ne 0 ]

        mktar "$T/h4.tar" "l:s:$T/sentinel/secret" h:hs:s "f:hs:written through?"
        run "$LAYER_TOOL" unpack "$T/d4" "$T/h4.tar"
        [ "$status" -eq 0 ]
        check_outside_unchanged
}

@test "hostile layer: whiteouts of outside paths refused" {
        mktar "$T/w1.tar" "f:../sentinel/.wh.secret"
        run "$LAYER_TOOL" unpack "$T/d1" "$T/w1.tar"
        [ "$status" -ne 0 ]
        mktar "$T/w2.tar" "f:a/.wh..."
        run "$LAYER_TOOL" unpack "$T/d2" "$T/w2.tar" --apply
        [ "$status" -ne 0 ]
        mktar "$T/w3.tar" "l:s:$T/sentinel" "f:s/.wh.secret" "f:s/sub/.wh..wh..opq"
        run "$LAYER_TOOL" unpack "$T/d3" "$T/w3.tar" --apply
        [ "$status" -eq 0 ]
        check_outside_unchanged
}

@test "truncated and corrupt layers refused" {
        head -c 100000 /dev/urandom > "$T/rand"
        mktar "$T/l.tar" "f:big:$(head -c 60000 /dev/zero | tr '\0' a)$(od -An -x "$T/rand" | head -c 90000 | tr -d ' \n')"
        gzip -c "$T/l.tar" > "$T/l.tar.gz"
        head -c $(( $(stat -c %s "$T/l.tar.gz") / 2 )) "$T/l.tar.gz" > "$T/cut.tar.gz"
        run "$LAYER_TOOL" unpack "$T/d1" "$T/cut.tar.gz"
        [ "$status" -ne 0 ]
        [[ "$output" == *"truncated gzip stream"* ]]
        head -c 10000 "$T/l.tar" > "$T/cut.tar"
        run "$LAYER_TOOL" unpack "$T/d2" "$T/cut.tar"
        [ "$status" -ne 0 ]
        [[ "$output" == *"Truncated tar archive"* ]]
        check_outside_unchanged
}

#!/usr/bin/env bats
# Snapshots as root: overlay mounts of deep stacks (new mount API and
# mount(2) with short links), read-only mounts, the copy fallback, overlay
# whiteouts and opaque dirs seen through a real overlay, concurrent unpacks,
# removal. Teardown fails if a mount is left under the test directory.

load layer-helpers

setup() {
        layer_setup
        grep -qw overlay /proc/filesystems || skip "no overlayfs"
        R="$T/root"
        mkdir -p "$T/up" "$T/work" "$T/mnt"
}
teardown() { layer_teardown; }

# stack N: unpacks N layers (see mkstack) and sets CHAIN to the top.
stack() {
        mkdir -p "$T/stack"
        mkstack "$T/stack" "$1"
        CHAIN=$("$LAYER_TOOL" snap-stack "$R" "$T"/stack/l*.tar)
}

@test "a stack of 300 layers mounts with lowerdir+, and with mount(2) by flattening its bottom" {
        stack 300
        run "$LAYER_TOOL" snap-mount "$R" "$CHAIN" "$T/up" "$T/work" "$T/mnt" overlay
        [ "$status" -eq 0 ]
        [ "$output" = overlay ]
        [ "$(ls "$T/mnt" | sort | tr '\n' ' ')" = "base f299 " ]
        echo new > "$T/mnt/written"
        rm "$T/mnt/base"
        [ -f "$T/up/written" ]
        [ "$(stat -c '%F %t:%T' "$T/up/base")" = "character special file 0:0" ]
        run "$LAYER_TOOL" snap-umount "$T/mnt"
        [ "$status" -eq 0 ]
        # mount(2) cannot take 300 short paths in its page of options: the bottom 200 layers
        # are flattened into one lower dir (made once), the top 100 stay separate
        run "$LAYER_TOOL" snap-mount "$R" "$CHAIN" "$T/up" "$T/work" "$T/mnt" overlay --legacy
        [ "$status" -eq 0 ]
        [ "$(ls "$T/mnt" | sort | tr '\n' ' ')" = "f299 written " ]
        flat=$(ls -d "$R"/layers/*/flat)
        [ "$(echo "$flat" | wc -l)" = 1 ]
        [ "$(ls "$flat" | sort | tr '\n' ' ')" = "base f199 " ]
        grep -q "lowerdir=l/.*l/[0-9a-f]\{16\}f" /proc/self/mountinfo
        run "$LAYER_TOOL" snap-umount "$T/mnt"
        [ "$status" -eq 0 ]
        ! mountpoint -q "$T/mnt"
        [ "$(count_entries "$R/layers/tmp")" = 0 ]
        check_outside_unchanged
}

@test "a stack of 150 layers (> 128) mounts with mount(2) and short links" {
        stack 150
        run "$LAYER_TOOL" snap-mount "$R" "$CHAIN" "$T/up" "$T/work" "$T/mnt" overlay --legacy
        [ "$status" -eq 0 ]
        [ "$(ls "$T/mnt" | sort | tr '\n' ' ')" = "base f149 " ]
        grep -q "lowerdir=l/" /proc/self/mountinfo
        "$LAYER_TOOL" snap-umount "$T/mnt"
}

@test "read-only mount of one layer and of an empty image" {
        mktar "$T/one.tar" f:hello:world
        c=$("$LAYER_TOOL" snap-unpack "$R" - "$T/one.tar")
        run "$LAYER_TOOL" snap-mount "$R" "$c" - - "$T/mnt" overlay --ro
        [ "$status" -eq 0 ]
        [ "$(cat "$T/mnt/hello")" = world ]
        ! touch "$T/mnt/x"
        "$LAYER_TOOL" snap-umount "$T/mnt"
        run "$LAYER_TOOL" snap-mount "$R" - "$T/up" "$T/work" "$T/mnt" overlay
        [ "$status" -eq 0 ]
        [ "$(count_entries "$T/mnt")" = 0 ]
        "$LAYER_TOOL" snap-umount "$T/mnt"
}

@test "opaque directories, whiteouts and device nodes through a real overlay" {
        mktar "$T/a.tar" d:etc/ f:etc/old:o f:etc/keep:k d:var/ f:var/x:x c:dev-null:1,3
        mktar "$T/b.tar" d:etc/ f:etc/.wh..wh..opq f:etc/new:n f:var/.wh.x
        a=$("$LAYER_TOOL" snap-unpack "$R" - "$T/a.tar")
        b=$("$LAYER_TOOL" snap-unpack "$R" "$a" "$T/b.tar")
        hex=${b#sha256:}
        [ "$(getxattr "$R/layers/$hex/diff/etc" trusted.overlay.opaque)" = y ]
        run "$LAYER_TOOL" snap-mount "$R" "$b" "$T/up" "$T/work" "$T/mnt"
        [ "$status" -eq 0 ]
        [ "$(ls "$T/mnt/etc")" = new ]
        [ "$(count_entries "$T/mnt/var")" = 0 ]
        [ "$(stat -c '%F %t:%T' "$T/mnt/dev-null")" = "character special file 1:3" ]
        "$LAYER_TOOL" snap-umount "$T/mnt"
}

@test "copy fallback gives the same tree as the overlay" {
        mktar "$T/a.tar" d:etc/ f:etc/old:o f:etc/keep:k f:h1:hard h:h2:h1 l:ln:etc/keep
        mktar "$T/b.tar" d:etc/ f:etc/.wh..wh..opq f:etc/new:n f:.wh.ln
        a=$("$LAYER_TOOL" snap-unpack "$R" - "$T/a.tar")
        b=$("$LAYER_TOOL" snap-unpack "$R" "$a" "$T/b.tar")
        "$LAYER_TOOL" snap-mount "$R" "$b" "$T/up" "$T/work" "$T/mnt"
        mkdir "$T/copy"
        run "$LAYER_TOOL" snap-mount "$R" "$b" - - "$T/copy" copy
        [ "$status" -eq 0 ]
        [ "$output" = copy ]
        list() { (cd "$1" && find . -mindepth 1 -printf '%p %y %m %U %G %s %n %T@ %l\n' | sort); }
        overlay=$(list "$T/mnt")
        "$LAYER_TOOL" snap-umount "$T/mnt"
        [ "$(list "$T/copy")" = "$overlay" ]
        [ ! -e "$T/copy/ln" ]
        [ "$(stat -c %h "$T/copy/h2")" = 2 ]
        ! mountpoint -q "$T/copy"
}

@test "concurrent unpacks of one chain make one snapshot; remove leaves nothing" {
        head -c 3000000 /dev/urandom | base64 > "$T/data"
        mktar "$T/big.tar" "F:data:$T/data"
        gzip "$T/big.tar"
        for i in 1 2 3 4; do
                "$LAYER_TOOL" snap-unpack "$R" - "$T/big.tar.gz" > "$T/out$i" &
        done
        wait
        c=$(cat "$T/out1")
        for i in 2 3 4; do [ "$(cat "$T/out$i")" = "$c" ]; done
        [ "$(count_entries "$R/layers")" = 4 ]
        [ "$(count_entries "$R/layers/tmp")" = 0 ]
        run "$LAYER_TOOL" snap-remove "$R" "$c"
        [ "$status" -eq 0 ]
        [ "$(ls "$R/layers" | tr '\n' ' ')" = "empty l tmp " ]
        [ "$(count_entries "$R/layers/l")" = 0 ]
        [ "$(count_entries "$R/layers/tmp")" = 0 ]
}

@test "a corrupt layer in a stack leaves no snapshot and no temp dir" {
        mktar "$T/a.tar" f:a:a
        a=$("$LAYER_TOOL" snap-unpack "$R" - "$T/a.tar")
        mktar "$T/b.tar" f:ok:1 "f:../../escape:x"
        run "$LAYER_TOOL" snap-unpack "$R" "$a" "$T/b.tar"
        [ "$status" -ne 0 ]
        [[ "$output" == *"points outside the layer"* ]]
        [ "$(count_entries "$R/layers")" = 4 ]
        [ "$(count_entries "$R/layers/tmp")" = 0 ]
        [ ! -e "$T/escape" ] && [ ! -e "$R/escape" ]
        check_outside_unchanged
}

@test "the upper dir is a complete diff: renamed lower dirs are copied up, packed with whiteouts" {
        mktar "$T/a.tar" d:etc/ f:etc/a:a f:etc/b:b f:gone:g
        a=$("$LAYER_TOOL" snap-unpack "$R" - "$T/a.tar")
        "$LAYER_TOOL" snap-mount "$R" "$a" "$T/up" "$T/work" "$T/mnt"
        mv "$T/mnt/etc" "$T/mnt/etc2"
        rm "$T/mnt/gone"
        "$LAYER_TOOL" snap-umount "$T/mnt"
        [ "$(ls "$T/up/etc2" | tr '\n' ' ')" = "a b " ]
        run "$LAYER_TOOL" create "$T/up" "$T/diff.tar" none --overlay
        [ "$status" -eq 0 ]
        [ "$(tar -tf "$T/diff.tar" | sort | tr '\n' ' ')" = ".wh.etc .wh.gone etc2/ etc2/a etc2/b " ]
        # the diff as a new layer on top gives the container's view back
        b=$("$LAYER_TOOL" snap-unpack "$R" "$a" "$T/diff.tar")
        mkdir "$T/copy"
        "$LAYER_TOOL" snap-mount "$R" "$b" - - "$T/copy" copy
        [ "$(cd "$T/copy" && find . -mindepth 1 | sort | tr '\n' ' ')" = "./etc2 ./etc2/a ./etc2/b " ]
}

#!/usr/bin/env bats
# Bad archives are refused with a clear error and leave nothing in the store.

load image-helpers

# A docker-archive from a directory of files: mkarchive DIR OUT
mkarchive() {
        tar -C "$1" -cf "$2" .
}

# Builds $TMP/good: a valid docker-archive directory (old layout: <hex>.json, <id>/layer.tar).
good_archive() {
        mkdir -p "$TMP/good/layerdir/etc" "$TMP/good/l1"
        echo data >"$TMP/good/layerdir/etc/file"
        tar -C "$TMP/good/layerdir" -cf "$TMP/good/l1/layer.tar" etc
        rm -rf "$TMP/good/layerdir"
        diff_id=sha256:$(sha256sum "$TMP/good/l1/layer.tar" | cut -d' ' -f1)
        printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
                "$diff_id" >"$TMP/good/config"
        cfg=$(sha256sum "$TMP/good/config" | cut -d' ' -f1)
        mv "$TMP/good/config" "$TMP/good/$cfg.json"
        printf '[{"Config":"%s.json","RepoTags":["bad/test:1"],"Layers":["l1/layer.tar"]}]' "$cfg" >"$TMP/good/manifest.json"
}

refused() {
        run berth load -i "$1"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"$2"* ]]
        assert_store_empty
}

@test "the hand-made archive of these tests loads (so the refusals below mean something)" {
        good_archive
        mkarchive "$TMP/good" "$TMP/good.tar"
        run berth load -i "$TMP/good.tar"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: bad/test:1" ]
}

@test "truncated archive" {
        berth_at "$TMP/src" busybox-image >/dev/null
        berth_at "$TMP/src" save -o "$TMP/a.tar" busybox
        head -c 1000000 "$TMP/a.tar" >"$TMP/trunc.tar"
        refused "$TMP/trunc.tar" "truncated"
}

@test "not a tar at all, and an empty file" {
        head -c 4096 /dev/urandom >"$TMP/noise"
        refused "$TMP/noise" "read archive"
        : >"$TMP/empty"
        refused "$TMP/empty" "read archive"
}

@test "layer content that does not match the config's diff_id" {
        good_archive
        echo tampered >>"$TMP/good/l1/layer.tar"
        mkarchive "$TMP/good" "$TMP/bad.tar"
        refused "$TMP/bad.tar" "diff_id mismatch"
}

@test "config named by a digest it does not have" {
        good_archive
        cfg=$(ls "$TMP/good" | grep json$ | grep -v manifest)
        sed -i 's/"sh"/"su"/' "$TMP/good/$cfg"
        mkarchive "$TMP/good" "$TMP/bad.tar"
        refused "$TMP/bad.tar" "digest mismatch"
}

@test "OCI layout blob that does not match its digest" {
        command -v skopeo >/dev/null || skip "skopeo not installed"
        berth_at "$TMP/src" busybox-image >/dev/null
        berth_at "$TMP/src" save -o "$TMP/a.tar" busybox
        skopeo copy -q "docker-archive:$TMP/a.tar" "oci:$TMP/lay:x"
        big=$(ls -S "$TMP/lay/blobs/sha256" | head -1)
        printf 'X' | dd of="$TMP/lay/blobs/sha256/$big" bs=1 seek=1000 conv=notrunc status=none
        tar -C "$TMP/lay" -cf "$TMP/bad.tar" .
        refused "$TMP/bad.tar" "digest mismatch"
        refused "$TMP/lay" "digest mismatch"
}

@test "hostile JSON: wrong types, deep nesting, missing files, paths out of the archive" {
        good_archive
        cp -a "$TMP/good" "$TMP/g2"
        echo '{"not":"an array"}' >"$TMP/good/manifest.json"
        mkarchive "$TMP/good" "$TMP/b1.tar"
        refused "$TMP/b1.tar" "manifest.json: expected an array"
        { head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; } >"$TMP/good/manifest.json"
        mkarchive "$TMP/good" "$TMP/b2.tar"
        refused "$TMP/b2.tar" "manifest.json"
        cfg=$(ls "$TMP/good" | grep -v manifest | grep json$)
        printf '[{"Config":"%s","RepoTags":["x:1"],"Layers":["../../../etc/passwd"]}]' "$cfg" >"$TMP/good/manifest.json"
        mkarchive "$TMP/good" "$TMP/b3.tar"
        refused "$TMP/b3.tar" "not found in the archive"
        printf '[{"Config":"%s","RepoTags":[42],"Layers":["l1/layer.tar"]}]' "$cfg" >"$TMP/good/manifest.json"
        mkarchive "$TMP/good" "$TMP/b4.tar"
        refused "$TMP/b4.tar" "RepoTags"
        printf '[{"Config":"%s","RepoTags":["UPPER:1"],"Layers":["l1/layer.tar"]}]' "$cfg" >"$TMP/good/manifest.json"
        mkarchive "$TMP/good" "$TMP/b5.tar"
        refused "$TMP/b5.tar" "must be lowercase"
        printf '[{"Config":"%s","RepoTags":["x:1"],"Layers":[]}]' "$cfg" >"$TMP/good/manifest.json"
        mkarchive "$TMP/good" "$TMP/b6.tar"
        refused "$TMP/b6.tar" "the config lists 1 layers, the archive gives 0"
        # a config with a bad diff_id and one with a bad type
        printf '{"rootfs":{"type":"layers","diff_ids":["md5:00"]}}' >"$TMP/g2/c.json"
        printf '[{"Config":"c.json","Layers":["l1/layer.tar"]}]' >"$TMP/g2/manifest.json"
        mkarchive "$TMP/g2" "$TMP/b7.tar"
        refused "$TMP/b7.tar" "rootfs.diff_ids[0]: invalid digest"
        printf '{"config":{"Env":"PATH=/bin"},"rootfs":{"type":"layers","diff_ids":[]}}' >"$TMP/g2/c.json"
        mkarchive "$TMP/g2" "$TMP/b8.tar"
        refused "$TMP/b8.tar" "Env: expected array"
}

@test "archive entries with names leaving the archive" {
        good_archive
        : >"$TMP/escape"
        tar -C "$TMP/good" -cf "$TMP/evil.tar" .
        tar -C "$TMP" -P --transform 's,^escape$,../../escape,' -rf "$TMP/evil.tar" escape
        rm "$TMP/escape"
        refused "$TMP/evil.tar" "invalid name"
        [ ! -e "$TMP/escape" ] && [ ! -e "$ROOT/../escape" ]
}

@test "a layer that tries to write outside its directory" {
        good_archive
        echo pwned >"$TMP/payload"
        tar -C "$TMP" -P --transform 's,^payload$,../../../../escaped-file,' -cf "$TMP/good/l1/layer.tar" payload
        rm "$TMP/payload"
        diff_id=sha256:$(sha256sum "$TMP/good/l1/layer.tar" | cut -d' ' -f1)
        old=$(ls "$TMP/good" | grep -v manifest | grep json$)
        printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$diff_id" >"$TMP/c"
        cfg=$(sha256sum "$TMP/c" | cut -d' ' -f1)
        rm "$TMP/good/$old"
        mv "$TMP/c" "$TMP/good/$cfg.json"
        printf '[{"Config":"%s.json","RepoTags":["evil:1"],"Layers":["l1/layer.tar"]}]' "$cfg" >"$TMP/good/manifest.json"
        mkarchive "$TMP/good" "$TMP/evil.tar"
        before=$(find / -xdev -maxdepth 1 -name escaped-file 2>/dev/null)
        refused "$TMP/evil.tar" "points outside the layer"
        [ ! -e /escaped-file ] && [ ! -e "$TMP/escaped-file" ] && [ ! -e "$ROOT/escaped-file" ]
        [ -z "$before" ]
}

@test "import of something that is not a tarball leaves nothing" {
        head -c 100000 /dev/urandom >"$TMP/noise"
        run berth import "$TMP/noise" x:1
        [ "$status" -eq 1 ]
        [[ "$output" == *"not a tar archive"* ]]
        assert_store_empty
        mkdir -p "$TMP/r"
        echo x >"$TMP/payload"
        tar -C "$TMP" -P --transform 's,^payload$,../../evil,' -cf "$TMP/evil.tar" payload
        run berth import "$TMP/evil.tar" x:1
        [ "$status" -eq 1 ]
        [[ "$output" == *"points outside the layer"* ]]
        assert_store_empty
}

@test "gzip layer whose content does not match the config's diff_id" {
        good_archive
        gzip -n "$TMP/good/l1/layer.tar"
        echo tampered >"$TMP/extra"
        tar -C "$TMP" -cf - extra | gzip -n >"$TMP/good/l1/layer.tar"
        rm "$TMP/good/l1/layer.tar.gz"
        mkarchive "$TMP/good" "$TMP/bad.tar"
        refused "$TMP/bad.tar" "mismatch"
}

@test "gzip layer without libisal: the error names the library and nothing is left" {
        grep -q libisal.so.2 "$BERTH_BIN" || skip "built without ISA-L"
        lib=$(ldconfig -p | awk '$1 == "libisal.so.2" { print $NF; exit }')
        [ -n "$lib" ]
        good_archive
        gzip -n "$TMP/good/l1/layer.tar"
        mv "$TMP/good/l1/layer.tar.gz" "$TMP/good/l1/layer.tar"
        mkarchive "$TMP/good" "$TMP/gz.tar"
        # hidden in a private mount namespace only: the library's path there is an empty file
        run unshare -m --propagation private sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
                sh "$lib" "$BERTH_BIN" --root "$ROOT" --runroot "$RUNROOT" load -i "$TMP/gz.tar"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"gzip decompression: cannot load libisal.so.2"* ]]
        assert_store_empty
        run berth load -i "$TMP/gz.tar"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: bad/test:1" ]
}

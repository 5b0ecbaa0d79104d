#!/usr/bin/env bats
# berth save / load / import: round trips, formats written by skopeo, umoci and podman.

load image-helpers

@test "save then load keeps every digest and the image ID" {
        berth busybox-image >/dev/null
        berth tag busybox second:tag
        id=$(berth images -q --no-trunc | sort -u)
        run berth save -o "$TMP/a.tar" busybox second:tag
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run berth_at "$TMP/r2" load -i "$TMP/a.tar"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Loaded image: busybox:latest" ]
        [ "${lines[1]}" = "Loaded image: second:tag" ]
        [ "$(berth_at "$TMP/r2" images -q --no-trunc | sort -u)" = "$id" ]
        # every blob (config, manifest, layers) is the same, byte for byte
        [ "$(blobs_of "$ROOT")" = "$(blobs_of "$TMP/r2")" ]
        [ "$(berth inspect -f '{{json .RootFS}}' busybox)" = "$(berth_at "$TMP/r2" inspect -f '{{json .RootFS}}' busybox)" ]
        # and saving again gives the same archive
        berth_at "$TMP/r2" save busybox second:tag >"$TMP/b.tar"
        cmp "$TMP/a.tar" "$TMP/b.tar"
        # stdin works too, and loading twice is harmless
        run berth_at "$TMP/r2" load <"$TMP/a.tar"
        [ "$status" -eq 0 ]
        [ "$(berth_at "$TMP/r2" images -q | wc -l)" -eq 2 ]
}

@test "save refuses a terminal and unknown images, leaving no file" {
        berth busybox-image >/dev/null
        run berth save -o "$TMP/x.tar" nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *"No such image: nosuch"* ]]
        [ ! -e "$TMP/x.tar" ]
        [ -z "$(ls "$TMP" | grep berth-tmp || true)" ]
        run berth save
        [ "$status" -eq 125 ]
}

@test "an archive written by skopeo docker-archive loads" {
        command -v skopeo >/dev/null || skip "skopeo not installed"
        berth busybox-image >/dev/null
        berth save -o "$TMP/a.tar" busybox
        skopeo copy -q "docker-archive:$TMP/a.tar" "docker-archive:$TMP/sk.tar:skopeo/made:1"
        run berth_at "$TMP/r2" load -i "$TMP/sk.tar"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: skopeo/made:1" ]
        # same layer content, whatever skopeo did to the config
        [ "$(berth inspect -f '{{json .RootFS.Layers}}' busybox)" = "$(berth_at "$TMP/r2" inspect -f '{{json .RootFS.Layers}}' skopeo/made:1)" ]
}

@test "OCI layouts written by skopeo load, as a tar, a directory and an oci-archive" {
        command -v skopeo >/dev/null || skip "skopeo not installed"
        berth busybox-image >/dev/null
        berth save -o "$TMP/a.tar" busybox
        skopeo copy -q "docker-archive:$TMP/a.tar" "oci:$TMP/layout:mytag"
        tar -C "$TMP/layout" -cf "$TMP/layout.tar" .
        run berth_at "$TMP/r2" load -i "$TMP/layout.tar"
        [ "$status" -eq 0 ]
        # a bare tag in ref.name names no repository: loaded untagged, as docker does
        [[ "$output" =~ ^Loaded\ image\ ID:\ sha256:[0-9a-f]{64}$ ]]
        run berth_at "$TMP/r3" load -i "$TMP/layout"
        [ "$status" -eq 0 ]
        skopeo copy -q --dest-compress "docker-archive:$TMP/a.tar" "oci-archive:$TMP/oa.tar:example.com/x/gz:1.0"
        run berth_at "$TMP/r2" load -i "$TMP/oa.tar"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: example.com/x/gz:1.0" ]
        # the gzip layer keeps its compressed digest and gets the same diff_id
        [ "$(berth inspect -f '{{json .RootFS.Layers}}' busybox)" = "$(berth_at "$TMP/r2" inspect -f '{{json .RootFS.Layers}}' example.com/x/gz:1.0)" ]
        # a loaded gzip image saves and loads again with the same blobs
        berth_at "$TMP/r2" save -o "$TMP/again.tar" example.com/x/gz:1.0
        berth_at "$TMP/r4" load -i "$TMP/again.tar"
        [ "$(berth_at "$TMP/r4" images -q)" = "$(berth_at "$TMP/r2" images -q example.com/x/gz)" ]
}

@test "an OCI layout made by umoci loads" {
        command -v umoci >/dev/null || skip "umoci not installed"
        cd "$TMP"
        umoci init --layout lay
        umoci new --image lay:latest
        umoci unpack --image lay:latest bundle
        echo hello >bundle/rootfs/hello.txt
        mkdir bundle/rootfs/etc
        umoci repack --image lay:latest bundle
        umoci config --image lay:latest --config.cmd /bin/hello --config.env A=b
        tar -C lay -cf lay.tar .
        run berth load -i lay.tar
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^Loaded\ image\ ID: ]]
        id=${output##* }
        [ "$(berth inspect -f '{{json .Config.Cmd}}' "$id")" = '["/bin/hello"]' ]
        chain=$(berth inspect -f '{{json .RootFS.Layers}}' "$id" | jq -r '.[0]')
        [ "$(cat "$ROOT/layers/${chain#sha256:}/diff/hello.txt")" = hello ]
}

@test "berth save output loads in podman and reads with skopeo inspect" {
        command -v podman >/dev/null || skip "podman not installed"
        command -v skopeo >/dev/null || skip "skopeo not installed"
        berth busybox-image >/dev/null
        id=$(berth images -q --no-trunc)
        berth save -o "$TMP/a.tar" busybox
        run skopeo inspect "docker-archive:$TMP/a.tar"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .Layers[0])" = "$(berth inspect -f '{{json .RootFS.Layers}}' busybox | jq -r '.[0]')" ]
        run podman_tmp load -i "$TMP/a.tar"
        [ "$status" -eq 0 ]
        [[ "$output" =~ Loaded\ image:\ (localhost|docker.io/library)/busybox:latest ]]
        run podman_tmp images --no-trunc --format '{{.ID}}'
        podman_cleanup
        [ "$output" = "$id" ] || [ "sha256:$output" = "$id" ]
}

@test "import a rootfs tarball with --change and -m" {
        mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/data"
        echo hi >"$TMP/rootfs/data/file"
        tar -C "$TMP/rootfs" -czf "$TMP/rootfs.tgz" .
        run berth import -c 'CMD ["/bin/sh", "-c", "echo hi"]' -c 'ENV A=1 B="two words"' -c 'WORKDIR /data' \
                -c 'USER nobody' -c 'EXPOSE 8080 53/udp' -c 'LABEL team=core' -c 'VOLUME /data' \
                -c 'ENTRYPOINT /bin/entry' -c 'STOPSIGNAL SIGINT' -m 'my import' "$TMP/rootfs.tgz" imported:v1
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
        cfg=$(berth inspect -f '{{json .Config}}' imported:v1)
        [ "$(echo "$cfg" | jq -c .Cmd)" = '["/bin/sh","-c","echo hi"]' ]
        [ "$(echo "$cfg" | jq -c .Entrypoint)" = '["/bin/sh","-c","/bin/entry"]' ]
        [ "$(echo "$cfg" | jq -c .Env)" = '["A=1","B=two words"]' ]
        [ "$(echo "$cfg" | jq -r .WorkingDir)" = /data ]
        [ "$(echo "$cfg" | jq -r .User)" = nobody ]
        [ "$(echo "$cfg" | jq -c '.ExposedPorts | keys')" = '["53/udp","8080/tcp"]' ]
        [ "$(echo "$cfg" | jq -r .Labels.team)" = core ]
        [ "$(echo "$cfg" | jq -c '.Volumes | keys')" = '["/data"]' ]
        [ "$(echo "$cfg" | jq -r .StopSignal)" = SIGINT ]
        run berth history --format '{{.Comment}}' imported:v1
        [ "$output" = "my import" ]
        chain=$(berth inspect -f '{{json .RootFS.Layers}}' imported:v1 | jq -r '.[0]')
        [ "$(cat "$ROOT/layers/${chain#sha256:}/diff/data/file")" = hi ]
        # from stdin, untagged
        run berth import - <"$TMP/rootfs.tgz"
        [ "$status" -eq 0 ]
        run berth import -c 'FROBNICATE x' "$TMP/rootfs.tgz"
        [ "$status" -eq 1 ]
        [[ "$output" == *"FROBNICATE is not supported"* ]]
}

@test "two loads of the same archive at once both succeed" {
        berth busybox-image >/dev/null
        berth save -o "$TMP/a.tar" busybox
        berth_at "$TMP/r2" load -i "$TMP/a.tar" >"$TMP/out1" 2>&1 &
        p1=$!
        berth_at "$TMP/r2" load -i "$TMP/a.tar" >"$TMP/out2" 2>&1 &
        p2=$!
        wait $p1
        wait $p2
        [ "$(berth_at "$TMP/r2" images -q --no-trunc)" = "$(berth images -q --no-trunc)" ]
        [ "$(blobs_of "$ROOT")" = "$(blobs_of "$TMP/r2")" ]
}

@test "docker's old save layout: symlinked shared layer, gzip layer, two images sharing a base" {
        mkdir -p "$TMP/arc/aaa" "$TMP/arc/bbb" "$TMP/arc/ccc" "$TMP/src1/etc" "$TMP/src2/usr"
        echo one >"$TMP/src1/etc/one"
        echo two >"$TMP/src2/usr/two"
        tar -C "$TMP/src1" -cf "$TMP/arc/aaa/layer.tar" etc
        tar -C "$TMP/src2" -cf - usr | gzip -n >"$TMP/arc/ccc/layer.tar"
        ln -s ../aaa/layer.tar "$TMP/arc/bbb/layer.tar"
        d1=sha256:$(sha256sum <"$TMP/arc/aaa/layer.tar" | cut -d' ' -f1)
        d2=sha256:$(gzip -dc "$TMP/arc/ccc/layer.tar" | sha256sum | cut -d' ' -f1)
        printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$d1" >"$TMP/c1"
        printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s","%s"]}}' "$d1" "$d2" >"$TMP/c2"
        c1=$(sha256sum <"$TMP/c1" | cut -d' ' -f1)
        c2=$(sha256sum <"$TMP/c2" | cut -d' ' -f1)
        cp "$TMP/c1" "$TMP/arc/$c1.json"
        cp "$TMP/c2" "$TMP/arc/$c2.json"
        printf '[{"Config":"%s.json","RepoTags":["base:1"],"Layers":["aaa/layer.tar"]},{"Config":"%s.json","RepoTags":["app:2","app:latest"],"Layers":["bbb/layer.tar","ccc/layer.tar"]}]' \
                "$c1" "$c2" >"$TMP/arc/manifest.json"
        echo '{"base":{"1":"aaa"}}' >"$TMP/arc/repositories"
        tar -C "$TMP/arc" -cf "$TMP/old.tar" .
        run berth load -i "$TMP/old.tar"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Loaded image: base:1" ]
        [ "${lines[1]}" = "Loaded image: app:2" ]
        [ "${lines[2]}" = "Loaded image: app:latest" ]
        [ "$(berth inspect -f '{{.Id}}' app:2)" = "sha256:$c2" ]
        # the shared base is unpacked once: two snapshots for three layers
        [ "$(ls "$ROOT/layers" | grep -c -E '^[0-9a-f]{64}$')" -eq 2 ]
        [ "$(cat "$ROOT/layers/${d1#sha256:}/diff/etc/one")" = one ]
        run berth rmi base:1
        [ "$status" -eq 0 ]
        [ -d "$ROOT/layers/${d1#sha256:}" ]
        # app keeps the base layer blob it shares
        run berth save app:2 -o "$TMP/app.tar"
        [ "$status" -eq 0 ]
        run berth rmi -f "sha256:$c2"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Deleted: sha256:$c2"* ]]
        assert_store_empty
        run berth load -i "$TMP/app.tar"
        [ "$status" -eq 0 ]
        [ "$(berth inspect -f '{{.Id}}' app:2)" = "sha256:$c2" ]
}

@test "loading a tag that names another image moves it, as docker says" {
        berth busybox-image >/dev/null
        berth save -o "$TMP/bb.tar" busybox
        mkdir -p "$TMP/rootfs/x"
        tar -C "$TMP/rootfs" -cf "$TMP/r.tar" .
        old=$(berth_at "$TMP/r2" import "$TMP/r.tar" busybox:latest)
        run berth_at "$TMP/r2" load -i "$TMP/bb.tar"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "The image busybox:latest already exists, renaming the old one with ID $old to empty string" ]
        [ "${lines[1]}" = "Loaded image: busybox:latest" ]
        run berth_at "$TMP/r2" images --filter dangling=true --no-trunc -q
        [ "$output" = "$old" ]
}

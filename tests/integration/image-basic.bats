#!/usr/bin/env bats
# berth busybox-image, images (formats), inspect, history, tag, rmi, prune, system df.

load image-helpers

@test "busybox-image creates busybox:latest with a stable ID" {
        run berth busybox-image
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Loaded image: busybox:latest" ]
        id1=${lines[1]}
        [[ "$id1" =~ ^sha256:[0-9a-f]{64}$ ]]
        run berth_at "$TMP/other" busybox-image -q
        [ "$status" -eq 0 ]
        [ "$output" = "$id1" ]
        run berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
        [ "$output" = "busybox:latest ${id1:7:12}" ]
        # the rootfs holds busybox, its applets as symlinks, passwd and group
        chain=$(berth inspect -f '{{json .RootFS.Layers}}' busybox | jq -r '.[0]')
        diff=$ROOT/layers/${chain#sha256:}/diff
        [ -x "$diff/bin/busybox" ]
        [ "$(readlink "$diff/bin/sh")" = /bin/busybox ]
        grep -q '^root:x:0:0:' "$diff/etc/passwd"
        grep -q '^nobody:x:65534:' "$diff/etc/group"
        [ "$(stat -c %a "$diff/tmp")" = 1777 ]
        [ -d "$diff/home" ] && [ -d "$diff/root" ]
}

@test "images: table, -q, --no-trunc, --digests, json and templates" {
        berth busybox-image >/dev/null
        id=$(berth images -q)
        [[ "$id" =~ ^[0-9a-f]{12}$ ]]
        run berth images
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
        [[ "${lines[1]}" =~ ^busybox\ +latest\ +$id\ +.+\ ago\ +[0-9.]+[kM]B$ ]]
        run berth images --no-trunc -q
        [[ "$output" =~ ^sha256:$id[0-9a-f]{52}$ ]]
        run berth images --digests
        [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID ]]
        run berth images --format json
        [ "$(echo "$output" | jq -r .Repository)" = busybox ]
        [ "$(echo "$output" | jq -r .ID)" = "$id" ]
        run berth images --format 'table {{.Repository}}\t{{.Tag}}'
        [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG$ ]]
        [[ "${lines[1]}" =~ ^busybox\ +latest$ ]]
        run berth images --format '{{.Nope}}'
        [ "$status" -eq 1 ]
        [[ "$output" == *"can't evaluate field Nope"* ]]
        run berth images --bogus
        [ "$status" -eq 125 ]
        run berth images busybox:nope
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 1 ]
}

@test "inspect gives docker's image document" {
        berth busybox-image >/dev/null
        run berth image inspect busybox
        [ "$status" -eq 0 ]
        doc=$output
        [ "$(echo "$doc" | jq -r '.[0].RepoTags[0]')" = busybox:latest ]
        [ "$(echo "$doc" | jq -r '.[0].Os')" = linux ]
        [ "$(echo "$doc" | jq -r '.[0].Architecture')" = amd64 ]
        [ "$(echo "$doc" | jq -r '.[0].Config.Cmd[0]')" = sh ]
        [ "$(echo "$doc" | jq -r '.[0].RootFS.Type')" = layers ]
        [ "$(echo "$doc" | jq -r '.[0].Size')" -gt 1000000 ]
        id=$(echo "$doc" | jq -r '.[0].Id')
        run berth inspect --format '{{.Id}}' "${id:7:5}"
        [ "$output" = "$id" ]
        run berth inspect --format '{{index .RepoTags 0}} {{index .Config.Cmd 0}} {{json .RootFS.Type}}' busybox
        [ "$output" = 'busybox:latest sh "layers"' ]
        run berth inspect nosuchimage
        [ "$status" -eq 1 ]
        [[ "$output" == *"No such image: nosuchimage"* ]]
}

@test "history lists the layers newest first" {
        berth busybox-image >/dev/null
        run berth history busybox
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^IMAGE\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
        [[ "${lines[1]}" == *"berth busybox-image"*"…"* ]]
        run berth history --no-trunc --format '{{.CreatedBy}}|{{.Size}}' busybox
        [[ "$output" =~ ^berth\ busybox-image:.*applet\|[0-9.]+MB$ ]]
        run berth history -q busybox
        [ "$output" = "$(berth images -q)" ]
}

@test "tag, then rmi untags until the last tag deletes the image" {
        berth busybox-image >/dev/null
        id=$(berth images -q --no-trunc)
        run berth tag busybox localhost:5000/team/app:v1
        [ "$status" -eq 0 ]
        run berth tag busybox 'Bad:Name'
        [ "$status" -eq 1 ]
        [[ "$output" == *"must be lowercase"* ]]
        run berth images --format '{{.Repository}}:{{.Tag}}'
        [[ "$output" == *"localhost:5000/team/app:v1"* ]]
        # by ID with tags in two repositories: docker's conflict
        run berth rmi "${id:7:12}"
        [ "$status" -eq 1 ]
        [[ "$output" == *"conflict: unable to delete"*"referenced in multiple repositories"* ]]
        run berth rmi localhost:5000/team/app:v1
        [ "$status" -eq 0 ]
        [ "$output" = "Untagged: localhost:5000/team/app:v1" ]
        [ -n "$(ls "$ROOT/blobs/sha256")" ]
        run berth rmi busybox
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Untagged: busybox:latest" ]
        [ "${lines[1]}" = "Deleted: $id" ]
        assert_store_empty
        run berth rmi busybox
        [ "$status" -eq 1 ]
        [[ "$output" == *"No such image: busybox:latest"* ]]
}

@test "rmi refuses an image a container holds, -f only untags it" {
        berth busybox-image >/dev/null
        id=$(berth images -q --no-trunc)
        # the engine's hook: a row in image_holds
        sqlite3 "$ROOT/berth.db" "INSERT INTO image_holds (image_id, holder) VALUES ('$id', 'c0ffee')"
        run berth rmi busybox
        [ "$status" -eq 1 ]
        [[ "$output" == *"container c0ffee is using its referenced image"* ]]
        run berth rmi "$id"
        [ "$status" -eq 1 ]
        [[ "$output" == *"image is being used by container c0ffee"* ]]
        run berth rmi -f busybox
        [ "$status" -eq 0 ]
        [ "$output" = "Untagged: busybox:latest" ]
        [ "$(berth images -q --no-trunc)" = "$id" ]
        run berth image prune -a -f
        [ "$(berth images -q --no-trunc)" = "$id" ]
        sqlite3 "$ROOT/berth.db" "DELETE FROM image_holds"
        run berth image prune -f
        [ "$status" -eq 0 ]
        [[ "$output" == *"deleted: $id"* ]]
        [[ "${lines[-1]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+MB$ ]]
        assert_store_empty
}

@test "image prune keeps tagged images unless -a" {
        berth busybox-image >/dev/null
        run berth image prune -f
        [ "$status" -eq 0 ]
        [ "$output" = "Total reclaimed space: 0B" ]
        [ -n "$(berth images -q)" ]
        run berth image prune -a -f
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Deleted Images:" ]
        [ "${lines[1]}" = "untagged: busybox:latest" ]
        assert_store_empty
}

@test "system df counts images and shared layers once" {
        berth busybox-image >/dev/null
        berth tag busybox again:1
        run berth system df
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
        [[ "${lines[1]}" =~ ^Images\ +1\ +0\ +2\.[0-9]+MB\ +2\.[0-9]+MB\ \(100%\)$ ]]
        run berth system df -v
        [ "$status" -eq 0 ]
        [[ "$output" == *"Images space usage:"* ]]
        [[ "$output" == *busybox* ]]
}

@test "global options: --version, --help, unknown command" {
        run "$BERTH_BIN" --version
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^Berth\ version\ [0-9] ]]
        run "$BERTH_BIN" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *images* ]]
        run berth nosuchcommand
        [ "$status" -eq 125 ]
        run berth image nosuch
        [ "$status" -eq 125 ]
}

@test "rmi -f of one tag only untags it while others remain" {
        berth busybox-image >/dev/null
        berth tag busybox other/name:2
        run berth rmi -f other/name:2
        [ "$status" -eq 0 ]
        [ "$output" = "Untagged: other/name:2" ]
        run berth images --format '{{.Repository}}:{{.Tag}}'
        [ "$output" = "busybox:latest" ]
        run berth rmi -f busybox
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Untagged: busybox:latest" ]
        [[ "${lines[1]}" == "Deleted: sha256:"* ]]
        assert_store_empty
}

@test "images --filter: dangling, reference, label, before, since" {
        berth busybox-image >/dev/null
        mkdir -p "$TMP/rootfs/x"
        tar -C "$TMP/rootfs" -cf "$TMP/r.tar" .
        berth import -c 'LABEL team=core' "$TMP/r.tar" labelled:1 >/dev/null
        berth import "$TMP/r.tar" >/dev/null
        run berth images --filter dangling=true --format '{{.Repository}}'
        [ "$output" = "<none>" ]
        run berth images --filter 'reference=label*' --format '{{.Repository}}:{{.Tag}}'
        [ "$output" = "labelled:1" ]
        run berth images --filter 'reference=busybox:lat*' --format '{{.Repository}}'
        [ "$output" = "busybox" ]
        run berth images --filter label=team=core --format '{{.Repository}}'
        [ "$output" = "labelled" ]
        run berth images --filter label=team=other -q
        [ -z "$output" ]
        run berth images --filter since=busybox --filter dangling=false --format '{{.Repository}}'
        [ "$output" = "labelled" ]
        run berth images --filter before=labelled:1 --format '{{.Repository}}'
        [ "$output" = "busybox" ]
        run berth images --filter bogus=1
        [ "$status" -eq 1 ]
        [[ "$output" == *"invalid filter 'bogus=1'"* ]]
}

@test "a removed snapshot is unpacked again from the kept blobs" {
        berth busybox-image >/dev/null
        chain=$(berth inspect -f '{{json .RootFS.Layers}}' busybox | jq -r '.[0]')
        rm -rf "${ROOT:?}/layers/${chain#sha256:}"
        # busybox-image again finds the image recorded and restores its layer
        run berth busybox-image -q
        [ "$status" -eq 0 ]
        [ -x "$ROOT/layers/${chain#sha256:}/diff/bin/busybox" ]
}

@test "history of an image without history shows its layers" {
        good=$TMP/arc
        mkdir -p "$good/l1" "$TMP/src/etc"
        echo x >"$TMP/src/etc/x"
        tar -C "$TMP/src" -cf "$good/l1/layer.tar" etc
        d=sha256:$(sha256sum <"$good/l1/layer.tar" | cut -d' ' -f1)
        printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$d" >"$good/c.json"
        echo '[{"Config":"c.json","RepoTags":["nohist:1"],"Layers":["l1/layer.tar"]}]' >"$good/manifest.json"
        tar -C "$good" -cf "$TMP/a.tar" .
        berth load -i "$TMP/a.tar"
        run berth history --format '{{.ID}} {{.Size}}' nohist:1
        [ "$status" -eq 0 ]
        [ "$output" = "$(berth images -q nohist) 10.2kB" ]
}

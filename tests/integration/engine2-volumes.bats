#!/usr/bin/env bats
# volume create/ls/inspect/rm/prune, named and anonymous volumes in run -v and --mount, population
# from the image, rm -v.

load engine-helpers

@test "volume create, ls, inspect, rm" {
        run berth volume create --label team=a v1
        [ "$status" -eq 0 ]
        [ "$output" = "v1" ]
        run berth volume ls
        [ "${lines[0]}" = "DRIVER    VOLUME NAME" ]
        [ "${lines[1]}" = "local     v1" ]
        [ "$(berth volume inspect -f '{{.Mountpoint}}' v1)" = "$ROOT/volumes/v1/_data" ]
        [ -d "$ROOT/volumes/v1/_data" ]
        run berth volume inspect v1
        [[ "$output" == *'"Driver": "local"'* ]]
        [[ "$output" == *'"team": "a"'* ]]
        [[ "$output" == *'"Scope": "local"'* ]]
        berth volume create v2 >/dev/null
        run berth volume ls -q --filter label=team=a
        [ "$output" = "v1" ]
        run berth volume ls --format '{{.Name}}:{{.Driver}}'
        [ "${lines[0]}" = "v1:local" ]
        [ "${lines[1]}" = "v2:local" ]
        run berth volume rm v1 v2
        [ "$status" -eq 0 ]
        [ ! -e "$ROOT/volumes/v1" ]
        run berth volume ls -q
        [ -z "$output" ]
}

@test "volume names and unknown volumes are checked" {
        run berth volume create 'bad/name'
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid characters"* ]]
        run berth volume rm nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *"no such volume"* ]]
        run berth volume inspect nosuch
        [ "$status" -eq 1 ]
        run berth volume rm -f nosuch
        [ "$status" -eq 0 ]
}

@test "a named volume keeps data across containers and after rm" {
        berth run --rm -v data:/data busybox sh -c 'echo persisted > /data/f'
        [ "$(cat "$ROOT/volumes/data/_data/f")" = "persisted" ]
        run berth run --rm -v data:/data:ro busybox sh -c 'cat /data/f; echo x > /data/g'
        [ "$status" -ne 0 ]
        [[ "$output" == *persisted* ]]
        [ ! -e "$ROOT/volumes/data/_data/g" ]
        run berth volume ls -q
        [ "$output" = "data" ]
}

@test "a new named volume is populated from the image, keeping owners and modes" {
        run berth run --rm -v etc:/etc busybox ls /etc
        [ "$status" -eq 0 ]
        [[ "$output" == *passwd* ]]
        [ -f "$ROOT/volumes/etc/_data/passwd" ]
        [ "$(stat -c %a "$ROOT/volumes/etc/_data/passwd")" = "$(berth run --rm busybox stat -c %a /etc/passwd)" ]
        # populated once: a later deletion stays deleted
        berth run --rm -v etc:/etc busybox rm /etc/group
        run berth run --rm -v etc:/etc busybox ls /etc
        [[ "$output" != *group* ]]
}

@test "a volume in use cannot be removed; rm -v removes anonymous volumes only" {
        berth create --name c1 -v named:/n -v /anon busybox true >/dev/null
        run berth volume ls -q
        [ "${#lines[@]}" -eq 2 ]
        run berth volume rm named
        [ "$status" -eq 1 ]
        [[ "$output" == *"volume is in use"* ]]
        run berth inspect -f '{{json .Mounts}}' c1
        [[ "$output" == *'"Type":"volume","Name":"named","Source":"'"$ROOT"'/volumes/named/_data","Destination":"/n"'* ]]
        [[ "$output" == *'"Destination":"/anon"'* ]]
        berth rm -v c1
        run berth volume ls -q
        [ "$output" = "named" ]
        berth volume rm named
}

@test "--mount type=volume, bind and tmpfs" {
        mkdir "$TMP/host"
        echo fromhost > "$TMP/host/h"
        run berth run --rm --mount type=volume,src=mv,dst=/v --mount type=bind,src="$TMP/host",dst=/b,readonly \
                --mount type=tmpfs,dst=/t,tmpfs-size=1m busybox sh -c \
                'cat /b/h; echo x > /v/x && echo vol-ok; echo y > /b/y || echo bind-ro; grep " /t " /proc/mounts'
        [ "$status" -eq 0 ]
        [[ "$output" == *fromhost* ]]
        [[ "$output" == *vol-ok* ]]
        [[ "$output" == *bind-ro* ]]
        [[ "$output" == *"tmpfs /t tmpfs"*"size=1024k"* ]]
        [ -f "$ROOT/volumes/mv/_data/x" ]
        run berth run --rm --mount type=bogus,dst=/x busybox true
        [ "$status" -eq 125 ]
        run berth run --rm --mount type=bind,src=/nonexistent-berth,dst=/x busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"does not exist"* ]]
}

@test "volume prune removes unused anonymous volumes, -a also named ones" {
        berth volume create keep >/dev/null
        berth run --name gone -v /anon busybox true
        berth rm gone >/dev/null
        berth create --name holder -v /held busybox true >/dev/null
        run berth volume ls -q
        [ "${#lines[@]}" -eq 3 ]
        run berth volume prune -f
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -ge 2 ]
        run berth volume ls -q
        [ "${#lines[@]}" -eq 2 ]
        [[ "$output" == *keep* ]]
        berth volume prune -af >/dev/null
        run berth volume ls -q
        [ "${#lines[@]}" -eq 1 ]
        berth rm -v holder
        run berth volume ls -q
        [ -z "$output" ]
}

@test "population keeps xattrs (file capabilities), owners, modes, symlinks and hard links" {
        command -v setcap >/dev/null && command -v getcap >/dev/null || skip "setcap/getcap not installed"
        berth run --name base busybox sh -c 'mkdir /data && echo a > /data/f && chown 1:2 /data/f &&
                chmod 640 /data/f && ln /data/f /data/hl && ln -s f /data/sl && cp /bin/busybox /data/ping &&
                mkdir -m 700 /data/d && chown 3:4 /data/d && ln -s /nowhere /data/d/dangling'
        id=$(berth inspect -f '{{.Id}}' base)
        # xattrs the image's layer carries: set on the stopped container's upper dir, then committed
        setcap cap_net_raw+ep "$ROOT/containers/$id/upper/data/ping"
        python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.berth", b"kept")' "$ROOT/containers/$id/upper/data/f"
        berth commit -c 'VOLUME /data' base img >/dev/null
        berth rm base >/dev/null
        berth run --rm -v vol:/data img true
        d=$ROOT/volumes/vol/_data
        [[ "$(getcap "$d/ping")" == *"cap_net_raw"*"ep"* ]]
        [ "$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.berth").decode())' "$d/f")" = "kept" ]
        [ "$(stat -c '%u:%g %a' "$d/f")" = "1:2 640" ]
        [ "$(stat -c '%u:%g %a' "$d/d")" = "3:4 700" ]
        [ "$(stat -c %h "$d/f")" = "2" ]
        [ "$(stat -c %i "$d/f")" = "$(stat -c %i "$d/hl")" ]
        [ "$(readlink "$d/sl")" = "f" ]
        [ "$(readlink "$d/d/dangling")" = "/nowhere" ]
}

@test "the image's Volumes get anonymous volumes populated from the image" {
        berth run --name base busybox sh -c 'mkdir /data && echo seed > /data/seed && chown 1:2 /data/seed'
        berth commit -c 'VOLUME /data' base withvol >/dev/null
        berth rm base >/dev/null
        berth run --name u1 withvol sh -c 'cat /data/seed; echo more > /data/more'
        run berth volume ls -q
        [ "${#lines[@]}" -eq 1 ]
        vol=${lines[0]}
        [ "$(cat "$ROOT/volumes/$vol/_data/seed")" = "seed" ]
        [ "$(stat -c %u:%g "$ROOT/volumes/$vol/_data/seed")" = "1:2" ]
        [ -f "$ROOT/volumes/$vol/_data/more" ]
        # -v on the same path replaces the anonymous volume
        berth run --rm -v named:/data withvol cat /data/seed
        run berth volume ls -q
        [ "${#lines[@]}" -eq 2 ]
        berth rm u1 >/dev/null
        [ -d "$ROOT/volumes/$vol" ]
        berth create --name u2 withvol true >/dev/null
        berth rm -v u2 >/dev/null
        run berth volume ls -q
        [ "${#lines[@]}" -eq 2 ]
}

@test "run --rm removes the container's anonymous volumes and keeps named ones" {
        berth run --rm -v /anon -v keep:/keep busybox sh -c 'echo x > /anon/x'
        run berth volume ls -q
        [ "$output" = "keep" ]
}

@test "run -d --rm: the monitor removes the anonymous volumes and keeps named ones" {
        berth volume create shared >/dev/null
        # a second container holds an anonymous volume of its own that must stay
        berth create --name other -v /other busybox true >/dev/null
        berth run -d --rm --name gone -v /anon -v keep:/keep --mount type=volume,dst=/m busybox sh -c 'echo x > /anon/x' >/dev/null
        for ((i = 0; i < 100; i++)); do
                [ "$(berth volume ls -q | wc -l)" -eq 3 ] && break
                sleep 0.1
        done
        run berth ps -aq --filter name=gone
        [ -z "$output" ]
        run berth volume ls -q
        [ "${#lines[@]}" -eq 3 ]
        [[ "$output" == *keep* ]]
        [[ "$output" == *shared* ]]
        other=$(berth inspect other | grep -o '"Name": *"[0-9a-f]\{64\}"' | grep -o '[0-9a-f]\{64\}')
        [ -n "$other" ]
        [[ "$output" == *"$other"* ]]
        [ "$(ls "$ROOT/volumes" | wc -l)" -eq 3 ]
}

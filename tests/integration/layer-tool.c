/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layer-tool: drives image/layer and image/snapshot for the layer-*.bats
 * integration tests until the berth CLI exposes them. Not installed.
 *
 *   layer-tool unpack DIR BLOB [--apply]                 layer_unpack into DIR (created if missing)
 *   layer-tool create DIR OUT [none|gzip|zstd] [--overlay] layer_create_tar of DIR
 *   layer-tool snap-unpack ROOT PARENT|- BLOB [DIFF_ID]  snapshot_unpack; prints the chain ID
 *   layer-tool snap-stack ROOT BLOB...                   unpacks the blobs as a stack; prints the top chain ID
 *   layer-tool snap-remove ROOT CHAIN
 *   layer-tool snap-mount ROOT CHAIN|- UPPER WORK TARGET [auto|overlay|copy] [--ro] [--legacy]
 *   layer-tool snap-umount TARGET
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layer.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

static bool has_flag(int argc, char **argv, const char *flag)
{
        for (int i = 0; i < argc; i++)
                if (streq(argv[i], flag))
                        return true;
        return false;
}

static int cmd_unpack(int argc, char **argv, struct berr **err)
{
        struct layer_unpack_opts o = {.whiteouts = has_flag(argc, argv, "--apply") ? LAYER_WHITEOUT_APPLY
                                                                                   : LAYER_WHITEOUT_OVERLAY};
        _cleanup_close_ int in = -1, dir = -1;
        struct layer_digests d;
        int r;

        if (argc < 4)
                return berr_set(err, EINVAL, "usage: unpack DIR BLOB [--apply]");
        (void)mkdir(argv[2], 0755);
        dir = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        in = open(argv[3], O_RDONLY | O_CLOEXEC);
        if (dir < 0 || in < 0)
                return berr_sys(err, "open '%s'", dir < 0 ? argv[2] : argv[3]);
        r = layer_unpack(in, dir, &o, &d, err);
        if (r < 0)
                return r;
        printf("%s %s %llu\n", d.diff_id, d.digest, (unsigned long long)d.size);
        return 0;
}

static int cmd_create(int argc, char **argv, struct berr **err)
{
        struct layer_create_opts o = {.clamp_mtime = -1, .overlay_whiteouts = has_flag(argc, argv, "--overlay")};
        _cleanup_close_ int dir = -1, out = -1;
        struct layer_digests d;
        int r;

        if (argc < 4)
                return berr_set(err, EINVAL, "usage: create DIR OUT [none|gzip|zstd] [--overlay]");
        if (argc > 4 && argv[4][0] != '-') {
                o.compression = layer_compression_from_string(argv[4]);
                if (o.compression < 0)
                        return berr_set(err, EINVAL, "unknown compression '%s'", argv[4]);
        }
        dir = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (dir < 0 || out < 0)
                return berr_sys(err, "open '%s'", dir < 0 ? argv[2] : argv[3]);
        r = layer_create_tar(dir, &o, out, &d, err);
        if (r < 0)
                return r;
        printf("%s %s\n", d.diff_id, d.digest);
        return 0;
}

static int cmd_snap(int argc, char **argv, struct berr **err)
{
        _cleanup_(snapshot_store_freep) struct snapshot_store *s = NULL;
        char chain[LAYER_DIGEST_MAX];
        int r;

        if (argc < 4)
                return berr_set(err, EINVAL, "usage: %s ROOT ...", argv[1]);
        r = snapshot_store_open(argv[2], &s, err);
        if (r < 0)
                return r;
        if (streq(argv[1], "snap-unpack")) {
                _cleanup_close_ int in = -1;

                if (argc < 5)
                        return berr_set(err, EINVAL, "usage: snap-unpack ROOT PARENT|- BLOB [DIFF_ID]");
                in = open(argv[4], O_RDONLY | O_CLOEXEC);
                if (in < 0)
                        return berr_sys(err, "open '%s'", argv[4]);
                r = snapshot_unpack(s, streq(argv[3], "-") ? NULL : argv[3], in, argc > 5 ? argv[5] : NULL, NULL, chain,
                                    NULL, err);
                if (r < 0)
                        return r;
                printf("%s\n", chain);
                return 0;
        }
        if (streq(argv[1], "snap-stack")) {
                char parent[LAYER_DIGEST_MAX] = "";

                for (int i = 3; i < argc; i++) {
                        _cleanup_close_ int in = open(argv[i], O_RDONLY | O_CLOEXEC);

                        if (in < 0)
                                return berr_sys(err, "open '%s'", argv[i]);
                        r = snapshot_unpack(s, *parent ? parent : NULL, in, NULL, NULL, chain, NULL, err);
                        if (r < 0)
                                return berr_wrap(err, "'%s'", argv[i]);
                        memcpy(parent, chain, sizeof(chain));
                }
                printf("%s\n", parent);
                return 0;
        }
        if (streq(argv[1], "snap-remove"))
                return snapshot_remove(s, argv[3], err);
        if (streq(argv[1], "snap-mount")) {
                struct snapshot_mount_opts o = {
                        .readonly = has_flag(argc, argv, "--ro"),
                        .legacy_mount = has_flag(argc, argv, "--legacy"),
                };
                enum snapshot_mount_mode used;

                if (argc < 7)
                        return berr_set(err, EINVAL, "usage: snap-mount ROOT CHAIN|- UPPER WORK TARGET [mode]");
                if (argc > 7 && streq(argv[7], "overlay"))
                        o.mode = SNAPSHOT_MOUNT_OVERLAY;
                else if (argc > 7 && streq(argv[7], "copy"))
                        o.mode = SNAPSHOT_MOUNT_COPY;
                r = snapshot_mount(s, streq(argv[3], "-") ? NULL : argv[3], argv[4], argv[5], argv[6], &o, &used, err);
                if (r < 0)
                        return r;
                printf("%s\n", used == SNAPSHOT_MOUNT_COPY ? "copy" : "overlay");
                return 0;
        }
        return berr_set(err, EINVAL, "unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        int r;

        if (argc < 2) {
                fprintf(stderr, "usage: layer-tool unpack|create|snap-unpack|snap-remove|snap-mount|snap-umount ...\n");
                return 2;
        }
        if (streq(argv[1], "unpack"))
                r = cmd_unpack(argc, argv, &err);
        else if (streq(argv[1], "create"))
                r = cmd_create(argc, argv, &err);
        else if (streq(argv[1], "snap-umount"))
                r = argc > 2 ? snapshot_unmount(argv[2], &err) : berr_set(&err, EINVAL, "usage: snap-umount TARGET");
        else if (startswith(argv[1], "snap-"))
                r = cmd_snap(argc, argv, &err);
        else
                r = berr_set(&err, EINVAL, "unknown command '%s'", argv[1]);
        if (r < 0) {
                fprintf(stderr, "layer-tool: %s\n", berr_msg(err));
                return 1;
        }
        return 0;
}

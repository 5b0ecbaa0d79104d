/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unpack-bench BLOB DIR: unpacks one layer blob into DIR (created, must not exist) with
 * layer_unpack() and prints "<seconds> <uncompressed bytes> <diff_id>". Used by
 * bench/layer-unpack.sh; not a test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/layer.h"
#include "lib/cleanup.h"
#include "lib/error.h"

int main(int argc, char **argv)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_close_ int in = -1, dir = -1;
        struct layer_unpack_opts opts = {.whiteouts = LAYER_WHITEOUT_OVERLAY};
        struct layer_digests d;
        struct timespec t0, t1;

        if (argc != 3) {
                fprintf(stderr, "usage: %s BLOB DIR\n", argv[0]);
                return 2;
        }
        in = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (in < 0 || mkdir(argv[2], 0755) < 0 || (dir = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                fprintf(stderr, "unpack-bench: %s: %s\n", in < 0 ? argv[1] : argv[2], strerror(errno));
                return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (layer_unpack(in, dir, &opts, &d, &err) < 0) {
                fprintf(stderr, "unpack-bench: %s\n", berr_msg(err));
                return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%.3f %llu %s\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
               (unsigned long long)d.size, d.diff_id);
        return 0;
}

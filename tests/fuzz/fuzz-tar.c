/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: layer_unpack() (decompression, libarchive's tar reader, entry
 * creation, whiteouts) on arbitrary bytes. Each input is unpacked into a fresh
 * temporary directory "<tmp>/dest" ($TMPDIR, else /tmp: point it at a tmpfs
 * for speed); afterwards "<tmp>" must hold nothing but
 * "dest" (an entry written outside would be a confinement bug: abort), and the
 * whole tree is removed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layer.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define FUZZ_TAR_MAX_BYTES (4 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_only_dest(const char *tmp)
{
        DIR *d = opendir(tmp);
        struct dirent *de;

        if (!d)
                abort();
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") && !streq(de->d_name, "dest")) {
                        fprintf(stderr, "fuzz-tar: '%s' written outside the layer\n", de->d_name);
                        abort();
                }
        closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *base = getenv("TMPDIR");
        _cleanup_free_ char *tmp = xasprintf("%s/berth-fuzz-tar-XXXXXX", base && *base ? base : "/tmp");
        struct layer_unpack_opts opts = {.userxattr = true, .no_chown = true};
        struct berr *err = NULL;
        int in, dest;

        if (size > FUZZ_TAR_MAX_BYTES)
                return 0;
        /* Odd sizes take apply mode: both whiteout paths get fuzzed without changing the format
         * (a tar with one padding byte more is the same archive). */
        if (size & 1)
                opts.whiteouts = LAYER_WHITEOUT_APPLY;
        in = memfd_create("fuzz-tar", MFD_CLOEXEC);
        if (in < 0 || write_all(in, data, size) < 0 || lseek(in, 0, SEEK_SET) < 0)
                abort();
        if (!mkdtemp(tmp))
                abort();
        {
                _cleanup_free_ char *p = xasprintf("%s/dest", tmp);
                if (mkdir(p, 0755) < 0)
                        abort();
                dest = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dest < 0)
                        abort();
        }
        (void)layer_unpack(in, dest, &opts, NULL, &err); /* must not crash, leak or escape */
        berr_free(err);
        close(dest);
        close(in);
        check_only_dest(tmp);
        if (rm_rf_at(AT_FDCWD, tmp, NULL) < 0)
                abort();
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: image archives as `berth load` reads them (image/archive.c,
 * docker-archive.c, oci-layout.c): the tar stream, manifest.json, index.json,
 * configs and the checks between them. The store lives in a temporary
 * directory made once per process and removed at exit.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/store.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define FUZZ_ARCHIVE_MAX (4U << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;
static char dir[] = "/tmp/berth-fuzz-archive.XXXXXX";

static void cleanup(void)
{
        store = store_close(store);
        (void) rm_rf_at(AT_FDCWD, dir, NULL); /* best effort at exit */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct image_load_result res = { 0 };
        struct berr *err = NULL;
        int fd;

        if (size > FUZZ_ARCHIVE_MAX)
                return 0;
        if (!store) {
                if (!mkdtemp(dir) || store_open(dir, NULL, &store, NULL) < 0)
                        abort();
                atexit(cleanup);
        }
        fd = memfd_create("archive", MFD_CLOEXEC);
        if (fd < 0 || write_all(fd, data, size) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                abort();
        (void) image_load(store, fd, NULL, &res, &err);
        image_load_result_clear(&res);
        berr_free(err);
        close(fd);
        return 0;
}

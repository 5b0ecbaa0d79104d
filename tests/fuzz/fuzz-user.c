/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: -u/--user and --group-add resolved through the image's
 * /etc/passwd and /etc/group (spec_gen_resolve_user in engine/spec-gen.c):
 * both files come from the image, so they are hostile.
 * Input: the user spec, NUL, passwd text, NUL, group text, NUL, group-add
 * names separated by commas. The files go to a private temporary root made
 * once per process (removed at exit).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/spec-gen.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[] = "/tmp/berth-fuzz-user.XXXXXX";
static int rootfd = -1;

static void cleanup_root(void)
{
        (void) rm_rf_at(AT_FDCWD, root, NULL);
}

static const char *next(const char *text, size_t size, size_t *at)
{
        const char *s = *at <= size ? text + *at : "";

        if (*at <= size)
                *at += strlen(s) + 1;
        return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_(strv_freep) char **group_add = NULL;
        const char *user, *passwd, *group, *add;
        struct spec_user u;
        struct berr *err = NULL;
        size_t at = 0;

        if (size > 256 * 1024)
                return 0;
        if (rootfd < 0) {
                if (!mkdtemp(root))
                        abort();
                atexit(cleanup_root);
                rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0 || mkdirat(rootfd, "etc", 0755) < 0)
                        abort();
        }
        text = xmalloc(size + 1);
        memcpy(text, data, size);
        text[size] = 0;
        user = next(text, size, &at);
        passwd = next(text, size, &at);
        group = next(text, size, &at);
        add = next(text, size, &at);
        if (write_file_atomic_at(rootfd, "etc/passwd", passwd, strlen(passwd), 0644, NULL) < 0 ||
            write_file_atomic_at(rootfd, "etc/group", group, strlen(group), 0644, NULL) < 0)
                abort();
        if (*add)
                group_add = strv_split(add, ",");
        if (spec_gen_resolve_user(rootfd, user, group_add, &u, &err) == 0 &&
            (u.n_groups > SPEC_GEN_GROUPS_MAX || !memchr(u.home, 0, sizeof(u.home)) || u.home[0] == 0))
                abort();
        berr_free(err);
        return 0;
}

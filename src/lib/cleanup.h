/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Scope-bound cleanup: variables released when they leave scope. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define DEFINE_CLEANUP(type, fn)                                                                                       \
        static inline void fn##p(type *p)                                                                              \
        {                                                                                                              \
                if (*p)                                                                                                \
                        fn(*p);                                                                                        \
        }

static inline void freep(void *p)
{
        free(*(void **) p);
}

/* Closes fd >= 0 and keeps errno, so a cleanup never hides the cause. */
static inline int safe_close(int fd)
{
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd); /* nothing useful to do on EINTR/EIO of close(2) */
                errno = saved;
        }
        return -1;
}

static inline void closep(int *fd)
{
        *fd = safe_close(*fd);
}

static inline void fclosep(FILE **f)
{
        if (*f)
                (void) fclose(*f);
}

static inline void closedirp(DIR **d)
{
        if (*d)
                (void) closedir(*d);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

#define TAKE_PTR(p)                                                                                                    \
        ({                                                                                                             \
                __typeof__(p) _p = (p);                                                                                \
                (p) = NULL;                                                                                            \
                _p;                                                                                                    \
        })

#define TAKE_FD(fd)                                                                                                    \
        ({                                                                                                             \
                int _fd = (fd);                                                                                        \
                (fd) = -1;                                                                                             \
                _fd;                                                                                                   \
        })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

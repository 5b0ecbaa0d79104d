/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confinement of untrusted paths to a root directory. The kernel does the
 * hard part: openat2(2) with RESOLVE_IN_ROOT treats the dirfd as "/" for
 * every symlink and ".." met during the walk (Linux 5.6+). Creating missing
 * components is done one name at a time under a parent that was itself
 * resolved inside the root, so a symlink swapped in between can only point
 * back inside.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/path.h"
#include "lib/util.h"

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
        return (int) syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

static int open_in_root_raw(int rootfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (unsigned long long) (flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (!*path)
                path = ".";
        do
                fd = sys_openat2(rootfd, path, &how);
        while (fd < 0 && errno == EAGAIN); /* the kernel asks to retry when a rename raced the walk */
        return fd < 0 ? -errno : fd;
}

int path_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct berr **err)
{
        int fd = open_in_root_raw(rootfd, path, flags, mode);
        if (fd < 0)
                return berr_errno(err, fd, "open '%s' in root", path);
        return fd;
}

/*
 * mkdir -p inside the root. Each missing name is created under a parent fd that
 * was itself resolved inside the root. A dangling symlink on the way is
 * followed by hand (its target taken relative to the root, like the kernel
 * would with RESOLVE_IN_ROOT) and the walk restarts, at most 40 times (ELOOP).
 */
static int mkdir_in_root(int rootfd, const char *path, mode_t mode, unsigned depth, struct berr **err)
{
        _cleanup_(strv_freep) char **parts = NULL;
        _cleanup_free_ char *prefix = NULL, *clean = NULL;
        _cleanup_close_ int cur = -1;

        if (depth > 40)
                return berr_set(err, ELOOP, "too many symlinks resolving '%s' in root", path);
        clean = path_clean(path);
        /* Most paths exist already: one lookup of the whole path (the same resolution as the walk below
         * makes name by name) before the walk that creates what is missing and reports what is wrong. */
        cur = open_in_root_raw(rootfd, clean, O_PATH | O_DIRECTORY, 0);
        if (cur >= 0)
                return TAKE_FD(cur);
        parts = strv_split(clean, "/");
        cur = open_in_root_raw(rootfd, ".", O_PATH | O_DIRECTORY, 0);
        if (cur < 0)
                return berr_errno(err, cur, "open root");
        prefix = xstrdup("");
        for (char **p = parts; *p; p++) {
                _cleanup_free_ char *next = *prefix ? path_join(prefix, *p) : xstrdup(*p);
                int fd = open_in_root_raw(rootfd, next, O_PATH | O_DIRECTORY, 0);

                if (fd == -ENOENT && !streq(*p, "..")) {
                        char target[4096];
                        ssize_t n;

                        if (mkdirat(cur, *p, mode) < 0 && errno != EEXIST)
                                return berr_sys(err, "mkdir '%s' in root", next);
                        fd = open_in_root_raw(rootfd, next, O_PATH | O_DIRECTORY, 0);
                        n = fd == -ENOENT ? readlinkat(cur, *p, target, sizeof(target) - 1) : -1;
                        if (n > 0) {
                                _cleanup_free_ char *rest = strv_join(p + 1, "/");
                                _cleanup_free_ char *base = NULL, *np = NULL;

                                target[n] = 0;
                                base = target[0] == '/' ? xstrdup(target) : path_join(*prefix ? prefix : "/", target);
                                np = *rest ? path_join(base, rest) : xstrdup(base);
                                return mkdir_in_root(rootfd, np, mode, depth + 1, err);
                        }
                }
                if (fd < 0)
                        return berr_errno(err, fd, "open directory '%s' in root", next);
                safe_close(cur);
                cur = fd;
                free(prefix);
                prefix = TAKE_PTR(next);
        }
        return TAKE_FD(cur);
}

int path_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct berr **err)
{
        return mkdir_in_root(rootfd, path, mode, 0, err);
}

int path_mknod_target_in_root(int rootfd, const char *path, bool want_dir, struct berr **err)
{
        _cleanup_free_ char *clean = path_clean(path);
        _cleanup_close_ int parent = -1;
        char *slash, *name;
        int fd;

        if (want_dir)
                return path_mkdir_in_root(rootfd, clean, 0755, err);
        fd = open_in_root_raw(rootfd, clean, O_PATH, 0);
        if (fd >= 0)
                return fd;
        if (fd != -ENOENT)
                return berr_errno(err, fd, "open '%s' in root", path);
        slash = strrchr(clean, '/');
        if (slash) {
                *slash = 0;
                name = slash + 1;
                parent = path_mkdir_in_root(rootfd, *clean ? clean : "/", 0755, err);
        } else {
                name = clean;
                parent = path_mkdir_in_root(rootfd, ".", 0755, err);
        }
        if (parent < 0)
                return parent;
        if (!*name || streq(name, "..") || streq(name, "."))
                return berr_set(err, EINVAL, "invalid target '%s'", path);
        {
                /* An O_PATH parent cannot take openat(O_CREAT); reopen it as a real directory. */
                char buf[64];
                _cleanup_close_ int dfd = open(path_fd_proc(parent, buf, sizeof(buf)),
                                               O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                _cleanup_close_ int f = -1;
                if (dfd < 0)
                        return berr_sys(err, "open parent of '%s'", path);
                f = openat(dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
                if (f < 0 && errno != EEXIST && errno != EISDIR)
                        return berr_sys(err, "create '%s' in root", path);
                fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return berr_sys(err, "open '%s' in root", path);
        }
        return fd;
}

const char *path_fd_proc(int fd, char *buf, size_t len)
{
        snprintf(buf, len, "/proc/self/fd/%d", fd);
        return buf;
}

char *path_clean(const char *path)
{
        bool absolute = path[0] == '/';
        _cleanup_(strv_freep) char **parts = strv_split(path, "/");
        char **out = xcalloc(strv_length(parts) + 1, sizeof(char *));
        size_t n = 0;
        char *joined, *r;

        for (char **p = parts; *p; p++) {
                if (streq(*p, "."))
                        continue;
                if (streq(*p, "..")) {
                        if (n > 0 && !streq(out[n - 1], "..")) {
                                n--;
                                continue;
                        }
                        if (absolute)
                                continue;
                }
                out[n++] = *p;
        }
        out[n] = NULL;
        joined = strv_join(out, "/");
        free(out);
        if (absolute)
                r = xasprintf("/%s", joined);
        else
                r = xstrdup(*joined ? joined : ".");
        free(joined);
        return r;
}

char *path_join(const char *a, const char *b)
{
        size_t la = strlen(a);
        while (la > 0 && a[la - 1] == '/')
                la--;
        while (*b == '/')
                b++;
        return xasprintf("%.*s/%s", (int) la, a, b);
}

bool path_has_dotdot(const char *path)
{
        const char *p = path;
        while ((p = strstr(p, ".."))) {
                bool start = p == path || p[-1] == '/';
                bool end = p[2] == 0 || p[2] == '/';
                if (start && end)
                        return true;
                p += 2;
        }
        return false;
}

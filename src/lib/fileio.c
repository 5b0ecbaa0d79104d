/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole-file I/O for trusted paths (state, configs the caller chose). Paths
 * that come from images or configs are resolved with path.h first.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0) {
                        errno = EIO;
                        return -EIO;
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
        char *p = buf;
        size_t done = 0;
        while (done < len) {
                ssize_t n = read(fd, p + done, len - done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                done += (size_t) n;
        }
        return (ssize_t) done;
}

int read_all(int fd, size_t max, char **ret, size_t *ret_len, struct berr **err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 4096;

        buf = xmalloc(cap);
        for (;;) {
                ssize_t n;
                if (len + 1 >= cap) {
                        if (cap > max + 1)
                                return berr_set(err, EFBIG, "file larger than %zu bytes", max);
                        cap *= 2;
                        buf = xrealloc(buf, cap);
                }
                n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berr_sys(err, "read");
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max)
                        return berr_set(err, EFBIG, "file larger than %zu bytes", max);
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len, struct berr **err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        int r;

        if (fd < 0)
                return berr_sys(err, "open '%s'", path);
        r = read_all(fd, max, ret, ret_len, err);
        if (r < 0)
                return berr_wrap(err, "read '%s'", path);
        return 0;
}

int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, struct berr **err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp-%d", path, (int) getpid());
        _cleanup_close_ int fd = -1;

        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return berr_sys(err, "create '%s'", tmp);
        if (write_all(fd, data, len) < 0) {
                int r = berr_sys(err, "write '%s'", tmp);
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        if (renameat(dirfd, tmp, dirfd, path) < 0) {
                int r = berr_sys(err, "rename '%s' to '%s'", tmp, path);
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 0;
}

int write_file_fresh_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, struct berr **err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

        if (fd < 0 && errno == EEXIST)
                return write_file_atomic_at(dirfd, path, data, len, mode, err);
        if (fd < 0)
                return berr_sys(err, "create '%s'", path);
        if (write_all(fd, data, len) < 0) {
                int r = berr_sys(err, "write '%s'", path);
                (void) unlinkat(dirfd, path, 0);
                return r;
        }
        return 0;
}

int write_file_at(int dirfd, const char *path, const char *value, struct berr **err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return berr_sys(err, "open '%s'", path);
        if (write_all(fd, value, strlen(value)) < 0)
                return berr_sys(err, "write '%s' to '%s'", value, path);
        return 0;
}

int mkdir_parents_at(int dirfd, const char *path, mode_t mode, struct berr **err)
{
        _cleanup_free_ char *p = xstrdup(path);
        char *s = p;

        if (*s == '/')
                s++;
        for (;;) {
                char *slash = strchr(s, '/');
                if (slash)
                        *slash = 0;
                if (*s && mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
                        return berr_sys(err, "mkdir '%s'", p);
                if (!slash)
                        break;
                *slash = '/';
                s = slash + 1;
        }
        return 0;
}

static int rm_rf_children(int fd, dev_t dev, struct berr **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int dupfd;

        dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dupfd < 0)
                return berr_sys(err, "dup");
        d = fdopendir(dupfd);
        if (!d) {
                safe_close(dupfd);
                return berr_sys(err, "opendir");
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return berr_sys(err, "stat '%s'", de->d_name);
                }
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub = -1;
                        int r;
                        if (st.st_dev != dev)
                                return berr_set(err, EBUSY, "'%s' is a mount point", de->d_name);
                        sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0)
                                return berr_sys(err, "open '%s'", de->d_name);
                        r = rm_rf_children(sub, dev, err);
                        if (r < 0)
                                return berr_wrap(err, "%s", de->d_name);
                        if (unlinkat(fd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                                return berr_sys(err, "rmdir '%s'", de->d_name);
                } else if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT) {
                        return berr_sys(err, "unlink '%s'", de->d_name);
                }
        }
        if (errno)
                return berr_sys(err, "readdir");
        return 0;
}

int rm_rf_at(int dirfd, const char *path, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return berr_sys(err, "stat '%s'", path);
        }
        if (!S_ISDIR(st.st_mode)) {
                if (unlinkat(dirfd, path, 0) < 0 && errno != ENOENT)
                        return berr_sys(err, "unlink '%s'", path);
                return 0;
        }
        fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open '%s'", path);
        r = rm_rf_children(fd, st.st_dev, err);
        if (r < 0)
                return berr_wrap(err, "remove '%s'", path);
        if (unlinkat(dirfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return berr_sys(err, "rmdir '%s'", path);
        return 0;
}

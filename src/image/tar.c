/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tar entries to files and back, confined to one directory.
 *
 * Reading: libarchive parses the headers (ustar, pax, GNU; a proven parser
 * for hostile input), and this file creates every entry itself with *at()
 * calls: libarchive's own extract-to-disk works relative to the process's
 * cwd and its security flags are opt-in, which makes confinement harder to
 * show. The rules:
 *   - an entry's name is cleaned lexically; ".." that would climb above the
 *     layer's root is refused, a leading "/" is dropped (the name is taken
 *     relative to the layer's root, as docker does);
 *   - the parent directory is resolved with openat2(RESOLVE_IN_ROOT), so a
 *     symlink unpacked earlier (even "x -> /etc") resolves inside the layer;
 *   - the last component is created with O_EXCL/O_NOFOLLOW or by
 *     mkdirat/symlinkat/mknodat/linkat, never following a symlink; an existing
 *     entry in the way is removed first (a later entry wins, directories merge);
 *   - hardlink targets are cleaned and resolved the same way, and linkat(2)
 *     without AT_SYMLINK_FOLLOW links the entry itself, never what it points to;
 *   - whiteout names are single components under a confined parent.
 * Directory modes and mtimes are applied at the end, deepest first, so that
 * creating children neither fails on read-only modes nor changes the mtimes.
 *
 * Writing: a sorted walk of a directory into libarchive's pax writer, turning
 * overlayfs whiteouts back into ".wh." entries.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <search.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer-internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"

#define WHITEOUT_PREFIX      ".wh."
#define WHITEOUT_OPAQUE      ".wh..wh..opq"
#define WHITEOUT_META_PREFIX ".wh..wh."
#define COPY_BUF_SIZE        ((size_t)256 * 1024)

struct dir_meta {
        char *path; /* owned, cleaned, "" for the root */
        mode_t mode;
        struct timespec mtime;
};

struct extractor {
        int root;
        const struct layer_unpack_opts *opts;
        char *cache_path; /* owned: directory of the previous entry */
        int cache_fd;     /* O_PATH fd of it, resolved in the root */
        struct dir_meta *dirs;
        size_t n_dirs, cap_dirs;
        void *created; /* apply mode: tsearch() set of the paths this layer created (owned keys) */
        const char *opaque_xattr;
        /* Fast path for regular files (saves two of six syscalls per file): a new file already
         * has our uid and gid when no setgid directory is around (overlay mode: every directory
         * is ours and 0700 until finish_dirs()), and the mode it was created with when the umask
         * kept every bit. */
        bool ids_known;
        uid_t euid;
        gid_t egid;
        int umask; /* -1: unknown */
};

static int open_in_root(int root, const char *path, int flags)
{
        struct open_how how = {
                .flags = (unsigned long long)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        do
                fd = (int)syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN);
        return fd < 0 ? -errno : fd;
}

/*
 * Lexical cleaning of an entry name: "a//./b/../c" -> "a/c", leading "/" dropped.
 * ".." above the root is an error: such an entry is hostile or broken.
 */
static int clean_entry_path(const char *name, char **ret, struct berr **err)
{
        size_t n = strlen(name), depth = 0;
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        const char *p = name;

        /* Errors return -EINVAL explicitly: the analyzers cannot see that berr_set() is < 0. */
        if (n > LAYER_PATH_MAX) {
                (void)berr_set(err, EINVAL, "entry name longer than %d bytes", LAYER_PATH_MAX);
                return -EINVAL;
        }
        out = xmalloc(n + 1);
        while (*p) {
                const char *slash = strchr(p, '/');
                size_t cl = slash ? (size_t)(slash - p) : strlen(p);

                if (cl == 0 || (cl == 1 && p[0] == '.')) {
                        /* empty or "." component */
                } else if (cl == 2 && p[0] == '.' && p[1] == '.') {
                        char *last;

                        if (len == 0) {
                                (void)berr_set(err, EINVAL, "entry '%s' points outside the layer", name);
                                return -EINVAL;
                        }
                        out[len] = 0;
                        last = strrchr(out, '/');
                        len = last ? (size_t)(last - out) : 0;
                        depth--;
                } else {
                        if (++depth > LAYER_DEPTH_MAX) {
                                (void)berr_set(err, EINVAL, "entry '%s' is nested deeper than %d", name,
                                               LAYER_DEPTH_MAX);
                                return -EINVAL;
                        }
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, cl);
                        len += cl;
                }
                p += cl;
                if (*p == '/')
                        p++;
        }
        out[len] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

static void cache_drop(struct extractor *x)
{
        x->cache_fd = safe_close(x->cache_fd);
        free(x->cache_path);
        x->cache_path = NULL;
}

static void split_path(char *path, const char **ret_dir, const char **ret_name)
{
        char *slash = strrchr(path, '/');

        if (slash) {
                *slash = 0;
                *ret_dir = path;
                *ret_name = slash + 1;
        } else {
                *ret_dir = "";
                *ret_name = path;
        }
}

/* The directory dir (cleaned, "" for the root) as an O_PATH fd, resolved inside the root and
 * created when missing if create (else -ENOENT without an error). Borrowed: valid until the
 * next call or cache_drop(). */
static int get_dir(struct extractor *x, const char *dir, bool create, struct berr **err)
{
        int fd;

        if (x->cache_path && streq(x->cache_path, dir))
                return x->cache_fd;
        fd = open_in_root(x->root, dir, O_PATH | O_DIRECTORY);
        if (fd == -ENOENT && !create)
                return fd; /* an answer for the caller, not an error */
        if (fd == -ENOENT)
                fd = path_mkdir_in_root(x->root, dir, 0755, err);
        else if (fd < 0)
                fd = berr_errno(err, fd, "open directory '%s'", dir);
        if (fd < 0)
                return fd;
        cache_drop(x);
        x->cache_path = xstrdup(dir);
        x->cache_fd = fd;
        return fd;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, b);
}

/* Apply mode: remembers path and its parents as created by this layer. */
static void mark_created(struct extractor *x, const char *path)
{
        _cleanup_free_ char *p = xstrdup(path);

        if (x->opts->whiteouts != LAYER_WHITEOUT_APPLY)
                return;
        for (;;) {
                char *key = xstrdup(p), **found = tsearch(key, &x->created, cmp_str), *slash;

                if (!found)
                        abort();
                if (*found != key) {
                        free(key); /* already there, and so are its parents */
                        return;
                }
                slash = strrchr(p, '/');
                if (!slash)
                        return;
                *slash = 0;
        }
}

/* Removes whatever is at pfd/name (a whole tree for a directory). */
static int remove_entry(struct extractor *x, int pfd, const char *name, struct berr **err)
{
        struct stat st;

        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : berr_sys(err, "stat '%s'", name);
        /* Removing a child of the cached directory leaves it valid; anything else may change what
         * a cached path resolves to (a symlink or directory on the way). */
        if (x->cache_fd != pfd)
                cache_drop(x);
        if (S_ISDIR(st.st_mode))
                return rm_rf_at(pfd, name, err);
        if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
                return berr_sys(err, "remove '%s'", name);
        return 0;
}

/* Makes room for a new entry: removes an existing one unless both are directories.
 * Returns 1 if a directory is there to be merged with, else 0. */
static int make_room(struct extractor *x, int pfd, const char *name, bool want_dir, struct berr **err)
{
        struct stat st;

        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : berr_sys(err, "stat '%s'", name);
        if (want_dir && S_ISDIR(st.st_mode))
                return 1;
        return remove_entry(x, pfd, name, err);
}

static bool xattr_allowed(const char *name)
{
        /* overlay.* would let a layer forge overlayfs metadata (redirects, metacopy); other
         * security.* names (SELinux labels) belong to the host's policy, not to images. */
        if (startswith(name, "trusted.overlay.") || startswith(name, "user.overlay."))
                return false;
        return startswith(name, "user.") || startswith(name, "trusted.") || streq(name, "security.capability");
}

static int set_xattrs(struct extractor *x, struct archive_entry *e, int fd, int pfd, const char *name,
                      struct berr **err)
{
        const char *xname;
        const void *value;
        size_t size;
        int n = 0;

        if (archive_entry_xattr_reset(e) == 0)
                return 0;
        while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
                char proc[64];
                _cleanup_free_ char *path = NULL;
                int r;

                if (++n > LAYER_XATTRS_MAX)
                        return berr_set(err, EINVAL, "more than %d xattrs", LAYER_XATTRS_MAX);
                if (size > LAYER_XATTR_VALUE_MAX)
                        return berr_set(err, EINVAL, "xattr '%s' longer than %d bytes", xname, LAYER_XATTR_VALUE_MAX);
                if (!xattr_allowed(xname)) {
                        log_debug("skipping xattr '%s' of '%s'", xname, name);
                        continue;
                }
                if (fd >= 0)
                        r = fsetxattr(fd, xname, value, size, 0);
                else {
                        path = path_join(path_fd_proc(pfd, proc, sizeof(proc)), name);
                        r = lsetxattr(path, xname, value, size, 0);
                }
                if (r < 0) {
                        if (x->opts->no_chown && (errno == EPERM || errno == ENOTSUP))
                                continue; /* unprivileged: trusted.* and some fs refuse; files stay usable */
                        return berr_sys(err, "set xattr '%s'", xname);
                }
        }
        return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
        ts[1].tv_sec = archive_entry_mtime(e);
        ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        ts[0] = ts[1]; /* atime = mtime: what the archive does not say is made deterministic */
        if (archive_entry_atime_is_set(e)) {
                ts[0].tv_sec = archive_entry_atime(e);
                ts[0].tv_nsec = archive_entry_atime_nsec(e);
        }
}

static int check_ids(struct archive_entry *e, struct berr **err)
{
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);

        if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                return berr_set(err, EINVAL, "invalid owner %lld:%lld", (long long)uid, (long long)gid);
        return 0;
}

/* Ownership, xattrs, mode, times of a non-directory: through fd when there is one. The order
 * matters: chown(2) clears setuid bits and security.capability, so it comes first. */
static int set_meta(struct extractor *x, struct archive_entry *e, int fd, int pfd, const char *name, bool is_link,
                    int created_mode, struct berr **err)
{
        uid_t uid = (uid_t)archive_entry_uid(e);
        gid_t gid = (gid_t)archive_entry_gid(e);
        mode_t mode = archive_entry_perm(e) & 07777;
        struct timespec ts[2];
        int r;

        if (!x->opts->no_chown && !(created_mode >= 0 && x->ids_known && uid == x->euid && gid == x->egid)) {
                r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
                if (r < 0)
                        return berr_sys(err, "chown to %u:%u", (unsigned)uid, (unsigned)gid);
        }
        r = set_xattrs(x, e, fd, pfd, name, err);
        if (r < 0)
                return r;
        if (!is_link && created_mode != (int)mode) {
                r = fd >= 0 ? fchmod(fd, mode) : fchmodat(pfd, name, mode, 0);
                if (r < 0)
                        return berr_sys(err, "chmod %04o", (unsigned)mode);
        }
        entry_times(e, ts);
        r = fd >= 0 ? futimens(fd, ts) : utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
        if (r < 0)
                return berr_sys(err, "set mtime");
        return 0;
}

static int write_data(struct archive *a, int fd, la_int64_t size, struct berr **err)
{
        la_int64_t end = 0;

        for (;;) {
                const void *buf;
                size_t len;
                la_int64_t off;
                int r = archive_read_data_block(a, &buf, &len, &off);

                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return berr_set(err, EINVAL, "read file data: %s", archive_error_string(a));
                if (off < 0 || off > size || (la_int64_t)len > size - off)
                        return berr_set(err, EINVAL, "file data beyond its size");
                while (len > 0) {
                        ssize_t n = pwrite(fd, buf, len, off);

                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                return berr_sys(err, "write");
                        buf = (const char *)buf + n;
                        len -= (size_t)n;
                        off += n;
                }
                if (off > end)
                        end = off;
        }
        if (end < size && ftruncate(fd, size) < 0) /* a sparse tail */
                return berr_sys(err, "truncate to %lld", (long long)size);
        return 0;
}

static int extract_file(struct extractor *x, struct archive *a, struct archive_entry *e, int pfd, const char *name,
                        struct berr **err)
{
        _cleanup_close_ int fd = -1;
        mode_t mode = archive_entry_perm(e) & 07777;
        int created_mode = -1, r;

        /* Created with its final mode when the umask keeps it (no setuid/setgid bits: they
         * come after chown), else 0600 and fchmod()ed later. */
        if (x->umask >= 0 && !(mode & 07000) && (mode & ~(mode_t)x->umask) == mode)
                created_mode = (int)mode;
        for (int tries = 0; tries < 2 && fd < 0; tries++) {
                fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                            created_mode >= 0 ? mode : 0600);
                if (fd < 0 && errno == EEXIST && tries == 0) {
                        r = make_room(x, pfd, name, false, err);
                        if (r < 0)
                                return r;
                } else if (fd < 0)
                        return berr_sys(err, "create");
        }
        r = write_data(a, fd, archive_entry_size(e), err);
        if (r < 0)
                return r;
        return set_meta(x, e, fd, pfd, name, false, created_mode, err);
}

/* Symlinks, devices, fifos: created by one call, retried once after making room. */
static int extract_node(struct extractor *x, struct archive_entry *e, int pfd, const char *name, struct berr **err)
{
        mode_t type = archive_entry_filetype(e);
        const char *target = NULL;
        int r = 0;

        if (type == AE_IFLNK) {
                target = archive_entry_symlink(e);
                if (!target || !*target || strlen(target) > LAYER_PATH_MAX)
                        return berr_set(err, EINVAL, "invalid symlink target");
        }
        for (int tries = 0; tries < 2; tries++) {
                if (type == AE_IFLNK)
                        r = symlinkat(target, pfd, name);
                else
                        r = mknodat(pfd, name,
                                    (type == AE_IFCHR   ? S_IFCHR
                                     : type == AE_IFBLK ? S_IFBLK
                                                        : S_IFIFO) |
                                            0600,
                                    makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e)));
                if (r == 0 || errno != EEXIST || tries > 0)
                        break;
                r = make_room(x, pfd, name, false, err);
                if (r < 0)
                        return r;
        }
        if (r < 0 && errno == EPERM && x->opts->no_chown && (type == AE_IFCHR || type == AE_IFBLK)) {
                /* Unprivileged (rootless): device nodes cannot be made, as docker and podman skip them. */
                log_debug("skipping device node '%s': not permitted", name);
                return 1;
        }
        if (r < 0)
                return berr_sys(err, "create");
        return set_meta(x, e, -1, pfd, name, type == AE_IFLNK, -1, err);
}

static int extract_hardlink(struct extractor *x, struct archive_entry *e, const char *path, int pfd, const char *name,
                            struct berr **err)
{
        _cleanup_free_ char *target = NULL;
        _cleanup_close_ int tfd = -1;
        const char *tdir, *tname;
        int r;

        r = clean_entry_path(archive_entry_hardlink(e), &target, err);
        if (r < 0)
                return berr_wrap(err, "hardlink target");
        if (!*target)
                return berr_set(err, EINVAL, "hardlink to the layer's root");
        if (streq(target, path))
                return 0; /* a link to itself: nothing to do */
        split_path(target, &tdir, &tname);
        /* Not through the cache: pfd must stay valid, and the target's dir is resolved on its own. */
        tfd = open_in_root(x->root, tdir, O_PATH | O_DIRECTORY);
        if (tfd < 0)
                return berr_errno(err, tfd, "hardlink target '%s'", archive_entry_hardlink(e));
        for (int tries = 0; tries < 2; tries++) {
                r = linkat(tfd, tname, pfd, name, 0); /* no AT_SYMLINK_FOLLOW: never what a symlink points to */
                if (r == 0 || errno != EEXIST || tries > 0)
                        break;
                r = make_room(x, pfd, name, false, err);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return berr_sys(err, "hardlink to '%s'", archive_entry_hardlink(e));
        return 0;
}

static int extract_dir(struct extractor *x, struct archive_entry *e, const char *path, int pfd, const char *name,
                       struct berr **err)
{
        struct dir_meta *m;
        struct timespec ts[2];
        int r;

        if (*path) {
                r = mkdirat(pfd, name, 0700);
                if (r < 0 && errno == EEXIST) {
                        r = make_room(x, pfd, name, true, err);
                        if (r < 0)
                                return r;
                        if (r == 0 && mkdirat(pfd, name, 0700) < 0)
                                return berr_sys(err, "mkdir");
                } else if (r < 0)
                        return berr_sys(err, "mkdir");
        }
        if (!x->opts->no_chown && fchownat(pfd, *path ? name : ".", (uid_t)archive_entry_uid(e),
                                           (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
                return berr_sys(err, "chown");
        r = set_xattrs(x, e, -1, pfd, *path ? name : ".", err);
        if (r < 0)
                return r;
        if (x->n_dirs == x->cap_dirs) {
                x->cap_dirs = x->cap_dirs ? 2 * x->cap_dirs : 64;
                x->dirs = xreallocarray(x->dirs, x->cap_dirs, sizeof(*x->dirs));
        }
        entry_times(e, ts);
        m = &x->dirs[x->n_dirs++];
        *m = (struct dir_meta){.path = xstrdup(path), .mode = archive_entry_perm(e) & 07777, .mtime = ts[1]};
        return 0;
}

static int set_opaque(struct extractor *x, const char *dir, int pfd, struct berr **err)
{
        char proc[64];

        if (x->opts->whiteouts == LAYER_WHITEOUT_OVERLAY) {
                if (setxattr(path_fd_proc(pfd, proc, sizeof(proc)), x->opaque_xattr, "y", 1, 0) < 0)
                        return berr_sys(err, "set %s", x->opaque_xattr);
                return 0;
        }
        /* Apply mode: what earlier layers put in dir goes, what this layer put there stays. */
        {
                _cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                _cleanup_closedir_ DIR *d = NULL;
                _cleanup_(strv_freep) char **doomed = NULL;
                struct dirent *de;

                if (dfd < 0)
                        return berr_sys(err, "open");
                d = fdopendir(TAKE_FD(dfd));
                if (!d)
                        return berr_sys(err, "opendir");
                while ((errno = 0, de = readdir(d))) {
                        _cleanup_free_ char *child = NULL;

                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        child = *dir ? xasprintf("%s/%s", dir, de->d_name) : xstrdup(de->d_name);
                        if (!tfind(child, &x->created, cmp_str))
                                strv_push(&doomed, de->d_name);
                }
                if (errno)
                        return berr_sys(err, "readdir");
                for (char **n = doomed; n && *n; n++) {
                        int r = remove_entry(x, pfd, *n, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* ".wh.name" and ".wh..wh..opq" in directory dir. */
static int extract_whiteout(struct extractor *x, const char *dir, const char *wname, struct berr **err)
{
        const char *hidden = wname + strlen(WHITEOUT_PREFIX);
        bool apply = x->opts->whiteouts == LAYER_WHITEOUT_APPLY;
        int pfd, r;

        if (streq(wname, WHITEOUT_OPAQUE)) {
                pfd = get_dir(x, dir, !apply, err);
                if (pfd == -ENOENT && apply)
                        return 0;
                if (pfd < 0)
                        return pfd;
                return set_opaque(x, dir, pfd, err);
        }
        if (startswith(wname, WHITEOUT_META_PREFIX))
                return 0; /* aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not content */
        if (!*hidden || streq(hidden, ".") || streq(hidden, ".."))
                return berr_set(err, EINVAL, "invalid whiteout '%s'", wname);
        if (apply) {
                pfd = open_in_root(x->root, dir, O_PATH | O_DIRECTORY);
                if (pfd == -ENOENT || pfd == -ENOTDIR)
                        return 0; /* nothing below to hide */
                if (pfd < 0)
                        return berr_errno(err, pfd, "open directory '%s'", dir);
                r = remove_entry(x, pfd, hidden, err);
                safe_close(pfd);
                return r;
        }
        pfd = get_dir(x, dir, true, err);
        if (pfd < 0)
                return pfd;
        r = make_room(x, pfd, hidden, false, err);
        if (r < 0)
                return r;
        /* A 0/0 character device: overlayfs's whiteout (unprivileged since Linux 5.8). */
        if (mknodat(pfd, hidden, S_IFCHR | 0, makedev(0, 0)) < 0)
                return berr_sys(err, "create whiteout '%s'", hidden);
        return 0;
}

static int extract_entry(struct extractor *x, struct archive *a, struct archive_entry *e, struct berr **err)
{
        _cleanup_free_ char *path = NULL, *split = NULL;
        const char *raw = archive_entry_pathname(e), *dir, *name;
        mode_t type = archive_entry_filetype(e);
        int pfd, r;

        if (!raw)
                return berr_set(err, EINVAL, "entry without a name");
        r = clean_entry_path(raw, &path, err);
        if (r < 0)
                return r;
        r = check_ids(e, err);
        if (r < 0)
                return berr_wrap(err, "'%s'", raw);
        if (!*path) {
                if (type != AE_IFDIR || archive_entry_hardlink(e))
                        return berr_set(err, EINVAL, "entry '%s' would replace the layer's root", raw);
                pfd = get_dir(x, "", false, err);
                if (pfd < 0)
                        return pfd;
                r = extract_dir(x, e, "", pfd, "", err);
                return r < 0 ? berr_wrap(err, "'%s'", raw) : 0;
        }
        split = xstrdup(path);
        split_path(split, &dir, &name);
        if (startswith(name, WHITEOUT_PREFIX)) {
                r = extract_whiteout(x, dir, name, err);
                return r < 0 ? berr_wrap(err, "whiteout '%s'", raw) : 0;
        }
        pfd = get_dir(x, dir, true, err);
        if (pfd < 0)
                return berr_wrap(err, "'%s'", raw);
        if (archive_entry_hardlink(e))
                r = extract_hardlink(x, e, path, pfd, name, err);
        else
                switch (type) {
                case AE_IFREG:
                        r = extract_file(x, a, e, pfd, name, err);
                        break;
                case AE_IFDIR:
                        r = extract_dir(x, e, path, pfd, name, err);
                        break;
                case AE_IFLNK:
                case AE_IFCHR:
                case AE_IFBLK:
                case AE_IFIFO:
                        r = extract_node(x, e, pfd, name, err);
                        break;
                default:
                        r = berr_set(err, EINVAL, "unsupported entry type 0%o", (unsigned)type);
                        break;
                }
        if (r < 0)
                return berr_wrap(err, "'%s'", raw);
        if (r == 0)
                mark_created(x, path);
        return 0;
}

/* The process umask from /proc (umask(2) cannot read it without changing it), or -1. */
static int read_umask(void)
{
        _cleanup_free_ char *status = NULL;
        const char *line;
        size_t len;
        unsigned v;

        if (read_file_at(AT_FDCWD, "/proc/self/status", (size_t)64 * 1024, &status, &len, NULL) < 0)
                return -1;
        line = strstr(status, "\nUmask:");
        if (!line || sscanf(line + 7, "%o", &v) != 1 || v > 0777)
                return -1;
        return (int)v;
}

/* Directory modes and mtimes, deepest (latest) first so a parent's mtime is set after its
 * children's. A directory replaced by something else since is skipped. */
static int finish_dirs(struct extractor *x, struct berr **err)
{
        for (size_t i = x->n_dirs; i-- > 0;) {
                struct dir_meta *m = &x->dirs[i];
                _cleanup_close_ int fd = open_in_root(x->root, m->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                struct timespec ts[2] = {m->mtime, m->mtime};

                if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
                        continue;
                if (fd < 0)
                        return berr_errno(err, fd, "open directory '%s'", m->path);
                if (fchmod(fd, m->mode) < 0)
                        return berr_sys(err, "chmod directory '%s'", m->path);
                if (futimens(fd, ts) < 0)
                        return berr_sys(err, "set mtime of directory '%s'", m->path);
        }
        return 0;
}

static void extractor_done(struct extractor *x)
{
        cache_drop(x);
        for (size_t i = 0; i < x->n_dirs; i++)
                free(x->dirs[i].path);
        free(x->dirs);
        tdestroy(x->created, free);
}

int tar_extract(struct archive *a, int dest_dirfd, const struct layer_unpack_opts *opts, uint64_t *ret_entries,
                struct berr **err)
{
        struct extractor x = {
                .root = dest_dirfd,
                .opts = opts,
                .cache_fd = -1,
                .opaque_xattr = opts->userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque",
        };
        uint64_t n = 0;
        struct stat st;
        int r;

        x.umask = read_umask();
        x.euid = geteuid();
        x.egid = getegid();
        x.ids_known =
                opts->whiteouts == LAYER_WHITEOUT_OVERLAY && fstat(dest_dirfd, &st) == 0 && !(st.st_mode & S_ISGID);
        for (;;) {
                struct archive_entry *e;

                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        r = berr_set(err, EINVAL, "corrupt layer tar after %llu entries: %s", (unsigned long long)n,
                                     archive_error_string(a));
                        goto out;
                }
                n++;
                r = extract_entry(&x, a, e, err);
                if (r < 0)
                        goto out;
        }
        r = finish_dirs(&x, err);
        if (r >= 0)
                *ret_entries = n;
out:
        extractor_done(&x);
        return r;
}

/* ---- writing ---- */

struct link_key {
        dev_t dev;
        ino_t ino;
        char *path; /* owned */
};

struct writer {
        struct archive *a;
        const struct layer_create_opts *opts;
        void *links; /* tsearch() set of struct link_key */
        uint8_t *buf;
};

static int cmp_link(const void *a, const void *b)
{
        const struct link_key *x = a, *y = b;

        if (x->dev != y->dev)
                return x->dev < y->dev ? -1 : 1;
        if (x->ino != y->ino)
                return x->ino < y->ino ? -1 : 1;
        return 0;
}

static void link_key_free(void *p)
{
        struct link_key *k = p;

        free(k->path);
        free(k);
}

static void archive_entry_freep(struct archive_entry **e)
{
        if (*e)
                archive_entry_free(*e);
}

static int cmp_dirent(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int write_header(struct writer *w, struct archive_entry *e, struct berr **err)
{
        if (archive_write_header(w->a, e) < ARCHIVE_WARN)
                return berr_set(err, EIO, "write tar header of '%s': %s", archive_entry_pathname(e),
                                archive_error_string(w->a));
        return 0;
}

static bool is_overlay_xattr(const char *name)
{
        return startswith(name, "trusted.overlay.") || startswith(name, "user.overlay.");
}

/* Copies the xattrs worth keeping (see xattr_allowed) into the entry; sets *ret_opaque when
 * the overlay opaque marker is there. path is used when fd < 0. */
static int read_xattrs(int fd, const char *path, struct archive_entry *e, bool *ret_opaque, struct berr **err)
{
        char names[16384];
        ssize_t n = fd >= 0 ? flistxattr(fd, names, sizeof(names)) : llistxattr(path, names, sizeof(names));

        if (n < 0) {
                if (errno == ENOTSUP)
                        return 0;
                return berr_sys(err, "list xattrs");
        }
        for (char *name = names; name < names + n; name += strlen(name) + 1) {
                _cleanup_free_ char *value = NULL;
                ssize_t len;

                if (is_overlay_xattr(name)) {
                        if (ret_opaque && endswith(name, ".overlay.opaque")) {
                                char v[4];
                                ssize_t l = fd >= 0 ? fgetxattr(fd, name, v, sizeof(v))
                                                    : lgetxattr(path, name, v, sizeof(v));
                                if (l == 1 && v[0] == 'y')
                                        *ret_opaque = true;
                        }
                        continue;
                }
                if (!xattr_allowed(name))
                        continue;
                value = xmalloc(LAYER_XATTR_VALUE_MAX);
                len = fd >= 0 ? fgetxattr(fd, name, value, LAYER_XATTR_VALUE_MAX)
                              : lgetxattr(path, name, value, LAYER_XATTR_VALUE_MAX);
                if (len < 0)
                        return berr_sys(err, "read xattr '%s'", name);
                archive_entry_xattr_add_entry(e, name, value, (size_t)len);
        }
        return 0;
}

static int write_file_data(struct writer *w, int fd, off_t size, struct berr **err)
{
        off_t done = 0;

        while (done < size) {
                ssize_t n =
                        read(fd, w->buf, (size_t)(size - done) < COPY_BUF_SIZE ? (size_t)(size - done) : COPY_BUF_SIZE);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berr_sys(err, "read");
                if (n == 0)
                        return berr_set(err, EIO, "file shrank while being read");
                if (archive_write_data(w->a, w->buf, (size_t)n) != n)
                        return berr_set(err, EIO, "write tar data: %s", archive_error_string(w->a));
                done += n;
        }
        return 0;
}

static int write_tree(struct writer *w, int dirfd, const char *prefix, unsigned depth, struct berr **err);

static void entry_fill(struct writer *w, struct archive_entry *e, const char *path, const struct stat *st)
{
        time_t mtime = st->st_mtim.tv_sec;
        long nsec = st->st_mtim.tv_nsec;

        if (w->opts->clamp_mtime >= 0 && mtime > w->opts->clamp_mtime) {
                mtime = (time_t)w->opts->clamp_mtime;
                nsec = 0;
        }
        archive_entry_set_pathname(e, path);
        archive_entry_set_mode(e, st->st_mode);
        archive_entry_set_uid(e, st->st_uid);
        archive_entry_set_gid(e, st->st_gid);
        archive_entry_set_mtime(e, mtime, nsec);
}

static int write_one(struct writer *w, int dirfd, const char *name, const char *prefix, unsigned depth,
                     struct berr **err)
{
        _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
        _cleanup_free_ char *path = xasprintf("%s%s", prefix, name);
        _cleanup_close_ int fd = -1;
        struct stat st;
        bool opaque = false;
        int r;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return berr_sys(err, "stat '%s'", path);
        if (w->opts->overlay_whiteouts && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
                _cleanup_free_ char *wh = xasprintf("%s" WHITEOUT_PREFIX "%s", prefix, name);
                archive_entry_set_pathname(e, wh);
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 0);
                archive_entry_set_mtime(e, 0, 0);
                return write_header(w, e, err);
        }
        entry_fill(w, e, path, &st);
        switch (st.st_mode & S_IFMT) {
        case S_IFREG:
                if (st.st_nlink > 1) {
                        struct link_key key = {.dev = st.st_dev, .ino = st.st_ino}, **found;
                        struct link_key *k;

                        found = tfind(&key, &w->links, cmp_link);
                        if (found) {
                                archive_entry_set_hardlink(e, (*found)->path);
                                archive_entry_set_size(e, 0);
                                return write_header(w, e, err);
                        }
                        k = xmalloc(sizeof(*k));
                        *k = (struct link_key){.dev = st.st_dev, .ino = st.st_ino, .path = xstrdup(path)};
                        if (!tsearch(k, &w->links, cmp_link))
                                abort();
                }
                fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return berr_sys(err, "open '%s'", path);
                r = read_xattrs(fd, NULL, e, NULL, err);
                if (r < 0)
                        return berr_wrap(err, "'%s'", path);
                archive_entry_set_size(e, st.st_size);
                r = write_header(w, e, err);
                if (r < 0)
                        return r;
                r = write_file_data(w, fd, st.st_size, err);
                return r < 0 ? berr_wrap(err, "'%s'", path) : 0;
        case S_IFDIR:
                if (depth >= LAYER_DEPTH_MAX)
                        return berr_set(err, ELOOP, "'%s' is nested deeper than %d", path, LAYER_DEPTH_MAX);
                fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return berr_sys(err, "open '%s'", path);
                r = read_xattrs(fd, NULL, e, &opaque, err);
                if (r < 0)
                        return berr_wrap(err, "'%s'", path);
                r = write_header(w, e, err);
                if (r < 0)
                        return r;
                free(path);
                path = xasprintf("%s%s/", prefix, name);
                if (opaque && w->opts->overlay_whiteouts) {
                        /* Right after the directory, before its contents: readers that apply the
                         * marker when they meet it then never remove this layer's own entries. */
                        _cleanup_(archive_entry_freep) struct archive_entry *o = archive_entry_new();
                        _cleanup_free_ char *op = xasprintf("%s" WHITEOUT_OPAQUE, path);
                        archive_entry_set_pathname(o, op);
                        archive_entry_set_filetype(o, AE_IFREG);
                        archive_entry_set_perm(o, 0);
                        archive_entry_set_mtime(o, 0, 0);
                        r = write_header(w, o, err);
                        if (r < 0)
                                return r;
                }
                return write_tree(w, fd, path, depth + 1, err);
        case S_IFLNK: {
                char target[LAYER_PATH_MAX + 1], proc[64];
                _cleanup_free_ char *ppath = path_join(path_fd_proc(dirfd, proc, sizeof(proc)), name);
                ssize_t n = readlinkat(dirfd, name, target, sizeof(target));

                if (n < 0)
                        return berr_sys(err, "readlink '%s'", path);
                if ((size_t)n >= sizeof(target))
                        return berr_set(err, ENAMETOOLONG, "symlink '%s' target too long", path);
                target[n] = 0;
                archive_entry_set_symlink(e, target);
                r = read_xattrs(-1, ppath, e, NULL, err);
                if (r < 0)
                        return berr_wrap(err, "'%s'", path);
                return write_header(w, e, err);
        }
        case S_IFCHR:
        case S_IFBLK:
                archive_entry_set_rdevmajor(e, major(st.st_rdev));
                archive_entry_set_rdevminor(e, minor(st.st_rdev));
                return write_header(w, e, err);
        case S_IFIFO:
                return write_header(w, e, err);
        default:
                log_debug("skipping socket '%s': tar cannot hold it", path);
                return 0;
        }
}

static int write_tree(struct writer *w, int dirfd, const char *prefix, unsigned depth, struct berr **err)
{
        struct dirent **list = NULL;
        int n = scandirat(dirfd, ".", &list, NULL, cmp_dirent), r = 0;

        if (n < 0)
                return berr_sys(err, "read directory '%s'", *prefix ? prefix : ".");
        for (int i = 0; i < n; i++) {
                const char *name = list[i]->d_name;

                if (r >= 0 && !streq(name, ".") && !streq(name, ".."))
                        r = write_one(w, dirfd, name, prefix, depth, err);
                free(list[i]);
        }
        free(list);
        return r;
}

int tar_write_tree(int src_dirfd, const struct layer_create_opts *opts, struct archive *a, struct berr **err)
{
        struct writer w = {.a = a, .opts = opts, .buf = xmalloc(COPY_BUF_SIZE)};
        _cleanup_close_ int fd = openat(src_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (fd < 0)
                r = berr_sys(err, "open source directory");
        else
                r = write_tree(&w, fd, "", 0, err);
        tdestroy(w.links, link_key_free);
        free(w.buf);
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cp, export, diff and commit of a container's files (see fsops.h).
 *
 * Confinement: the side of a copy that touches the container runs in a
 * forked child that chroot()s into the container's tree before it resolves
 * any path of the user's or the container's, so the kernel resolves "..",
 * absolute and relative symlinks inside that tree (as docker's chrootarchive
 * does). The child never looks up user or group names (libarchive is given no
 * lookup functions), so nothing of the container's NSS is loaded into it.
 * The host side of a copy from the container extracts with libarchive's
 * secure flags: no "..", no absolute names, no writing through symlinks.
 */

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/control.h"
#include "engine/engine.h"
#include "engine/fsops.h"
#include "image/archive-lazy.h"
#include "image/image.h"
#include "image/layer.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/path.h"
#include "lib/util.h"

#define TAR_BLOCK        10240
#define DATA_BUF         65536
#define ERRMSG_MAX       1024
#define COMMIT_LAYER_MAX (64ULL << 30)

/* ---- the child inside the container's tree ---- */

struct child {
        pid_t pid;
        int errfd; /* parent: read end of the child's error pipe */
};

static bool is_running(const struct engine_container *c)
{
        return (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED) && c->pid > 0;
}

static int mount_private_rootfs(struct engine *e, const struct engine_container *c, const char *dir, struct berr **err)
{
        _cleanup_free_ char *rootfs = path_join(dir, "rootfs"), *upper = path_join(dir, "upper"),
                            *work = path_join(dir, "work");
        struct image_layer *layers = NULL;
        size_t n = 0;
        int r;

        if (!e->store->snapshots)
                return berr_set(err, ENOTSUP, "this build has no snapshot support");
        if ((mkdir(rootfs, 0755) < 0 && errno != EEXIST) || (mkdir(upper, 0755) < 0 && errno != EEXIST) ||
            (mkdir(work, 0700) < 0 && errno != EEXIST))
                return berr_sys(err, "create root file system dirs of %s", c->id);
        r = image_get_layers(e->store, c->image_id, &layers, &n, err);
        if (r < 0)
                return r;
        r = snapshot_mount(e->store->snapshots, n > 0 ? layers[n - 1].chain_id : NULL, upper, work, rootfs, NULL, NULL,
                           err);
        image_layers_free(layers, n);
        return r;
}

static void child_fail(int errfd, struct berr *err)
{
        int32_t code = berr_code(err) > 0 ? berr_code(err) : EIO;
        const char *m = berr_msg(err);

        (void)write_all(errfd, &code, sizeof(code));
        (void)write_all(errfd, m, strlen(m));
        _exit(1);
}

/*
 * Forks; the child (return 0) has its root at the container's tree: with live the running
 * container's own view (its volumes too), else the merged overlay (mounted in a private mount
 * namespace when the container is not running). The parent gets 1 and the child in ch.
 */
static int enter_fork(struct engine *e, const struct engine_container *c, bool live, struct child *ch,
                      struct berr **err)
{
        int p[2];
        pid_t pid;

        /* the child resolves paths in the container's tree: libarchive must be loaded before */
        if (archive_lazy_load(err) < 0)
                return -ELIBACC;
        if (pipe2(p, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        fflush(stdout);
        pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return berr_sys(err, "fork");
        }
        if (pid > 0) {
                close(p[1]);
                ch->pid = pid;
                ch->errfd = p[0];
                return 1;
        }
        close(p[0]);
        ch->errfd = p[1];
        {
                _cleanup_free_ char *dir = engine_container_dir(e, c->id), *root = NULL;
                struct berr *x = NULL;

                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                        berr_sys(&x, "private mount namespace");
                        child_fail(ch->errfd, x);
                }
                if (live && is_running(c)) {
                        root = xasprintf("/proc/%d/root", (int)c->pid);
                } else {
                        root = path_join(dir, "rootfs");
                        if (!is_running(c) && mount_private_rootfs(e, c, dir, &x) < 0)
                                child_fail(ch->errfd, x);
                }
                if (chdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0) {
                        berr_sys(&x, "enter the root file system of %s", c->id);
                        child_fail(ch->errfd, x);
                }
        }
        return 0;
}

/* Waits for the child; its error (if any) becomes ours. */
static int child_wait(struct child *ch, struct berr **err)
{
        char buf[ERRMSG_MAX + 8];
        ssize_t n = read_full(ch->errfd, buf, sizeof(buf) - 1);
        int status = 0;

        close(ch->errfd);
        while (waitpid(ch->pid, &status, 0) < 0)
                if (errno != EINTR)
                        return berr_sys(err, "wait for copy process");
        if (n >= 4) {
                int32_t code;
                memcpy(&code, buf, 4);
                buf[n] = 0;
                return berr_set(err, code > 0 ? code : EIO, "%s", buf + 4);
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berr_set(err, EIO, "copy process failed");
        return 0;
}

/* ---- tar streams ---- */

/* name with its first component replaced by first (NULL: unchanged; "": dropped). Owned, NULL: skip. */
static char *rename_first(const char *name, const char *first)
{
        const char *rest;

        if (!first)
                return xstrdup(name);
        rest = strchr(name, '/');
        while (rest && rest[0] == '/' && rest[1] == '/')
                rest++;
        if (!*first)
                return rest && rest[1] ? xstrdup(rest + 1) : NULL;
        return xasprintf("%s%s", first, rest && rest[1] ? rest : "");
}

static int arch_err(struct archive *a, struct berr **err, const char *what)
{
        return berr_set(err, archive_errno(a) > 0 ? archive_errno(a) : EIO, "%s: %s", what,
                        archive_error_string(a) ? archive_error_string(a) : "archive error");
}

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}
static void archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

/* Writes a tar of base (relative to the current directory) to out_fd, each name with its first
 * component replaced by as (NULL: kept). follow: a symlink given as base is followed. */
static int tar_write(const char *base, const char *as, bool follow, bool strip_dot, int out_fd, struct berr **err)
{
        _cleanup_(archive_read_freep) struct archive *disk = archive_read_disk_new();
        _cleanup_(archive_freep) struct archive *w = archive_write_new();
        char buf[DATA_BUF];
        int r;

        if (!disk || !w)
                return berr_set(err, ENOMEM, "archive");
        if (follow)
                archive_read_disk_set_symlink_hybrid(disk);
        else
                archive_read_disk_set_symlink_physical(disk);
        archive_write_set_format_pax_restricted(w);
        archive_write_set_bytes_in_last_block(w, 1);
        if (archive_write_open_fd(w, out_fd) != ARCHIVE_OK)
                return arch_err(w, err, "write tar");
        if (archive_read_disk_open(disk, base) != ARCHIVE_OK)
                return arch_err(disk, err, base);
        for (;;) {
                struct archive_entry *ent = archive_entry_new();
                _cleanup_free_ char *name = NULL;
                ssize_t n;

                r = archive_read_next_header2(disk, ent);
                if (r == ARCHIVE_EOF) {
                        archive_entry_free(ent);
                        break;
                }
                if (r < ARCHIVE_WARN) {
                        archive_entry_free(ent);
                        return arch_err(disk, err, "read files");
                }
                archive_read_disk_descend(disk);
                name = rename_first(archive_entry_pathname(ent), as);
                if (strip_dot && name && (streq(name, ".") || !*name)) {
                        archive_entry_free(ent);
                        continue;
                }
                if (!name) {
                        archive_entry_free(ent);
                        continue;
                }
                archive_entry_set_pathname(ent, name);
                if (archive_write_header(w, ent) < ARCHIVE_WARN) {
                        archive_entry_free(ent);
                        return arch_err(w, err, "write tar");
                }
                if (archive_entry_filetype(ent) == AE_IFREG && archive_entry_size(ent) > 0) {
                        while ((n = archive_read_data(disk, buf, sizeof(buf))) > 0)
                                if (archive_write_data(w, buf, (size_t)n) < 0) {
                                        archive_entry_free(ent);
                                        return arch_err(w, err, "write tar");
                                }
                        if (n < 0) {
                                archive_entry_free(ent);
                                return arch_err(disk, err, "read file");
                        }
                }
                archive_entry_free(ent);
        }
        if (archive_write_close(w) != ARCHIVE_OK)
                return arch_err(w, err, "write tar");
        return 0;
}

/* Extracts the tar read from in_fd into the current directory, first name components replaced by
 * as (NULL: kept, "": dropped). */
static int tar_extract(int in_fd, const char *as, bool keep_owner, struct berr **err)
{
        _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
        _cleanup_(archive_freep) struct archive *w = archive_write_disk_new();
        int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
        struct archive_entry *ent;
        int r;

        if (!a || !w)
                return berr_set(err, ENOMEM, "archive");
        if (keep_owner)
                flags |= ARCHIVE_EXTRACT_OWNER;
        archive_write_disk_set_options(w, flags);
        archive_read_support_format_tar(a);
        archive_read_support_filter_none(a);
        if (archive_read_open_fd(a, in_fd, TAR_BLOCK) != ARCHIVE_OK)
                return arch_err(a, err, "read tar");
        while ((r = archive_read_next_header(a, &ent)) != ARCHIVE_EOF) {
                _cleanup_free_ char *name = NULL, *link = NULL;
                const void *blk;
                size_t len;
                la_int64_t off;

                if (r < ARCHIVE_WARN)
                        return arch_err(a, err, "read tar");
                name = rename_first(archive_entry_pathname(ent), as);
                if (!name || !*name || streq(name, "."))
                        continue;
                archive_entry_set_pathname(ent, name);
                if (archive_entry_hardlink(ent)) {
                        link = rename_first(archive_entry_hardlink(ent), as);
                        if (!link)
                                continue;
                        archive_entry_set_hardlink(ent, link);
                }
                if (!keep_owner) {
                        archive_entry_set_uid(ent, getuid());
                        archive_entry_set_gid(ent, getgid());
                }
                if (archive_write_header(w, ent) < ARCHIVE_WARN)
                        return arch_err(w, err, name);
                while ((r = archive_read_data_block(a, &blk, &len, &off)) == ARCHIVE_OK)
                        if (archive_write_data_block(w, blk, len, off) < ARCHIVE_WARN)
                                return arch_err(w, err, name);
                if (r != ARCHIVE_EOF)
                        return arch_err(a, err, name);
                if (archive_write_finish_entry(w) < ARCHIVE_WARN)
                        return arch_err(w, err, name);
        }
        if (archive_write_close(w) != ARCHIVE_OK)
                return arch_err(w, err, "extract");
        return 0;
}

/* ---- cp ---- */

static bool ends_with_dot(const char *p)
{
        size_t n = strlen(p);

        return (n >= 2 && streq(p + n - 2, "/.")) || streq(p, ".");
}

/* Splits src into the directory to work in and the name to archive ("." for contents). */
static void split_src(const char *src, char **ret_dir, char **ret_base, bool *ret_contents)
{
        _cleanup_free_ char *clean = path_clean(src), *a = xstrdup(clean), *b = xstrdup(clean);
        bool contents = ends_with_dot(src);

        if (contents || streq(clean, "/")) {
                *ret_dir = xstrdup(clean);
                *ret_base = xstrdup(".");
                *ret_contents = true;
                return;
        }
        *ret_dir = xstrdup(dirname(a));
        *ret_base = xstrdup(basename(b));
        *ret_contents = false;
}

/*
 * Where to extract for a destination dst (in the current root): docker's rules. Sets ret_dir (to
 * chdir into) and ret_as (the new first component: NULL keep, "" drop).
 */
static int dest_plan(const char *dst, bool contents, char **ret_dir, char **ret_as, struct berr **err)
{
        _cleanup_free_ char *clean = path_clean(dst), *a = xstrdup(clean), *b = xstrdup(clean);
        struct stat st;

        if (stat(clean, &st) == 0 && S_ISDIR(st.st_mode)) {
                *ret_dir = xstrdup(clean);
                *ret_as = contents ? xstrdup("") : NULL;
                return 0;
        }
        if (stat(clean, &st) == 0 && contents)
                return berr_set(err, ENOTDIR, "cannot copy a directory to a file: %s", dst);
        if (dst[0] && dst[strlen(dst) - 1] == '/')
                return berr_set(err, ENOENT, "no such directory: %s", dst);
        if (stat(dirname(a), &st) < 0 || !S_ISDIR(st.st_mode))
                return berr_set(err, ENOENT, "no such directory: %s", a);
        *ret_dir = xstrdup(a);
        *ret_as = xstrdup(basename(b));
        return 0;
}

int engine_cp_from(struct engine *e, const struct engine_container *c, const char *src, const char *dst, int out_fd,
                   const struct engine_cp_opts *o, struct berr **err)
{
        _cleanup_free_ char *sdir = NULL, *sbase = NULL, *ddir = NULL, *as = NULL;
        _cleanup_close_ int rd = -1, wr = -1;
        struct child ch;
        bool contents;
        int p[2], r;

        split_src(src, &sdir, &sbase, &contents);
        if (!streq(dst, "-")) {
                r = dest_plan(dst, contents, &ddir, &as, err);
                if (r < 0)
                        return r;
                if (pipe2(p, O_CLOEXEC) < 0)
                        return berr_sys(err, "pipe");
                rd = p[0];
                wr = p[1];
        }
        r = enter_fork(e, c, true, &ch, err);
        if (r < 0)
                return r;
        if (r == 0) {
                struct berr *x = NULL;
                struct stat st;

                if (chdir(sdir) < 0 || lstat(sbase, &st) < 0) {
                        berr_set(&x, ENOENT, "Could not find the file %s in container %s", src, c->name);
                        child_fail(ch.errfd, x);
                }
                if (tar_write(sbase, NULL, o->follow_link, false, wr >= 0 ? wr : out_fd, &x) < 0)
                        child_fail(ch.errfd, x);
                _exit(0);
        }
        if (wr >= 0) {
                struct berr *x = NULL;
                wr = safe_close(wr);
                if (chdir(ddir) < 0)
                        r = berr_sys(&x, "change to '%s'", ddir);
                else
                        r = tar_extract(rd, as, o->archive, &x);
                rd = safe_close(rd);
                if (child_wait(&ch, err) < 0) {
                        berr_free(x);
                        return -EIO;
                }
                if (r < 0) {
                        *err = x;
                        return r;
                }
                return 0;
        }
        return child_wait(&ch, err);
}

int engine_cp_to(struct engine *e, const struct engine_container *c, const char *src, const char *dst, int in_fd,
                 const struct engine_cp_opts *o, struct berr **err)
{
        _cleanup_free_ char *sdir = NULL, *sbase = NULL;
        _cleanup_close_ int rd = -1, wr = -1;
        bool contents = false, stream = streq(src, "-");
        struct child ch;
        int p[2], r, wr_r = 0;
        struct berr *x = NULL;

        if (!stream) {
                struct stat st;
                split_src(src, &sdir, &sbase, &contents);
                if (lstat(src, &st) < 0)
                        return berr_sys(err, "stat %s", src);
                if (pipe2(p, O_CLOEXEC) < 0)
                        return berr_sys(err, "pipe");
                rd = p[0];
                wr = p[1];
        }
        r = enter_fork(e, c, true, &ch, err);
        if (r < 0)
                return r;
        if (r == 0) {
                _cleanup_free_ char *ddir = NULL, *as = NULL;
                struct stat st;

                if (stream) {
                        if (stat(dst, &st) < 0 || !S_ISDIR(st.st_mode)) {
                                berr_set(&x, ENOTDIR, "destination \"%s\" must be a directory", dst);
                                child_fail(ch.errfd, x);
                        }
                        ddir = xstrdup(dst);
                } else if (dest_plan(dst, contents, &ddir, &as, &x) < 0) {
                        child_fail(ch.errfd, x);
                }
                if (chdir(ddir) < 0) {
                        berr_sys(&x, "change to '%s'", dst);
                        child_fail(ch.errfd, x);
                }
                if (tar_extract(stream ? in_fd : rd, as, o->archive, &x) < 0)
                        child_fail(ch.errfd, x);
                _exit(0);
        }
        if (!stream) {
                rd = safe_close(rd);
                if (chdir(sdir) < 0)
                        wr_r = berr_sys(&x, "change to '%s'", sdir);
                else
                        wr_r = tar_write(sbase, NULL, o->follow_link, false, wr, &x);
                wr = safe_close(wr);
        }
        r = child_wait(&ch, err);
        if (r < 0) {
                berr_free(x);
                return r;
        }
        if (wr_r < 0) {
                *err = x;
                return wr_r;
        }
        return 0;
}

int engine_export(struct engine *e, const struct engine_container *c, int out_fd, struct berr **err)
{
        struct child ch;
        int r = enter_fork(e, c, false, &ch, err);

        if (r < 0)
                return r;
        if (r == 0) {
                struct berr *x = NULL;
                if (tar_write(".", "", false, true, out_fd, &x) < 0)
                        child_fail(ch.errfd, x);
                _exit(0);
        }
        return child_wait(&ch, err);
}

/* ---- diff ---- */

char fsops_diff_kind(unsigned mode, unsigned long rdev, bool in_lower)
{
        if (S_ISCHR(mode) && major(rdev) == 0 && minor(rdev) == 0)
                return 'D';
        return in_lower ? 'C' : 'A';
}

bool fsops_diff_hidden(const char *rel)
{
        /* the engine's own mount targets (docker keeps them in an init layer that diff does not show) */
        return streq(rel, "etc/hostname") || streq(rel, "etc/hosts") || streq(rel, "etc/resolv.conf");
}

struct diff_ctx {
        int *lowers; /* dirfds of the lower diff dirs, top first */
        size_t n_lowers;
        FILE *out;
};

/* Does path (relative, "a/b") exist in the image below the upper dir? */
static bool in_lower(const struct diff_ctx *d, const char *path)
{
        for (size_t i = 0; i < d->n_lowers; i++) {
                struct stat st;
                _cleanup_close_ int fd = path_open_in_root(d->lowers[i], path, O_PATH | O_NOFOLLOW, 0, NULL);

                if (fd >= 0 && fstat(fd, &st) == 0)
                        return fsops_diff_kind(st.st_mode, st.st_rdev, true) != 'D';
        }
        return false;
}

static int diff_dir(const struct diff_ctx *d, int dirfd, const char *prefix, unsigned depth, struct berr **err)
{
        struct dirent **names = NULL;
        int n, fd2 = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        char proc[64];

        if (depth > FSOPS_DIFF_DEPTH_MAX)
                return berr_set(err, ELOOP, "directory tree deeper than %d levels", FSOPS_DIFF_DEPTH_MAX);
        if (fd2 < 0)
                return berr_sys(err, "dup");
        n = scandir(path_fd_proc(fd2, proc, sizeof(proc)), &names, NULL, alphasort);
        close(fd2);
        if (n < 0)
                return berr_sys(err, "read upper dir");
        for (int i = 0; i < n; i++) {
                const char *nm = names[i]->d_name;
                _cleanup_free_ char *rel = NULL;
                struct stat st;

                if (streq(nm, ".") || streq(nm, "..") || fstatat(dirfd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                rel = *prefix ? xasprintf("%s/%s", prefix, nm) : xstrdup(nm);
                if (fsops_diff_hidden(rel)) {
                        free(names[i]);
                        continue;
                }
                fprintf(d->out, "%c /%s\n", fsops_diff_kind(st.st_mode, st.st_rdev, in_lower(d, rel)), rel);
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub = openat(dirfd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0 && diff_dir(d, sub, rel, depth + 1, err) < 0) {
                                for (int j = i; j < n; j++)
                                        free(names[j]);
                                free(names);
                                return -EIO;
                        }
                }
                free(names[i]);
        }
        free(names);
        return 0;
}

int engine_diff(struct engine *e, const struct engine_container *c, FILE *out, struct berr **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, c->id), *upper = path_join(dir, "upper");
        _cleanup_(strv_freep) char **lowers = NULL;
        _cleanup_close_ int ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct image_layer *layers = NULL;
        struct diff_ctx d = {.out = out};
        size_t n = 0;
        int r;

        if (ufd < 0)
                return ufd = -1, 0; /* never started: no changes */
        r = image_get_layers(e->store, c->image_id, &layers, &n, err);
        if (r < 0)
                return r;
        if (n > 0)
                r = snapshot_get_lowers(e->store->snapshots, layers[n - 1].chain_id, &lowers, err);
        image_layers_free(layers, n);
        if (r < 0)
                return r;
        d.n_lowers = strv_length(lowers);
        d.lowers = xcalloc(d.n_lowers + 1, sizeof(int));
        for (size_t i = 0; i < d.n_lowers; i++)
                d.lowers[i] = open(lowers[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = diff_dir(&d, ufd, "", 0, err);
        for (size_t i = 0; i < d.n_lowers; i++)
                if (d.lowers[i] >= 0)
                        close(d.lowers[i]);
        free(d.lowers);
        return r;
}

/* ---- commit ---- */

/* The container's Config as an image config's "config" (docker's commit keeps the run settings). */
static struct json_object *commit_config(const struct engine_container *c)
{
        static const char *const keys[] = {"User",        "ExposedPorts", "Env",        "Cmd",
                                           "Healthcheck", "Volumes",      "WorkingDir", "Entrypoint",
                                           "Labels",      "StopSignal",   "OnBuild",    NULL};
        struct json_object *cfg = json_field(c->config, "Config"), *out = json_new_object(), *v;

        for (size_t i = 0; keys[i]; i++)
                if ((v = json_field(cfg, keys[i])))
                        json_add(out, keys[i], json_object_get(v));
        return out;
}

/* The layer of the container's changes; a running container is paused meanwhile (docker's default). */
static int commit_layer(struct engine *e, struct engine_container *c, bool pause, int ufd, int tfd,
                        struct layer_digests *ret, struct berr **err)
{
        struct layer_create_opts lo = {.overlay_whiteouts = true, .clamp_mtime = -1};
        bool paused = false;
        int r;

        if (pause && c->state == ENGINE_STATE_RUNNING) {
                r = engine_pause(e, c, true, err);
                if (r < 0)
                        return berr_wrap(err, "commit %s: pause", c->name);
                paused = true;
        }
        r = layer_create_tar(ufd, &lo, tfd, ret, err);
        if (r < 0)
                r = berr_wrap(err, "commit %s", c->name);
        if (paused) {
                struct berr *x = NULL;
                int u = engine_pause(e, c, false, &x);

                if (u < 0 && r >= 0) {
                        r = berr_set(err, berr_code(x), "commit %s: unpause: %s", c->name, berr_msg(x));
                }
                berr_free(x);
        }
        return r;
}

int engine_commit(struct engine *e, struct engine_container *c, const struct engine_commit_opts *o, char **ret_id,
                  struct berr **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, c->id), *upper = path_join(dir, "upper"), *raw = NULL,
                            *text = NULL, *tmp = NULL;
        _cleanup_(json_object_putp) struct json_object *img = NULL;
        _cleanup_close_ int ufd = -1, tfd = -1;
        _cleanup_(strv_freep) char **tags = NULL;
        struct layer_digests dg;
        struct image_layer *layers = NULL;
        struct json_object *rootfs, *diffs, *hist, *h, *config;
        char digest[DIGEST_STRING_MAX], now[64];
        uint64_t size = 0;
        size_t n = 0, len = 0;
        int r;

        ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ufd < 0)
                return berr_sys(err, "open the changes of %s", c->name);
        r = image_read_config(e->store, c->image_id, NULL, &raw, &len, err);
        if (r < 0)
                return r;
        r = json_parse_buf(raw, len, &img, err);
        if (r < 0)
                return r;
        /* 1. the layer: a tar of the upper dir, whiteouts as .wh. entries, into the blob store */
        tmp = xasprintf("%s/commit.tar", dir);
        tfd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (tfd < 0)
                return berr_sys(err, "create '%s'", tmp);
        (void)unlink(tmp);
        r = commit_layer(e, c, o->pause, ufd, tfd, &dg, err);
        if (r < 0)
                return r;
        if (lseek(tfd, 0, SEEK_SET) < 0)
                return berr_sys(err, "rewind layer");
        r = store_blob_put_fd(e->store, tfd, NULL, COMMIT_LAYER_MAX, digest, &size, err);
        if (r < 0)
                return r;
        /* 2. the config: the container's settings, the changes, the new diff_id and history */
        config = commit_config(c);
        json_add(img, "config", config);
        for (char **ch = o->changes; ch && *ch; ch++) {
                r = image_apply_change(config, *ch, err);
                if (r < 0)
                        return r;
        }
        if (!json_object_object_get_ex(img, "rootfs", &rootfs) ||
            !json_object_object_get_ex(rootfs, "diff_ids", &diffs))
                return berr_set(err, EINVAL, "image config of %s has no rootfs", c->image_id);
        json_append(diffs, json_object_new_string(dg.diff_id));
        if (!json_object_object_get_ex(img, "history", &hist)) {
                hist = json_new_array();
                json_add(img, "history", hist);
        }
        h = json_new_object();
        engine_now(now, sizeof(now));
        json_add_string(h, "created", now);
        json_add_string(h, "created_by", "berth commit");
        if (o->author)
                json_add_string(h, "author", o->author);
        if (o->message)
                json_add_string(h, "comment", o->message);
        json_append(hist, h);
        json_add_string(img, "created", now);
        if (o->author)
                json_add_string(img, "author", o->author);
        text = json_dump(img, false);
        /* 3. the image: the base layers plus ours */
        r = image_get_layers(e->store, c->image_id, &layers, &n, err);
        if (r < 0)
                return r;
        layers = xreallocarray(layers, n + 1, sizeof(*layers));
        layers[n] = (struct image_layer){.diff_id = xstrdup(dg.diff_id),
                                         .chain_id = NULL,
                                         .blob_digest = xstrdup(digest),
                                         .media_type = xstrdup("application/vnd.docker.image.rootfs.diff.tar"),
                                         .blob_size = size,
                                         .size = dg.size};
        if (o->tag)
                strv_push(&tags, o->tag);
        r = image_create(e->store, text, strlen(text), layers, n + 1, tags, ret_id, err);
        image_layers_free(layers, n + 1);
        return r;
}

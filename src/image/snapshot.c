/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The snapshot store: unpacked layers keyed by chain ID (layout in
 * snapshot.h), and container root file systems made from them.
 *
 * Atomicity: a layer is unpacked into tmp/<random>/, its metadata files
 * written next to diff/, and the whole directory renamed to <chain-hex> with
 * RENAME_NOREPLACE; a concurrent unpack of the same chain loses the rename
 * and discards its copy. Removal renames the directory back into tmp/
 * before deleting it, so a half-deleted snapshot is never seen as whole.
 * Each tmp/ entry is flock()ed by the process working in it; open sweeps
 * entries nobody holds (left by a crash).
 *
 * What this does not do: reference counting (the store's database decides
 * when a snapshot goes) and image metadata.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/layer-internal.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"

#define SHORT_ID_LEN      16
#define SNAPSHOT_META_MAX 256
#define TMP_GRACE_SECONDS 600
/* mount(2) without lowerdir+: at most this many layers stay separate lower dirs (each short
 * path takes about 20 bytes of the one page of options), the rest is flattened. */
#define FLAT_KEEP_LAYERS 100

struct snapshot_store {
        char *dir; /* owned: <root>/layers */
        int fd;    /* O_RDONLY|O_DIRECTORY of dir */
        bool unprivileged;
};

static const char *hex_of(const char *chain_id)
{
        return chain_id + strlen("sha256:");
}

static int check_id(const char *what, const char *id, struct berr **err)
{
        if (!layer_digest_is_valid(id))
                return berr_set(err, EINVAL, "invalid %s '%s'", what, id ? id : "(null)");
        return 0;
}

/* Removes tmp/ entries that no live process holds a lock on. */
static void sweep_tmp(struct snapshot_store *s)
{
        _cleanup_close_ int tfd = openat(s->fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (tfd < 0)
                return;
        {
                int dfd = fcntl(tfd, F_DUPFD_CLOEXEC, 3);
                d = dfd >= 0 ? fdopendir(dfd) : NULL;
                if (!d) {
                        safe_close(dfd);
                        return;
                }
        }
        while ((de = readdir(d))) {
                _cleanup_close_ int efd = -1;

                if (de->d_name[0] == '.')
                        continue;
                struct stat st;

                efd = openat(tfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (efd < 0 || flock(efd, LOCK_EX | LOCK_NB) < 0)
                        continue; /* in use by another unpack or removal */
                /* A directory made a moment ago may not be locked by its maker yet. */
                if (fstat(efd, &st) < 0 || st.st_ctim.tv_sec > time(NULL) - TMP_GRACE_SECONDS)
                        continue;
                if (rm_rf_at(tfd, de->d_name, NULL) < 0)
                        log_debug("remove stale snapshot temp '%s': ignoring", de->d_name);
        }
}

int snapshot_store_open(const char *root, struct snapshot_store **ret, struct berr **err)
{
        _cleanup_free_ char *dir = path_join(root, "layers");
        struct snapshot_store *s;
        int r, fd;

        for (const char *sub = "l\0tmp\0empty\0"; *sub; sub += strlen(sub) + 1) {
                _cleanup_free_ char *p = path_join(dir, sub);
                r = mkdir_parents_at(AT_FDCWD, p, 0700, err);
                if (r < 0)
                        return berr_wrap(err, "snapshot store '%s'", dir);
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open snapshot store '%s'", dir);
        s = xzalloc(sizeof(*s));
        s->dir = TAKE_PTR(dir);
        s->fd = fd;
        s->unprivileged = geteuid() != 0;
        sweep_tmp(s);
        *ret = s;
        return 0;
}

struct snapshot_store *snapshot_store_free(struct snapshot_store *s)
{
        if (!s)
                return NULL;
        safe_close(s->fd);
        free(s->dir);
        free(s);
        return NULL;
}

int snapshot_chain_id(const char *parent_chain_id, const char *diff_id, char ret[LAYER_DIGEST_MAX], struct berr **err)
{
        _cleanup_free_ char *in = NULL;
        char buf[DIGEST_STRING_MAX];
        int r;

        r = check_id("diff_id", diff_id, err);
        if (r < 0)
                return r;
        if (!parent_chain_id) {
                memcpy(ret, diff_id, strlen(diff_id) + 1);
                return 0;
        }
        r = check_id("parent chain ID", parent_chain_id, err);
        if (r < 0)
                return r;
        in = xasprintf("%s %s", parent_chain_id, diff_id);
        snprintf(ret, LAYER_DIGEST_MAX, "%s", digest_sha256_buf(in, strlen(in), buf));
        return 0;
}

int snapshot_exists(struct snapshot_store *s, const char *chain_id, struct berr **err)
{
        _cleanup_free_ char *p = NULL;
        struct stat st;
        int r = check_id("chain ID", chain_id, err);

        if (r < 0)
                return r;
        p = xasprintf("%s/diff", hex_of(chain_id));
        if (fstatat(s->fd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return berr_sys(err, "stat snapshot '%s'", chain_id);
        }
        return 1;
}

static int read_meta(struct snapshot_store *s, const char *chain_id, const char *file, char **ret, struct berr **err)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", hex_of(chain_id), file);
        _cleanup_(berr_freep) struct berr *e = NULL;
        size_t len;
        int r = read_file_at(s->fd, p, SNAPSHOT_META_MAX, ret, &len, &e);

        if (r == -ENOENT)
                return 0; /* absent is an answer (a base layer has no parent file) */
        if (r < 0) {
                r = berr_set(err, berr_code(e), "%s", berr_msg(e));
                return r;
        }
        return 1;
}

int snapshot_get_parent(struct snapshot_store *s, const char *chain_id, char **ret_parent, struct berr **err)
{
        _cleanup_free_ char *parent = NULL;
        int r = snapshot_exists(s, chain_id, err);

        if (r <= 0)
                return r;
        r = read_meta(s, chain_id, "parent", &parent, err);
        if (r < 0)
                return r;
        if (parent && !layer_digest_is_valid(parent))
                return berr_set(err, EINVAL, "snapshot '%s' has a corrupt parent file", chain_id);
        *ret_parent = TAKE_PTR(parent);
        return 1;
}

int snapshot_get_size(struct snapshot_store *s, const char *chain_id, uint64_t *ret_size, struct berr **err)
{
        _cleanup_free_ char *size = NULL;
        int r = snapshot_exists(s, chain_id, err);

        if (r <= 0)
                return r;
        r = read_meta(s, chain_id, "size", &size, err);
        if (r < 0)
                return r;
        if (r == 0 || parse_uint64(size, 10, ret_size) < 0)
                return berr_set(err, EINVAL, "snapshot '%s' has a corrupt size file", chain_id);
        return 1;
}

int snapshot_open_diff(struct snapshot_store *s, const char *chain_id, struct berr **err)
{
        _cleanup_free_ char *p = NULL;
        int r = check_id("chain ID", chain_id, err), fd;

        if (r < 0)
                return r;
        p = xasprintf("%s/diff", hex_of(chain_id));
        fd = openat(s->fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open snapshot '%s'", chain_id);
        return fd;
}

/* Chain IDs of the stack, top first. */
static int get_chain(struct snapshot_store *s, const char *chain_id, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **chain = NULL;
        _cleanup_free_ char *cur = xstrdup(chain_id);

        while (cur) {
                char *parent = NULL;
                int r;

                if (strv_length(chain) >= OVERLAY_MAX_LOWERS)
                        return berr_set(err, E2BIG, "snapshot '%s' stacks more than %d layers", chain_id,
                                        OVERLAY_MAX_LOWERS);
                r = snapshot_get_parent(s, cur, &parent, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        return berr_set(err, ENOENT, "layer '%s' is not unpacked", cur);
                strv_push_take(&chain, TAKE_PTR(cur));
                cur = parent;
        }
        *ret = TAKE_PTR(chain);
        return 0;
}

int snapshot_get_lowers(struct snapshot_store *s, const char *chain_id, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **chain = NULL, **lowers = NULL;
        int r = get_chain(s, chain_id, &chain, err);

        if (r < 0)
                return r;
        for (char **c = chain; *c; c++)
                strv_push_take(&lowers, xasprintf("%s/%s/diff", s->dir, hex_of(*c)));
        *ret = TAKE_PTR(lowers);
        return 0;
}

/* A fresh, locked directory under tmp/; returns its fd and name. */
static int make_tmp(struct snapshot_store *s, char **ret_name, struct berr **err)
{
        for (int tries = 0; tries < 16; tries++) {
                uint64_t rnd;
                _cleanup_free_ char *name = NULL;
                int fd;

                if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                        return berr_sys(err, "getrandom");
                name = xasprintf("tmp/%016llx", (unsigned long long)rnd);
                if (mkdirat(s->fd, name, 0700) < 0) {
                        if (errno == EEXIST)
                                continue;
                        return berr_sys(err, "create snapshot temp dir");
                }
                fd = openat(s->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || flock(fd, LOCK_EX) < 0) {
                        int e = berr_sys(err, "open snapshot temp dir");
                        safe_close(fd);
                        (void)rm_rf_at(s->fd, name, NULL); /* best effort: the sweep gets it otherwise */
                        return e;
                }
                *ret_name = TAKE_PTR(name);
                return fd;
        }
        return berr_set(err, EEXIST, "cannot create a unique snapshot temp dir");
}

static int write_meta(int dirfd, const char *file, const char *value, struct berr **err)
{
        return write_file_atomic_at(dirfd, file, value, strlen(value), 0600, err);
}

/* Unpacks into tmp dir fd; fills digests and the chain id. */
static int unpack_into(struct snapshot_store *s, int tfd, const char *parent, int blob_fd, const char *expected_diff_id,
                       const char *expected_digest, char chain[LAYER_DIGEST_MAX], struct layer_digests *d,
                       struct berr **err)
{
        struct layer_unpack_opts o = {
                .expected_diff_id = expected_diff_id,
                .expected_digest = expected_digest,
                .whiteouts = LAYER_WHITEOUT_OVERLAY,
                .userxattr = s->unprivileged,
                .no_chown = s->unprivileged,
        };
        _cleanup_close_ int dfd = -1;
        _cleanup_free_ char *size = NULL;
        char link[SHORT_ID_LEN + 1];
        int r;

        if (mkdirat(tfd, "diff", 0755) < 0)
                return berr_sys(err, "create diff dir");
        dfd = openat(tfd, "diff", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return berr_sys(err, "open diff dir");
        r = layer_unpack(blob_fd, dfd, &o, d, err);
        if (r < 0)
                return r;
        r = snapshot_chain_id(parent, d->diff_id, chain, err);
        if (r < 0)
                return r;
        memcpy(link, hex_of(chain), SHORT_ID_LEN);
        link[SHORT_ID_LEN] = 0;
        size = xasprintf("%llu", (unsigned long long)d->size);
        if ((parent && (r = write_meta(tfd, "parent", parent, err)) < 0) ||
            (r = write_meta(tfd, "diff-id", d->diff_id, err)) < 0 || (r = write_meta(tfd, "size", size, err)) < 0 ||
            (r = write_meta(tfd, "link", link, err)) < 0)
                return r;
        return 0;
}

static int make_link(struct snapshot_store *s, const char *chain, struct berr **err)
{
        _cleanup_free_ char *link = xasprintf("l/%.*s", SHORT_ID_LEN, hex_of(chain));
        _cleanup_free_ char *target = xasprintf("../%s/diff", hex_of(chain));

        if (symlinkat(target, s->fd, link) < 0 && errno != EEXIST)
                return berr_sys(err, "create short link '%s'", link);
        return 0;
}

static void fill_existing(struct snapshot_store *s, const char *chain, const char *diff_id, struct layer_digests *ret)
{
        uint64_t size = 0;

        if (!ret)
                return;
        *ret = (struct layer_digests){};
        (void)snprintf(ret->diff_id, sizeof(ret->diff_id), "%s", diff_id); /* fits: a checked digest */
        if (snapshot_get_size(s, chain, &size, NULL) > 0)
                ret->size = size;
}

int snapshot_unpack(struct snapshot_store *s, const char *parent_chain_id, int blob_fd, const char *expected_diff_id,
                    const char *expected_digest, char ret_chain_id[LAYER_DIGEST_MAX], struct layer_digests *ret,
                    struct berr **err)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int tfd = -1;
        char chain[LAYER_DIGEST_MAX];
        struct layer_digests d;
        int r, r2;

        if (parent_chain_id) {
                r = snapshot_exists(s, parent_chain_id, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        return berr_set(err, ENOENT, "parent layer '%s' is not unpacked", parent_chain_id);
        }
        if (expected_diff_id) {
                r = snapshot_chain_id(parent_chain_id, expected_diff_id, chain, err);
                if (r < 0)
                        return r;
                r = snapshot_exists(s, chain, err);
                if (r < 0)
                        return r;
                if (r > 0) {
                        fill_existing(s, chain, expected_diff_id, ret);
                        memcpy(ret_chain_id, chain, sizeof(chain));
                        return 0;
                }
        }
        tfd = make_tmp(s, &tmp, err);
        if (tfd < 0)
                return tfd;
        r = unpack_into(s, tfd, parent_chain_id, blob_fd, expected_diff_id, expected_digest, chain, &d, err);
        if (r >= 0 && renameat2(s->fd, tmp, s->fd, hex_of(chain), RENAME_NOREPLACE) < 0) {
                int e = errno;

                if (e == EEXIST && snapshot_exists(s, chain, NULL) > 0) {
                        r = 0; /* another unpack of the same chain won: use theirs */
                        fill_existing(s, chain, d.diff_id, &d);
                } else if (e == EEXIST)
                        r = berr_set(err, EEXIST, "snapshot directory of '%s' exists but is not whole: remove it",
                                     chain);
                else
                        r = berr_errno(err, e, "move snapshot '%s' into place", chain);
        } else if (r >= 0)
                r = 1;
        if (r <= 0) {
                (void)rm_rf_at(s->fd, tmp, NULL); /* best effort: the sweep gets it otherwise */
                if (r < 0)
                        return berr_wrap(err, "unpack layer%s%s", expected_diff_id ? " " : "",
                                         expected_diff_id ? expected_diff_id : "");
        }
        r2 = make_link(s, chain, err);
        if (r2 < 0)
                return r2;
        memcpy(ret_chain_id, chain, sizeof(chain));
        if (ret)
                *ret = d;
        return r;
}

int snapshot_remove(struct snapshot_store *s, const char *chain_id, struct berr **err)
{
        _cleanup_free_ char *link = NULL, *doomed = NULL;
        uint64_t rnd;
        int r = check_id("chain ID", chain_id, err);

        /* Not snapshot_exists(): a directory that is not whole (no diff/) goes as well. */
        if (r < 0)
                return r;
        link = xasprintf("l/%.*s", SHORT_ID_LEN, hex_of(chain_id));
        if (unlinkat(s->fd, link, 0) < 0 && errno != ENOENT)
                return berr_sys(err, "remove short link of '%s'", chain_id);
        /* Out of sight first: a half-deleted snapshot must never look whole. An interrupted
         * removal leaves an unlocked tmp/ entry for the next sweep. */
        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return berr_sys(err, "getrandom");
        doomed = xasprintf("tmp/rm-%016llx", (unsigned long long)rnd);
        if (renameat2(s->fd, hex_of(chain_id), s->fd, doomed, RENAME_NOREPLACE) < 0) {
                if (errno == ENOENT)
                        return 0; /* removed concurrently */
                return berr_sys(err, "move snapshot '%s' away", chain_id);
        }
        r = rm_rf_at(s->fd, doomed, err);
        if (r < 0)
                return berr_wrap(err, "remove snapshot '%s'", chain_id);
        return 0;
}

/* ---- mounting ---- */

static bool overlay_unavailable(int r)
{
        /* no overlayfs here, or not allowed to mount it (unprivileged without a user namespace) */
        return r == -ENODEV || r == -EPERM || r == -EOPNOTSUPP;
}

static int copy_stack(struct snapshot_store *s, const char *chain_id, const char *target, struct berr **err);

/*
 * <hex>/flat: the merged tree of chain_id's whole stack (layers copied bottom up, whiteouts
 * applied), made once, for kernels whose mount(2) cannot take a deep stack: the bottom of the
 * stack becomes this one lower dir. Made in tmp/ and renamed into place like a snapshot.
 */
static int ensure_flat(struct snapshot_store *s, const char *chain_id, struct berr **err)
{
        _cleanup_free_ char *flat = xasprintf("%s/flat", hex_of(chain_id)), *tmp = NULL, *tmp_path = NULL;
        _cleanup_free_ char *link = xasprintf("l/%.*sf", SHORT_ID_LEN, hex_of(chain_id));
        _cleanup_free_ char *target = xasprintf("../%s", flat);
        _cleanup_close_ int tfd = -1;
        struct stat st;
        int r;

        if (fstatat(s->fd, flat, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                tfd = make_tmp(s, &tmp, err);
                if (tfd < 0)
                        return tfd;
                tmp_path = path_join(s->dir, tmp);
                r = copy_stack(s, chain_id, tmp_path, err);
                if (r >= 0 && fchmod(tfd, 0755) < 0)
                        r = berr_sys(err, "chmod flattened stack");
                if (r >= 0 && renameat2(s->fd, tmp, s->fd, flat, RENAME_NOREPLACE) < 0 && errno != EEXIST)
                        r = berr_sys(err, "move flattened stack into place");
                (void)rm_rf_at(s->fd, tmp, NULL); /* gone when renamed; else best effort, swept later */
                if (r < 0)
                        return berr_wrap(err, "flatten the bottom layers of '%s'", chain_id);
        }
        if (symlinkat(target, s->fd, link) < 0 && errno != EEXIST)
                return berr_sys(err, "create short link '%s'", link);
        return 0;
}

static int mount_overlay_stack(struct snapshot_store *s, const char *chain_id, const char *upper, const char *work,
                               const char *target, const struct snapshot_mount_opts *o, struct berr **err)
{
        _cleanup_(strv_freep) char **chain = NULL, **lowers = NULL, **shorts = NULL;
        struct overlay_opts oo = {.userxattr = o->userxattr, .force_legacy = o->legacy_mount,
                                  .volatile_upper = o->volatile_upper};
        struct berr *e = NULL;
        size_t n;
        int r;

        if (chain_id) {
                r = get_chain(s, chain_id, &chain, err);
                if (r < 0)
                        return r;
        }
        for (char **c = chain; c && *c; c++) {
                r = make_link(s, *c, err); /* normally there already; re-made after a crash */
                if (r < 0)
                        return r;
                strv_push_take(&lowers, xasprintf("%s/%s/diff", s->dir, hex_of(*c)));
                strv_push_take(&shorts, xasprintf("l/%.*s", SHORT_ID_LEN, hex_of(*c)));
        }
        /* An empty image has no lower dir, and a read-only overlay wants two: pad with empty/. */
        while (strv_length(lowers) < (o->readonly ? 2u : 1u)) {
                strv_push_take(&lowers, path_join(s->dir, "empty"));
                strv_push(&shorts, "empty");
        }
        r = overlay_mount(s->fd, lowers, shorts, o->readonly ? NULL : upper, work, target, &oo, &e);
        n = strv_length(chain);
        if (r != -E2BIG || n <= FLAT_KEEP_LAYERS) {
                if (r < 0 && err)
                        *err = e;
                else
                        berr_free(e);
                return r;
        }
        /* Too deep for mount(2) on a kernel without lowerdir+: keep the top layers, and merge
         * the rest into one flattened lower dir. */
        log_debug("%s; flattening all but the top %d layers", berr_msg(e), FLAT_KEEP_LAYERS);
        berr_free(e);
        r = ensure_flat(s, chain[FLAT_KEEP_LAYERS], err);
        if (r < 0)
                return r;
        for (size_t i = FLAT_KEEP_LAYERS; i < n; i++) {
                free(lowers[i]);
                free(shorts[i]);
                lowers[i] = shorts[i] = NULL;
        }
        lowers[FLAT_KEEP_LAYERS] = xasprintf("%s/%s/flat", s->dir, hex_of(chain[FLAT_KEEP_LAYERS]));
        shorts[FLAT_KEEP_LAYERS] = xasprintf("l/%.*sf", SHORT_ID_LEN, hex_of(chain[FLAT_KEEP_LAYERS]));
        return overlay_mount(s->fd, lowers, shorts, o->readonly ? NULL : upper, work, target, &oo, err);
}

/*
 * Copies one layer's diff dir onto dest, applying its whiteouts: a child process writes the
 * diff as a tar (overlay whiteouts turned into .wh. entries, each opaque marker right after
 * its directory) into a pipe, and this process unpacks it in apply mode. One code path for
 * all entry types, hardlinks and confinement, the one blobs go through.
 */
static int copy_layer(int src_dirfd, int dest_dirfd, bool unprivileged, struct berr **err)
{
        struct layer_unpack_opts uo = {
                .whiteouts = LAYER_WHITEOUT_APPLY, .userxattr = unprivileged, .no_chown = unprivileged};
        _cleanup_close_ int data_r = -1, data_w = -1, err_r = -1, err_w = -1;
        int p[2], status, r;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        data_r = p[0];
        data_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        err_r = p[0];
        err_w = p[1];
        pid = fork();
        if (pid < 0)
                return berr_sys(err, "fork");
        if (pid == 0) {
                struct layer_create_opts co = {.overlay_whiteouts = true, .clamp_mtime = -1};
                struct berr *e = NULL;

                data_r = safe_close(data_r); /* NOLINT(clang-analyzer-deadcode.DeadStores): read by the cleanup */
                if (layer_create_tar(src_dirfd, &co, data_w, NULL, &e) < 0) {
                        (void)write_all(err_w, berr_msg(e), strlen(berr_msg(e))); /* the parent reports it */
                        _exit(127);
                }
                _exit(0);
        }
        data_w = safe_close(data_w); /* NOLINT(clang-analyzer-deadcode.DeadStores): read by the cleanup */
        err_w = safe_close(err_w);   /* NOLINT(clang-analyzer-deadcode.DeadStores): read by the cleanup */
        r = layer_unpack(data_r, dest_dirfd, &uo, NULL, err);
        data_r = safe_close(data_r); /* NOLINT(clang-analyzer-deadcode.DeadStores): a writer still going gets EPIPE */
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return berr_sys(err, "wait for layer reader");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                char msg[512];
                ssize_t n = read(err_r, msg, sizeof(msg) - 1);

                msg[n > 0 ? n : 0] = 0;
                if (r >= 0 || n > 0) {
                        if (err) {
                                berr_free(*err);
                                *err = NULL;
                        }
                        return berr_set(err, EIO, "read layer for copy: %s", n > 0 ? msg : "reader died");
                }
        }
        return r;
}

static int copy_stack(struct snapshot_store *s, const char *chain_id, const char *target, struct berr **err)
{
        _cleanup_(strv_freep) char **chain = NULL;
        _cleanup_close_ int tfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (tfd < 0)
                return berr_sys(err, "open target '%s'", target);
        if (!chain_id)
                return 0;
        r = get_chain(s, chain_id, &chain, err);
        if (r < 0)
                return r;
        if (!chain)
                return 0;
        for (size_t i = strv_length(chain); i-- > 0;) { /* base layer first */
                _cleanup_close_ int dfd = snapshot_open_diff(s, chain[i], err);

                if (dfd < 0)
                        return dfd;
                r = copy_layer(dfd, tfd, s->unprivileged, err);
                if (r < 0)
                        return berr_wrap(err, "copy layer '%s'", chain[i]);
        }
        return 0;
}

/* Empties dir (copy mode failed halfway): nothing of a partial copy stays. */
static void empty_dir(const char *dir)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        struct dirent *de;

        if (fd < 0)
                return;
        d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (!d)
                return;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        strv_push(&names, de->d_name);
        for (char **n = names; n && *n; n++)
                (void)rm_rf_at(fd, *n, NULL); /* best effort, on an error path already */
}

int snapshot_mount(struct snapshot_store *s, const char *chain_id, const char *upper_dir, const char *work_dir,
                   const char *target, const struct snapshot_mount_opts *opts, enum snapshot_mount_mode *ret_mode,
                   struct berr **err)
{
        static const struct snapshot_mount_opts defaults = {.mode = SNAPSHOT_MOUNT_AUTO};
        int r;

        if (!opts)
                opts = &defaults;
        if (opts->mode < 0 || opts->mode >= _SNAPSHOT_MOUNT_MAX)
                return berr_set(err, EINVAL, "invalid mount mode %d", (int)opts->mode);
        if (chain_id && (r = check_id("chain ID", chain_id, err)) < 0)
                return r;
        if (!opts->readonly && opts->mode != SNAPSHOT_MOUNT_COPY && (!upper_dir || !work_dir))
                return berr_set(err, EINVAL, "an overlay mount needs an upper and a work dir");
        if (opts->mode != SNAPSHOT_MOUNT_COPY) {
                struct berr *e = NULL;

                r = mount_overlay_stack(s, chain_id, upper_dir, work_dir, target, opts, &e);
                if (r >= 0 || opts->mode == SNAPSHOT_MOUNT_OVERLAY || !overlay_unavailable(r)) {
                        if (r >= 0 && ret_mode)
                                *ret_mode = SNAPSHOT_MOUNT_OVERLAY;
                        if (r < 0) {
                                if (err)
                                        *err = e;
                                else
                                        berr_free(e);
                                return r;
                        }
                        return 0;
                }
                log_debug("overlay unavailable (%s), copying the layers instead", berr_msg(e));
                berr_free(e);
        }
        r = copy_stack(s, chain_id, target, err);
        if (r < 0) {
                empty_dir(target);
                return r;
        }
        if (ret_mode)
                *ret_mode = SNAPSHOT_MOUNT_COPY;
        return 0;
}

int snapshot_unmount(const char *target, struct berr **err)
{
        struct statx stx;

        if (statx(AT_FDCWD, target, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
                return berr_sys(err, "stat '%s'", target);
        if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
                return 0; /* not a mount point: a copy, left for the caller */
        if (umount2(target, UMOUNT_NOFOLLOW) < 0)
                return berr_sys(err, "unmount '%s'", target);
        return 0;
}

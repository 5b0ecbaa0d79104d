/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading image archives for `berth load` and writing them for `berth save`.
 *
 * Loading is one streaming pass over the tar (libarchive: tar, pax and GNU
 * formats, gzip/zstd/xz compression of the whole archive), then checks, then
 * commits:
 *   1. every regular file is hashed as it is read: JSON-sized files stay in
 *      memory, larger ones go to uncommitted blob writers in <root>/tmp;
 *   2. the format module (docker-archive.c, oci-layout.c) finds the images and
 *      their files, and load_image_check() verifies each config, each layer's
 *      diff_id and each digest the documents name;
 *   3. only then are the blobs linked into the store and the images recorded;
 *      a failure there removes the blobs this load created.
 * Nothing from the archive is ever written outside the store: names are used
 * only as keys, never as paths.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/archive-internal.h"
#include "image/archive.h"
#include "image/config.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/reference.h"
#ifdef HAVE_SNAPSHOT
#include "image/snapshot.h"
#endif
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"

void image_load_result_clear(struct image_load_result *r)
{
        r->loaded = strv_free(r->loaded);
        r->ids = strv_free(r->ids);
        r->lines = strv_free(r->lines);
}

void arc_clear(struct arc *a)
{
        for (size_t i = 0; i < a->n; i++) {
                free(a->files[i].name);
                free(a->files[i].link);
                free(a->files[i].data);
                blob_writer_free(a->files[i].w);
        }
        free(a->files);
        strv_free(a->created_blobs);
        memset(a, 0, sizeof(*a));
}

/* "./a//b" -> "a/b"; NULL for names that leave the archive (absolute, ".."). */
static char *clean_name(const char *name)
{
        _cleanup_free_ char *c = NULL;

        if (!name || !*name || name[0] == '/' || strlen(name) > ARCHIVE_NAME_MAX || path_has_dotdot(name))
                return NULL;
        c = path_clean(name);
        if (streq(c, ".") || startswith(c, "../") || streq(c, ".."))
                return NULL;
        return TAKE_PTR(c);
}

static struct arc_file *arc_add(struct arc *a, char *name, struct berr **err)
{
        struct arc_file *f;

        for (size_t i = 0; i < a->n; i++)
                if (streq(a->files[i].name, name)) {
                        berr_set(err, EINVAL, "archive has '%s' twice", name);
                        free(name);
                        return NULL;
                }
        if (a->n >= ARCHIVE_MAX_ENTRIES) {
                berr_set(err, EFBIG, "archive has more than %d files", ARCHIVE_MAX_ENTRIES);
                free(name);
                return NULL;
        }
        a->files = xreallocarray(a->files, a->n + 1, sizeof(*a->files));
        f = &a->files[a->n++];
        memset(f, 0, sizeof(*f));
        f->name = name;
        return f;
}

/* Reads one file's content through read_fn, hashing it. */
typedef ssize_t (*read_fn)(void *ctx, void *buf, size_t len);

static int arc_fill(struct store *s, struct arc *a, struct arc_file *f, int64_t size_hint, read_fn rd, void *ctx,
                    struct berr **err)
{
        _cleanup_free_ char *buf = xmalloc(1 << 17);
        _cleanup_(digester_freep) struct digester *h = digester_new(DIGEST_SHA256);
        bool small = size_hint >= 0 && (uint64_t)size_hint <= ARCHIVE_SMALL_FILE_MAX &&
                     a->memory + (uint64_t)size_hint <= ARCHIVE_MEMORY_MAX;
        struct digest d;
        int r;

        if (small)
                f->data = xmalloc((size_t)size_hint + 1);
        else {
                r = blob_writer_new(s, NULL, 0, &f->w, err);
                if (r < 0)
                        return r;
        }
        for (;;) {
                ssize_t n = rd(ctx, buf, 1 << 17);

                if (n < 0)
                        return berr_set(err, EINVAL, "read '%s' from the archive: truncated or corrupt", f->name);
                if (n == 0)
                        break;
                if (small) {
                        if (f->len + (size_t)n > (size_t)size_hint)
                                return berr_set(err, EINVAL, "'%s' is longer than its header says", f->name);
                        memcpy(f->data + f->len, buf, (size_t)n);
                        f->len += (size_t)n;
                        digester_update(h, buf, (size_t)n);
                } else {
                        uint64_t before = blob_writer_size(f->w);

                        r = blob_writer_write(f->w, buf, (size_t)n, err);
                        if (r < 0)
                                return r;
                        if (a->progress && a->progress->file &&
                            before / IMAGE_PROGRESS_STEP != blob_writer_size(f->w) / IMAGE_PROGRESS_STEP)
                                a->progress->file(a->progress->userdata, f->name, blob_writer_size(f->w),
                                                  size_hint > 0 ? (uint64_t)size_hint : 0);
                }
        }
        if (small) {
                f->data[f->len] = 0;
                f->size = f->len;
                a->memory += f->len;
                digester_final(h, &d);
                digest_format(&d, f->digest);
                return 0;
        }
        r = blob_writer_finish(f->w, err);
        if (r < 0)
                return r;
        f->size = blob_writer_size(f->w);
        if (a->progress && a->progress->file)
                a->progress->file(a->progress->userdata, f->name, f->size, f->size);
        memcpy(f->digest, blob_writer_digest(f->w), DIGEST_STRING_MAX);
        return 0;
}

static ssize_t read_archive(void *ctx, void *buf, size_t len)
{
        la_ssize_t n = archive_read_data(ctx, buf, len);

        return n < 0 ? -1 : (ssize_t)n;
}

static int add_link(struct arc *a, char *name, const char *target, bool hard, struct berr **err)
{
        _cleanup_free_ char *joined = NULL;
        struct arc_file *f;

        if (!target || strlen(target) > ARCHIVE_NAME_MAX)
                return berr_set(err, EINVAL, "archive link '%s' has an invalid target", name);
        if (hard)
                joined = xstrdup(target);
        else {
                /* A symbolic link is relative to its directory. */
                _cleanup_free_ char *dir = xstrdup(name);
                char *slash = strrchr(dir, '/');

                if (target[0] == '/')
                        return berr_set(err, EINVAL, "archive link '%s' points outside the archive", name);
                if (slash)
                        *slash = 0;
                joined = slash ? path_join(dir, target) : xstrdup(target);
        }
        f = arc_add(a, name, err);
        if (!f)
                return -EINVAL;
        f->link = clean_name(joined);
        if (!f->link) {
                _cleanup_free_ char *c = path_clean(joined);
                if (!c || startswith(c, "..") || c[0] == '/')
                        return berr_set(err, EINVAL, "archive link '%s' points outside the archive", f->name);
                f->link = TAKE_PTR(c);
        }
        return 0;
}

int arc_read_tar(struct store *s, int fd, struct arc *a, struct berr **err)
{
        struct archive *ar = archive_read_new();
        struct archive_entry *e;
        int r = 0, k;

        archive_read_support_format_tar(ar);
        archive_read_support_format_gnutar(ar);
        archive_read_support_filter_gzip(ar);
        archive_read_support_filter_zstd(ar);
        archive_read_support_filter_xz(ar);
        archive_read_support_filter_bzip2(ar);
        if (archive_read_open_fd(ar, fd, 1 << 17) != ARCHIVE_OK) {
                r = berr_set(err, EINVAL, "read archive: %s", archive_error_string(ar) ?: "not a tar archive");
                goto out;
        }
        while ((k = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
                const char *raw = archive_entry_pathname(e);
                char *name = clean_name(raw);
                mode_t type = archive_entry_filetype(e);
                struct arc_file *f;

                if (!name) {
                        if (raw && (streq(raw, ".") || streq(raw, "./")))
                                continue;
                        r = berr_set(err, EINVAL, "archive entry '%.200s' has an invalid name", raw ? raw : "");
                        goto out;
                }
                if (archive_entry_hardlink(e)) {
                        _cleanup_free_ char *t = clean_name(archive_entry_hardlink(e));
                        if (!t) {
                                free(name);
                                r = berr_set(err, EINVAL, "archive hardlink '%.200s' points outside the archive", raw);
                                goto out;
                        }
                        r = add_link(a, name, t, true, err);
                } else if (type == AE_IFDIR) {
                        free(name);
                        continue;
                } else if (type == AE_IFLNK)
                        r = add_link(a, name, archive_entry_symlink(e), false, err);
                else if (type == AE_IFREG) {
                        f = arc_add(a, name, err);
                        r = f ? arc_fill(s, a, f, archive_entry_size_is_set(e) ? archive_entry_size(e) : -1,
                                         read_archive, ar, err)
                              : -EINVAL;
                } else {
                        r = berr_set(err, EINVAL, "archive entry '%.200s' is not a file, directory or link", name);
                        free(name);
                }
                if (r < 0)
                        goto out;
        }
        if (k != ARCHIVE_EOF)
                r = berr_set(err, EINVAL, "read archive: %s", archive_error_string(ar) ?: "truncated or corrupt");
        else if (a->n == 0)
                r = berr_set(err, EINVAL, "read archive: empty or not a tar archive");
out:
        archive_read_free(ar);
        return r;
}

static ssize_t read_fd(void *ctx, void *buf, size_t len)
{
        int fd = *(int *)ctx;

        for (;;) {
                ssize_t n = read(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                return n;
        }
}

static int read_dir_rec(struct store *s, int dirfd, const char *prefix, unsigned depth, struct arc *a,
                        struct berr **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd, r;

        if (depth > 16)
                return berr_set(err, EINVAL, "layout directory nested too deep at '%s'", prefix);
        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open layout directory");
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return berr_sys(err, "read layout directory");
        }
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *name = NULL;
                _cleanup_close_ int cfd = -1;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                name = *prefix ? path_join(prefix, de->d_name) : xstrdup(de->d_name);
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return berr_sys(err, "stat '%s'", name);
                if (S_ISDIR(st.st_mode)) {
                        cfd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cfd < 0)
                                return berr_sys(err, "open '%s'", name);
                        r = read_dir_rec(s, cfd, name, depth + 1, a, err);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[ARCHIVE_NAME_MAX + 1];
                        ssize_t n = readlinkat(dirfd, de->d_name, target, sizeof(target) - 1);
                        if (n < 0)
                                return berr_sys(err, "read link '%s'", name);
                        target[n] = 0;
                        r = add_link(a, TAKE_PTR(name), target, false, err);
                } else if (S_ISREG(st.st_mode)) {
                        struct arc_file *f;
                        cfd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        if (cfd < 0)
                                return berr_sys(err, "open '%s'", name);
                        f = arc_add(a, TAKE_PTR(name), err);
                        r = f ? arc_fill(s, a, f, st.st_size, read_fd, &cfd, err) : -EINVAL;
                } else
                        r = berr_set(err, EINVAL, "'%s' in the layout is not a file, directory or link", name);
                if (r < 0)
                        return r;
        }
        if (errno)
                return berr_sys(err, "read layout directory");
        return 0;
}

int arc_read_dir(struct store *s, int dirfd, struct arc *a, struct berr **err)
{
        return read_dir_rec(s, dirfd, "", 0, a, err);
}

struct arc_file *arc_lookup(struct arc *a, const char *name)
{
        _cleanup_free_ char *cur = clean_name(name);

        for (int depth = 0; cur && depth <= ARCHIVE_LINK_DEPTH_MAX; depth++) {
                struct arc_file *f = NULL;

                for (size_t i = 0; i < a->n; i++)
                        if (streq(a->files[i].name, cur)) {
                                f = &a->files[i];
                                break;
                        }
                if (!f)
                        return NULL;
                if (!f->link)
                        return f;
                free(cur);
                cur = xstrdup(f->link);
        }
        return NULL;
}

int arc_read_json(struct arc *a, const char *name, struct json_object **ret, struct berr **err)
{
        struct arc_file *f = arc_lookup(a, name);
        int r;

        if (!f)
                return berr_set(err, ENOENT, "'%s' not found in the archive", name);
        if (!f->data || f->len > ARCHIVE_JSON_MAX)
                return berr_set(err, EFBIG, "'%s' is too large for a JSON document", name);
        r = json_parse_buf(f->data, f->len, ret, err);
        if (r < 0)
                return berr_wrap(err, "'%s'", name);
        return 0;
}

int arc_commit(struct store *s, struct arc *a, struct arc_file *f, const char *expected, struct berr **err)
{
        int r;

        if (expected && !streq(expected, f->digest))
                return berr_set(err, EILSEQ, "'%s': digest mismatch: content is %s, expected %s", f->name, f->digest,
                                expected);
        if (f->w)
                r = blob_writer_commit(f->w, err);
        else
                r = store_blob_put(s, f->data, f->len, f->digest, NULL, err);
        if (r < 0)
                return berr_wrap(err, "store '%s'", f->name);
        if (r > 0 && !strv_contains(a->created_blobs, f->digest))
                strv_push(&a->created_blobs, f->digest);
        return 0;
}

void arc_rollback(struct store *s, struct arc *a)
{
        for (size_t i = 0; a->created_blobs && a->created_blobs[i]; i++)
                (void)store_blob_remove(s, a->created_blobs[i], NULL); /* best effort on an error path */
}

int arc_diff_id(struct arc_file *f, char *ret_diff_id, uint64_t *ret_size, struct berr **err)
{
        _cleanup_close_ int fd = -1;

        if (f->data && blob_detect_compression(f->data, f->len) == BLOB_PLAIN) {
                memcpy(ret_diff_id, f->digest, DIGEST_STRING_MAX);
                *ret_size = f->len;
                return 0;
        }
        if (f->data) {
                fd = memfd_create("layer", MFD_CLOEXEC);
                if (fd < 0)
                        return berr_sys(err, "memfd_create");
                if (write_all(fd, f->data, f->len) < 0)
                        return berr_sys(err, "write memfd");
        } else {
                fd = fcntl(blob_writer_fd(f->w), F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return berr_sys(err, "dup");
        }
        return image_blob_diff_id(fd, ret_diff_id, ret_size, err);
}

void load_image_clear(struct load_image *li)
{
        free(li->layers);
        strv_free(li->layer_media_types);
        strv_free(li->tags);
        strv_free(li->diff_ids);
        free(li->sizes);
        free(li->deferred);
        free(li->created);
        memset(li, 0, sizeof(*li));
}

/* A compressed layer whose snapshot is not there yet gets its diff_id checked while it is unpacked,
 * in the same pass, instead of in a decompression of its own. */
static bool can_defer(struct store *s, struct arc_file *f, const char *chain_id)
{
#ifdef HAVE_SNAPSHOT
        unsigned char head[4] = {0};
        size_t n = 0;

        if (!s->snapshots)
                return false;
        if (f->data) {
                n = f->len < 4 ? f->len : 4;
                memcpy(head, f->data, n);
        } else {
                ssize_t k = pread(blob_writer_fd(f->w), head, 4, 0);
                n = k > 0 ? (size_t)k : 0;
        }
        return blob_detect_compression(head, n) != BLOB_PLAIN && snapshot_exists(s->snapshots, chain_id, NULL) == 0;
#else
        return false;
#endif
}

int load_image_check(struct store *s, struct load_image *li, struct berr **err)
{
        _cleanup_(image_config_freep) struct image_config *cfg = NULL;
        _cleanup_(strv_freep) char **chains = NULL;
        bool detect;
        int r;

        if (!li->config->data)
                return berr_set(err, EFBIG, "image config '%s' is too large", li->config->name);
        r = image_config_parse(li->config->data, li->config->len, &cfg, err);
        if (r < 0)
                return berr_wrap(err, "'%s'", li->config->name);
        if (cfg->n_diff_ids != li->n_layers)
                return berr_set(err, EINVAL, "image %s: the config lists %zu layers, the archive gives %zu",
                                li->config->digest, cfg->n_diff_ids, li->n_layers);
        detect = !li->layer_media_types;
        if (detect)
                li->layer_media_types = xcalloc(li->n_layers + 1, sizeof(char *));
        li->created = xstrdup(cfg->created);
        li->diff_ids = xcalloc(li->n_layers + 1, sizeof(char *));
        li->sizes = xcalloc(li->n_layers + 1, sizeof(uint64_t));
        li->deferred = xcalloc(li->n_layers + 1, sizeof(bool));
        chains = image_chain_ids(cfg->diff_ids, cfg->n_diff_ids);
        for (size_t i = 0; i < li->n_layers; i++) {
                char diff_id[DIGEST_STRING_MAX];

                if (can_defer(s, li->layers[i], chains[i])) {
                        li->deferred[i] = true;
                        memcpy(diff_id, cfg->diff_ids[i], strlen(cfg->diff_ids[i]) + 1);
                } else {
                        r = arc_diff_id(li->layers[i], diff_id, &li->sizes[i], err);
                        if (r < 0)
                                return berr_wrap(err, "layer '%s'", li->layers[i]->name);
                }
                if (!streq(diff_id, cfg->diff_ids[i]))
                        return berr_set(err, EILSEQ,
                                        "layer '%s': diff_id mismatch: content is %s, the image config says %s",
                                        li->layers[i]->name, diff_id, cfg->diff_ids[i]);
                li->diff_ids[i] = xstrdup(diff_id);
                if (detect) {
                        static const char *const mts[] = {[BLOB_PLAIN] = MT_DOCKER_LAYER,
                                                          [BLOB_GZIP] = MT_DOCKER_LAYER_GZIP,
                                                          [BLOB_ZSTD] = MT_OCI_LAYER_ZSTD};
                        unsigned char head[4] = {0};
                        size_t n = 0;

                        if (li->layers[i]->data) {
                                n = li->layers[i]->len < 4 ? li->layers[i]->len : 4;
                                memcpy(head, li->layers[i]->data, n);
                        } else {
                                ssize_t k = pread(blob_writer_fd(li->layers[i]->w), head, 4, 0);
                                n = k > 0 ? (size_t)k : 0;
                        }
                        li->layer_media_types[i] = xstrdup(mts[blob_detect_compression(head, n)]);
                } else if (!li->layer_media_types[i] || layer_media_type_compression(li->layer_media_types[i]) < 0)
                        return berr_set(err, EINVAL, "layer '%s': unsupported media type", li->layers[i]->name);
        }
        return 0;
}

#ifdef HAVE_SNAPSHOT
static int unpack_layers(struct store *s, struct load_image *li, char **chains, char ***created, struct berr **err)
{
        for (size_t i = 0; i < li->n_layers; i++) {
                _cleanup_close_ int fd = store_blob_open(s, li->layers[i]->digest, err);
                char chain[LAYER_DIGEST_MAX];
                struct layer_digests got = {0};
                int r;

                if (fd < 0)
                        return fd;
                r = snapshot_unpack(s->snapshots, i ? chains[i - 1] : NULL, fd, li->diff_ids[i], li->layers[i]->digest,
                                    chain, &got, err);
                if (r < 0)
                        return r; /* the snapshot module names the layer */
                if (r > 0)
                        strv_push(created, chain);
                if (li->deferred[i] && r == 0) {
                        /* Unpacked meanwhile by another load: check this blob the slow way. */
                        char diff_id[DIGEST_STRING_MAX];
                        r = arc_diff_id(li->layers[i], diff_id, &li->sizes[i], err);
                        if (r < 0)
                                return r;
                        if (!streq(diff_id, li->diff_ids[i]))
                                return berr_set(err, EILSEQ,
                                                "layer '%s': diff_id mismatch: content is %s, the image config says %s",
                                                li->layers[i]->name, diff_id, li->diff_ids[i]);
                } else if (li->deferred[i])
                        li->sizes[i] = got.size; /* the unpack checked the diff_id */
        }
        return 0;
}
#endif

int load_image_commit(struct store *s, struct arc *a, struct load_image *li, char **ret_id, struct berr **err)
{
        _cleanup_free_ struct image_layer *layers = xcalloc(li->n_layers + 1, sizeof(*layers));
        _cleanup_free_ struct descriptor *descs = xcalloc(li->n_layers + 1, sizeof(*descs));
        _cleanup_free_ char *manifest = NULL;
        _cleanup_(strv_freep) char **chains = image_chain_ids(li->diff_ids, li->n_layers), **unpacked = NULL;
        char manifest_digest[DIGEST_STRING_MAX];
        struct image_add add = {0};
        uint64_t manifest_size;
        int r;

        r = arc_commit(s, a, li->config, NULL, err);
        for (size_t i = 0; r >= 0 && i < li->n_layers; i++) {
                r = arc_commit(s, a, li->layers[i], NULL, err);
                layers[i] = (struct image_layer){.diff_id = li->diff_ids[i],
                                                 .chain_id = chains[i],
                                                 .blob_digest = li->layers[i]->digest,
                                                 .media_type = li->layer_media_types[i],
                                                 .blob_size = li->layers[i]->size,
                                                 .size = li->sizes[i]};
                descs[i] = (struct descriptor){.media_type = li->layer_media_types[i],
                                               .digest = li->layers[i]->digest,
                                               .size = li->layers[i]->size};
        }
        if (r < 0)
                return r;
        if (li->manifest) {
                r = arc_commit(s, a, li->manifest, NULL, err);
                if (r < 0)
                        return r;
                memcpy(manifest_digest, li->manifest->digest, DIGEST_STRING_MAX);
                manifest_size = li->manifest->size;
                add.manifest_media_type = li->manifest_media_type;
        } else {
                struct descriptor cd = {
                        .media_type = (char *)MT_DOCKER_CONFIG, .digest = li->config->digest, .size = li->config->size};
                manifest = manifest_build(false, &cd, descs, li->n_layers);
                r = store_blob_put(s, manifest, strlen(manifest), NULL, manifest_digest, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        strv_push(&a->created_blobs, manifest_digest);
                manifest_size = strlen(manifest);
                add.manifest_media_type = MT_DOCKER_MANIFEST;
        }
#ifdef HAVE_SNAPSHOT
        r = unpack_layers(s, li, chains, &unpacked, err);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < li->n_layers; i++)
                layers[i].size = li->sizes[i];
#endif
        add.config_digest = li->config->digest;
        add.manifest_digest = manifest_digest;
        add.manifest_size = manifest_size;
        add.layers = layers;
        add.n_layers = li->n_layers;
        add.created = li->created;
        add.tags = li->tags;
        r = image_add(s, &add, err);
        if (r < 0)
                goto fail;
        /* The database refers to them now: a later failure must not remove them. */
        a->created_blobs = strv_free(a->created_blobs);
        *ret_id = xstrdup(li->config->digest);
        return 0;
fail:
#ifdef HAVE_SNAPSHOT
        for (size_t i = 0; unpacked && unpacked[i]; i++)
                (void)snapshot_remove(s->snapshots, unpacked[i], NULL); /* best effort on an error path */
#endif
        return r;
}

int image_load(struct store *s, int fd, const struct image_progress *progress, struct image_load_result *res,
               struct berr **err)
{
        struct arc a = {.progress = progress};
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return berr_sys(err, "stat input");
        r = S_ISDIR(st.st_mode) ? arc_read_dir(s, fd, &a, err) : arc_read_tar(s, fd, &a, err);
        if (r >= 0) {
                if (arc_lookup(&a, "manifest.json"))
                        r = docker_archive_load(s, &a, res, err);
                else if (arc_lookup(&a, "index.json"))
                        r = oci_layout_load(s, &a, res, err);
                else
                        r = berr_set(
                                err, EINVAL,
                                "not an image archive: no manifest.json (docker-archive) or index.json (OCI layout)");
        }
        if (r < 0)
                arc_rollback(s, &a);
        arc_clear(&a);
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Images made here rather than loaded: `berth import` of a root file system
 * tarball (with docker's --change instructions and -m message), and the
 * common last step image_create() that busybox.c and import share: store the
 * config, write a manifest, unpack the snapshots, record the image.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "image/manifest.h"
#include "image/reference.h"
#ifdef HAVE_SNAPSHOT
#include "image/snapshot.h"
#endif
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"

#define IMPORT_CHANGE_MAX  65536
#define IMPORT_CHANGES_MAX 256

static int create_locked(struct store *s, const char *config, size_t config_len, const struct image_layer *layers,
                         size_t n, char *const *tags, char ***created, char ***unpacked, char *ret_id,
                         struct berr **err)
{
        _cleanup_free_ struct descriptor *descs = xcalloc(n + 1, sizeof(*descs));
        _cleanup_free_ char *manifest = NULL;
        _cleanup_(image_config_freep) struct image_config *c = NULL;
        char manifest_digest[DIGEST_STRING_MAX];
        struct descriptor cd = {.media_type = (char *)MT_DOCKER_CONFIG, .digest = ret_id, .size = config_len};
        struct image_add add = {0};
        int r;

        r = image_config_parse(config, config_len, &c, err);
        if (r < 0)
                return r;
        r = store_blob_put(s, config, config_len, NULL, ret_id, err);
        if (r < 0)
                return r;
        if (r > 0)
                strv_push(created, ret_id);
        for (size_t i = 0; i < n; i++)
                descs[i] = (struct descriptor){.media_type = layers[i].media_type,
                                               .digest = layers[i].blob_digest,
                                               .size = layers[i].blob_size};
        manifest = manifest_build(false, &cd, descs, n);
        r = store_blob_put(s, manifest, strlen(manifest), NULL, manifest_digest, err);
        if (r < 0)
                return r;
        if (r > 0)
                strv_push(created, manifest_digest);
#ifdef HAVE_SNAPSHOT
        _cleanup_(strv_freep) char **diff_ids = xcalloc(n + 1, sizeof(char *)), **chains = NULL;

        for (size_t i = 0; i < n; i++)
                diff_ids[i] = xstrdup(layers[i].diff_id);
        chains = image_chain_ids(diff_ids, n);
        for (size_t i = 0; i < n && s->snapshots; i++) {
                _cleanup_close_ int fd = store_blob_open(s, layers[i].blob_digest, err);
                char chain[LAYER_DIGEST_MAX];

                if (fd < 0)
                        return fd;
                r = snapshot_unpack(s->snapshots, i ? chains[i - 1] : NULL, fd, layers[i].diff_id,
                                    layers[i].blob_digest, chain, NULL, err);
                if (r < 0)
                        return r; /* the snapshot module names the layer */
                if (r > 0)
                        strv_push(unpacked, chain);
        }
#endif
        add.config_digest = ret_id;
        add.manifest_digest = manifest_digest;
        add.manifest_media_type = MT_DOCKER_MANIFEST;
        add.manifest_size = strlen(manifest);
        add.layers = layers;
        add.n_layers = n;
        add.tags = tags;
        add.created = c->created;
        return image_add(s, &add, err);
}

int image_create(struct store *s, const char *config, size_t config_len, const struct image_layer *layers, size_t n,
                 char *const *tags, char **ret_id, struct berr **err)
{
        _cleanup_(strv_freep) char **created = NULL, **unpacked = NULL;
        char id[DIGEST_STRING_MAX];
        int r;

        r = create_locked(s, config, config_len, layers, n, tags, &created, &unpacked, id, err);
        if (r < 0) {
                /* Nothing of a failed image stays behind. */
                for (size_t i = 0; created && created[i]; i++)
                        (void)store_blob_remove(s, created[i], NULL); /* best effort on an error path */
#ifdef HAVE_SNAPSHOT
                for (size_t i = 0; unpacked && unpacked[i] && s->snapshots; i++)
                        (void)snapshot_remove(s->snapshots, unpacked[i], NULL);
#endif
                return r;
        }
        *ret_id = xstrdup(id);
        return 0;
}

/* JSON array form ["a", "b"] or shell form (wrapped in /bin/sh -c), as the Dockerfile does. */
static struct json_object *exec_form(const char *arg, struct berr **err)
{
        struct json_object *o = NULL;

        while (isspace((unsigned char)*arg))
                arg++;
        if (*arg == '[' && json_parse_buf(arg, strlen(arg), &o, NULL) == 0 && json_object_is_type(o, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        if (!json_object_is_type(json_object_array_get_idx(o, i), json_type_string)) {
                                json_object_put(o);
                                berr_set(err, EINVAL, "expected a JSON array of strings");
                                return NULL;
                        }
                return o;
        }
        json_object_put(o);
        o = json_new_array();
        json_append(o, json_object_new_string("/bin/sh"));
        json_append(o, json_object_new_string("-c"));
        json_append(o, json_object_new_string(arg));
        return o;
}

static struct json_object *get_or_add_object(struct json_object *cfg, const char *key)
{
        struct json_object *o = NULL;

        if (json_object_object_get_ex(cfg, key, &o) && json_object_is_type(o, json_type_object))
                return o;
        o = json_new_object();
        json_add(cfg, key, o);
        return o;
}

/* KEY=VALUE pairs (possibly several, quoted) or the legacy "KEY VALUE" form. */
static int key_values(const char *arg, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **v = NULL;
        const char *p = arg;

        if (!strchr(arg, '=')) {
                const char *sp = strpbrk(arg, " \t");
                if (!sp)
                        return berr_set(err, EINVAL, "expected KEY=VALUE");
                strv_push_take(&v, xstrndup(arg, (size_t)(sp - arg)));
                while (isspace((unsigned char)*sp))
                        sp++;
                strv_push(&v, sp);
                *ret = TAKE_PTR(v);
                return 0;
        }
        while (*p) {
                _cleanup_free_ char *key = NULL, *val = NULL;
                const char *eq;
                size_t vl = 0;

                while (isspace((unsigned char)*p))
                        p++;
                if (!*p)
                        break;
                eq = strchr(p, '=');
                if (!eq || eq == p)
                        return berr_set(err, EINVAL, "expected KEY=VALUE in '%.100s'", p);
                key = xstrndup(p, (size_t)(eq - p));
                if (strpbrk(key, " \t"))
                        return berr_set(err, EINVAL, "invalid key '%.100s'", key);
                p = eq + 1;
                val = xmalloc(strlen(p) + 1);
                if (*p == '"' || *p == '\'') {
                        char q = *p++;
                        while (*p && *p != q) {
                                if (*p == '\\' && q == '"' && p[1])
                                        p++;
                                val[vl++] = *p++;
                        }
                        if (*p != q)
                                return berr_set(err, EINVAL, "unterminated quote");
                        p++;
                } else
                        while (*p && !isspace((unsigned char)*p))
                                val[vl++] = *p++;
                val[vl] = 0;
                strv_push(&v, key);
                strv_push(&v, val);
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static void env_set(struct json_object *cfg, const char *key, const char *value)
{
        struct json_object *env = NULL, *nenv = json_new_array();
        size_t kl = strlen(key);
        bool replaced = false;

        if (json_object_object_get_ex(cfg, "Env", &env) && json_object_is_type(env, json_type_array))
                for (size_t i = 0; i < json_object_array_length(env); i++) {
                        const char *e = json_object_get_string(json_object_array_get_idx(env, i));
                        if (e && strncmp(e, key, kl) == 0 && e[kl] == '=') {
                                if (!replaced) {
                                        _cleanup_free_ char *kv = xasprintf("%s=%s", key, value);
                                        json_append(nenv, json_object_new_string(kv));
                                }
                                replaced = true;
                        } else if (e)
                                json_append(nenv, json_object_new_string(e));
                }
        if (!replaced) {
                _cleanup_free_ char *kv = xasprintf("%s=%s", key, value);
                json_append(nenv, json_object_new_string(kv));
        }
        json_add(cfg, "Env", nenv);
}

int image_apply_change(struct json_object *cfg, const char *change, struct berr **err)
{
        _cleanup_free_ char *verb = NULL;
        const char *arg;
        size_t vl;
        int r;

        if (strlen(change) > IMPORT_CHANGE_MAX)
                return berr_set(err, EINVAL, "--change: too long");
        while (isspace((unsigned char)*change))
                change++;
        vl = strcspn(change, " \t");
        verb = xstrndup(change, vl);
        for (char *p = verb; *p; p++)
                *p = (char)toupper((unsigned char)*p);
        arg = change + vl;
        while (isspace((unsigned char)*arg))
                arg++;
        if (!*arg)
                return berr_set(err, EINVAL, "--change '%s': missing argument", change);
        if (streq(verb, "CMD") || streq(verb, "ENTRYPOINT")) {
                struct json_object *v = exec_form(arg, err);
                if (!v)
                        return berr_wrap(err, "--change '%s'", change);
                json_add(cfg, streq(verb, "CMD") ? "Cmd" : "Entrypoint", v);
        } else if (streq(verb, "ENV") || streq(verb, "LABEL")) {
                _cleanup_(strv_freep) char **kv = NULL;
                r = key_values(arg, &kv, err);
                if (r < 0)
                        return berr_wrap(err, "--change '%s'", change);
                for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) {
                        if (streq(verb, "ENV"))
                                env_set(cfg, kv[i], kv[i + 1]);
                        else
                                json_add_string(get_or_add_object(cfg, "Labels"), kv[i], kv[i + 1]);
                }
        } else if (streq(verb, "WORKDIR"))
                json_add_string(cfg, "WorkingDir", arg);
        else if (streq(verb, "USER"))
                json_add_string(cfg, "User", arg);
        else if (streq(verb, "STOPSIGNAL")) {
                int sig;
                if (parse_signal(arg, &sig) < 0)
                        return berr_set(err, EINVAL, "--change '%s': invalid signal", change);
                json_add_string(cfg, "StopSignal", arg);
        } else if (streq(verb, "EXPOSE") || streq(verb, "VOLUME")) {
                bool expose = streq(verb, "EXPOSE");
                struct json_object *obj = get_or_add_object(cfg, expose ? "ExposedPorts" : "Volumes"), *arr = NULL;
                _cleanup_(strv_freep) char **items = NULL;

                if (!expose && *arg == '[' && json_parse_buf(arg, strlen(arg), &arr, NULL) == 0 &&
                    json_object_is_type(arr, json_type_array)) {
                        for (size_t i = 0; i < json_object_array_length(arr); i++)
                                if (json_object_is_type(json_object_array_get_idx(arr, i), json_type_string))
                                        strv_push(&items, json_object_get_string(json_object_array_get_idx(arr, i)));
                } else
                        items = strv_split(arg, " \t");
                json_object_put(arr);
                for (size_t i = 0; items && items[i]; i++) {
                        _cleanup_free_ char *key = NULL;
                        if (expose) {
                                uint32_t port;
                                _cleanup_free_ char *num = xstrndup(items[i], strcspn(items[i], "/"));
                                const char *proto = strchr(items[i], '/');
                                if (parse_uint32(num, &port) < 0 || port == 0 || port > 65535 ||
                                    (proto && !streq(proto, "/tcp") && !streq(proto, "/udp") && !streq(proto, "/sctp")))
                                        return berr_set(err, EINVAL, "--change '%s': invalid port '%s'", change,
                                                        items[i]);
                                key = proto ? xstrdup(items[i]) : xasprintf("%s/tcp", items[i]);
                        } else
                                key = xstrdup(items[i]);
                        json_add(obj, key, json_new_object());
                }
        } else
                return berr_set(err, EINVAL,
                                "--change '%s': %s is not supported (only CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                                "STOPSIGNAL, USER, VOLUME, WORKDIR)",
                                change, verb);
        return 0;
}

/* Reads every header of the tarball: garbage or a truncated tar is refused before it becomes an image. */
static int check_tarball(int fd, struct berr **err)
{
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        int k, r = 0;

        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        if (lseek(fd, 0, SEEK_SET) < 0)
                r = berr_sys(err, "seek");
        else if (archive_read_open_fd(a, fd, 1 << 17) != ARCHIVE_OK)
                r = berr_set(err, EINVAL, "not a tar archive: %s", archive_error_string(a) ?: "unknown format");
        else {
                while ((k = archive_read_next_header(a, &e)) == ARCHIVE_OK)
                        if (archive_read_data_skip(a) != ARCHIVE_OK)
                                break;
                if (k != ARCHIVE_EOF)
                        r = berr_set(err, EINVAL, "invalid tar archive: %s", archive_error_string(a) ?: "truncated");
        }
        archive_read_free(a);
        return r;
}

static char *import_config(const struct image_import_opts *o, const char *diff_id, struct berr **err)
{
        _cleanup_json_ struct json_object *root = json_new_object();
        struct json_object *cfg = json_new_object(), *rootfs, *ids, *hist, *h;
        _cleanup_free_ char *now = format_rfc3339((int64_t)time(NULL)), *comment = NULL;

        json_add_string(root, "architecture", "amd64");
        json_add(root, "config", cfg);
        if (strv_length(o->changes) > IMPORT_CHANGES_MAX) {
                berr_set(err, EINVAL, "too many --change options");
                return NULL;
        }
        for (size_t i = 0; o->changes && o->changes[i]; i++)
                if (image_apply_change(cfg, o->changes[i], err) < 0)
                        return NULL;
        json_add_string(root, "created", now);
        comment = o->message ? xstrdup(o->message) : xasprintf("Imported from %s", o->source ? o->source : "-");
        hist = json_new_array();
        json_add(root, "history", hist);
        h = json_new_object();
        json_append(hist, h);
        json_add_string(h, "created", now);
        json_add_string(h, "comment", comment);
        json_add_string(root, "os", "linux");
        rootfs = json_new_object();
        json_add(root, "rootfs", rootfs);
        json_add_string(rootfs, "type", "layers");
        ids = json_new_array();
        json_add(rootfs, "diff_ids", ids);
        json_append(ids, json_object_new_string(diff_id));
        return json_dump(root, false);
}

int image_import(struct store *s, int fd, const struct image_import_opts *opts, char **ret_id, struct berr **err)
{
        static const char *const mts[] = {
                [BLOB_PLAIN] = MT_DOCKER_LAYER, [BLOB_GZIP] = MT_DOCKER_LAYER_GZIP, [BLOB_ZSTD] = MT_OCI_LAYER_ZSTD};
        _cleanup_(blob_writer_freep) struct blob_writer *w = NULL;
        _cleanup_free_ char *buf = xmalloc(1 << 17), *config = NULL;
        char diff_id[DIGEST_STRING_MAX];
        struct image_layer layer = {0};
        unsigned char head[4] = {0};
        bool new_blob;
        uint64_t size;
        ssize_t n;
        int r;

        r = blob_writer_new(s, NULL, 0, &w, err);
        if (r < 0)
                return r;
        for (;;) {
                n = read(fd, buf, 1 << 17);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berr_sys(err, "read tarball");
                if (n == 0)
                        break;
                r = blob_writer_write(w, buf, (size_t)n, err);
                if (r < 0)
                        return r;
        }
        r = blob_writer_finish(w, err);
        if (r < 0)
                return r;
        if (blob_writer_size(w) == 0)
                return berr_set(err, EINVAL, "empty tarball");
        r = check_tarball(blob_writer_fd(w), err);
        if (r < 0)
                return r;
        n = pread(blob_writer_fd(w), head, sizeof(head), 0);
        r = image_blob_diff_id(blob_writer_fd(w), diff_id, &size, err);
        if (r < 0)
                return r;
        config = import_config(opts, diff_id, err);
        if (!config)
                return -berr_code(err ? *err : NULL);
        r = blob_writer_commit(w, err);
        if (r < 0)
                return r;
        new_blob = r > 0;
        layer.diff_id = diff_id;
        layer.blob_digest = (char *)blob_writer_digest(w);
        layer.media_type = (char *)mts[blob_detect_compression(head, n > 0 ? (size_t)n : 0)];
        layer.blob_size = blob_writer_size(w);
        layer.size = size;
        r = image_create(s, config, strlen(config), &layer, 1, opts->tags, ret_id, err);
        if (r < 0 && new_blob)
                (void)store_blob_remove(s, layer.blob_digest, NULL); /* best effort on an error path */
        return r;
}

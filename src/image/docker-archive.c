/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `docker save` format. Reading: manifest.json lists each image's config,
 * its layer files and its RepoTags; the files are either docker's old layout
 * (<id>.json, <v1id>/layer.tar, symlinks between duplicate layers) or docker
 * 25+'s, where they are the blobs of an OCI layout in the same tar. When such
 * a layout holds the image's manifest, it is kept, so its digest survives a
 * save/load round trip. Writing: the docker 25+ form, an OCI layout plus
 * manifest.json and repositories, which docker, podman and skopeo all load.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive-internal.h"
#include "image/archive.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "lib/util.h"

/* The manifest of the archive's OCI part whose config is the image, if any: keeps its digest. */
static struct arc_file *find_oci_manifest(struct arc *a, const char *config_digest, struct load_image *li)
{
        _cleanup_json_ struct json_object *idx = NULL;
        _cleanup_(manifest_freep) struct manifest *index = NULL;
        struct arc_file *f = arc_lookup(a, "index.json");

        if (!f || !f->data || manifest_parse(f->data, f->len, NULL, &index, NULL) < 0 || index->kind != MANIFEST_INDEX)
                return NULL;
        for (size_t i = 0; i < index->n_manifests; i++) {
                _cleanup_(manifest_freep) struct manifest *m = NULL;
                _cleanup_free_ char *path = NULL;
                struct arc_file *mf;
                bool same = true;

                if (!media_type_is_manifest(index->manifests[i].media_type))
                        continue;
                path = xasprintf("blobs/sha256/%s", index->manifests[i].digest + strlen("sha256:"));
                mf = arc_lookup(a, path);
                if (!mf || !mf->data || !streq(mf->digest, index->manifests[i].digest) ||
                    manifest_parse(mf->data, mf->len, index->manifests[i].media_type, &m, NULL) < 0 ||
                    m->kind != MANIFEST_IMAGE || !streq(m->config.digest, config_digest) || m->n_layers != li->n_layers)
                        continue;
                for (size_t k = 0; k < m->n_layers; k++)
                        if (!streq(m->layers[k].digest, li->layers[k]->digest))
                                same = false;
                if (!same)
                        continue;
                li->layer_media_types = xcalloc(m->n_layers + 1, sizeof(char *));
                for (size_t k = 0; k < m->n_layers; k++)
                        li->layer_media_types[k] = xstrdup(m->layers[k].media_type);
                li->manifest_media_type = streq(m->media_type, MT_OCI_MANIFEST) ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST;
                return mf;
        }
        return NULL;
}

/* A file named by a digest ("blobs/sha256/<hex>", "<hex>.json") must have that digest. */
static int check_named_digest(const struct arc_file *f, const char *path, struct berr **err)
{
        _cleanup_free_ char *base = xstrdup(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
        char *dot = strstr(base, ".json");

        if (dot && streq(dot, ".json"))
                *dot = 0;
        if (strlen(base) != DIGEST_SHA256_HEX_LEN || !digest_is_hex(base, DIGEST_SHA256_HEX_LEN))
                return 0;
        if (!streq(f->digest + strlen("sha256:"), base))
                return berr_set(err, EILSEQ, "'%.200s': digest mismatch: content is %s", path, f->digest);
        return 0;
}

static int parse_entry(struct arc *a, struct json_object *e, size_t idx, struct load_image *li, struct berr **err)
{
        _cleanup_(strv_freep) char **tags = NULL, **layers = NULL;
        const char *config = NULL;
        int r;

        if (!json_object_is_type(e, json_type_object))
                return berr_set(err, EINVAL, "manifest.json[%zu]: expected object", idx);
        if ((r = json_get_string(e, "Config", "Config", &config, err)) < 0 ||
            (r = json_get_strv(e, "RepoTags", "RepoTags", &tags, err)) < 0 ||
            (r = json_get_strv(e, "Layers", "Layers", &layers, err)) < 0)
                return berr_wrap(err, "manifest.json[%zu]", idx);
        if (!config)
                return berr_set(err, EINVAL, "manifest.json[%zu]: missing Config", idx);
        li->config = arc_lookup(a, config);
        if (!li->config)
                return berr_set(err, EINVAL, "manifest.json[%zu]: config '%.200s' not found in the archive", idx,
                                config);
        r = check_named_digest(li->config, config, err);
        if (r < 0)
                return r;
        li->n_layers = strv_length(layers);
        if (li->n_layers > MANIFEST_MAX_LAYERS)
                return berr_set(err, EINVAL, "manifest.json[%zu]: more than %d layers", idx, MANIFEST_MAX_LAYERS);
        li->layers = xcalloc(li->n_layers + 1, sizeof(*li->layers));
        for (size_t i = 0; i < li->n_layers; i++) {
                li->layers[i] = arc_lookup(a, layers[i]);
                if (!li->layers[i])
                        return berr_set(err, EINVAL, "manifest.json[%zu]: layer '%.200s' not found in the archive", idx,
                                        layers[i]);
                r = check_named_digest(li->layers[i], layers[i], err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; tags && tags[i]; i++) {
                _cleanup_(image_ref_freep) struct image_ref *ref = NULL;

                r = image_ref_parse(tags[i], &ref, err);
                if (r < 0)
                        return berr_wrap(err, "manifest.json[%zu]: RepoTags '%.200s'", idx, tags[i]);
                if (!ref->tag || ref->digest)
                        return berr_set(err, EINVAL, "manifest.json[%zu]: RepoTags '%.200s' is not name:tag", idx,
                                        tags[i]);
                strv_push_take(&li->tags, image_ref_name_tag(ref));
        }
        li->manifest = find_oci_manifest(a, li->config->digest, li);
        return 0;
}

static void report(struct image_load_result *res, const struct load_image *li, const char *id)
{
        strv_push(&res->ids, id);
        if (!li->tags || !li->tags[0]) {
                strv_push_take(&res->lines, xasprintf("Loaded image ID: %s", id));
                return;
        }
        for (size_t i = 0; li->tags[i]; i++) {
                _cleanup_free_ char *fam = image_ref_familiarize(li->tags[i]);
                strv_push(&res->loaded, fam);
                strv_push_take(&res->lines, xasprintf("Loaded image: %s", fam));
        }
}

int load_images(struct store *s, struct arc *a, struct load_image *lis, size_t n, struct image_load_result *res,
                struct berr **err)
{
        int r;

        for (size_t i = 0; i < n; i++) {
                r = load_image_check(s, &lis[i], err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *id = NULL;

                /* docker says when a tag moves away from another image. */
                for (size_t k = 0; lis[i].tags && lis[i].tags[k]; k++) {
                        _cleanup_free_ char *old = NULL, *fam = NULL;

                        if (image_resolve(s, lis[i].tags[k], &old, NULL, NULL) <= 0 ||
                            streq(old, lis[i].config->digest))
                                continue;
                        fam = image_ref_familiarize(lis[i].tags[k]);
                        strv_push_take(
                                &res->lines,
                                xasprintf(
                                        "The image %s already exists, renaming the old one with ID %s to empty string",
                                        fam, old));
                }
                r = load_image_commit(s, a, &lis[i], &id, err);
                if (r < 0)
                        return r;
                report(res, &lis[i], id);
        }
        return 0;
}

int docker_archive_load(struct store *s, struct arc *a, struct image_load_result *res, struct berr **err)
{
        _cleanup_json_ struct json_object *root = NULL;
        struct load_image *lis = NULL;
        size_t n = 0;
        int r;

        r = arc_read_json(a, "manifest.json", &root, err);
        if (r < 0)
                return r;
        if (!json_object_is_type(root, json_type_array))
                return berr_set(err, EINVAL, "manifest.json: expected an array");
        n = json_object_array_length(root);
        if (n == 0)
                return berr_set(err, EINVAL, "manifest.json: no images");
        if (n > ARCHIVE_MAX_IMAGES)
                return berr_set(err, EINVAL, "manifest.json: more than %d images", ARCHIVE_MAX_IMAGES);
        lis = xcalloc(n, sizeof(*lis));
        for (size_t i = 0; i < n; i++) {
                r = parse_entry(a, json_object_array_get_idx(root, i), i, &lis[i], err);
                if (r < 0)
                        goto out;
        }
        r = load_images(s, a, lis, n, res, err);
out:
        for (size_t i = 0; i < n; i++)
                load_image_clear(&lis[i]);
        free(lis);
        return r;
}

/* ---- save ---- */

struct saver {
        struct archive *ar;
        char **written; /* blob digests already in the tar */
};

static int write_entry(struct saver *sv, const char *name, const void *data, size_t len, int fd, uint64_t size,
                       struct berr **err)
{
        struct archive_entry *e = archive_entry_new();
        int r = 0;

        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)(data ? len : size));
        archive_entry_set_mtime(e, 0, 0);
        if (archive_write_header(sv->ar, e) != ARCHIVE_OK) {
                r = berr_set(err, EIO, "write archive: %s", archive_error_string(sv->ar));
                goto out;
        }
        if (data) {
                if (archive_write_data(sv->ar, data, len) != (la_ssize_t)len)
                        r = berr_set(err, EIO, "write archive: %s", archive_error_string(sv->ar));
                goto out;
        }
        {
                _cleanup_free_ char *buf = xmalloc(1 << 17);
                uint64_t left = size;

                while (left > 0) {
                        ssize_t k = read(fd, buf, left < (1 << 17) ? (size_t)left : (1 << 17));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0) {
                                r = k < 0 ? berr_sys(err, "read blob") : berr_set(err, EIO, "blob shrank while saving");
                                goto out;
                        }
                        if (archive_write_data(sv->ar, buf, (size_t)k) != k) {
                                r = berr_set(err, EIO, "write archive: %s", archive_error_string(sv->ar));
                                goto out;
                        }
                        left -= (uint64_t)k;
                }
        }
out:
        archive_entry_free(e);
        return r;
}

static int write_blob(struct store *s, struct saver *sv, const char *digest, struct berr **err)
{
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int fd = -1;
        uint64_t size;
        int r;

        if (strv_contains(sv->written, digest))
                return 0;
        r = store_blob_size(s, digest, &size, err);
        if (r < 0)
                return r;
        fd = store_blob_open(s, digest, err);
        if (fd < 0)
                return fd;
        name = xasprintf("blobs/sha256/%s", digest + strlen("sha256:"));
        r = write_entry(sv, name, NULL, 0, fd, size, err);
        if (r < 0)
                return r;
        strv_push(&sv->written, digest);
        return 0;
}

static int write_dir(struct saver *sv, const char *name, struct berr **err)
{
        struct archive_entry *e = archive_entry_new();
        int r = 0;

        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, 0755);
        archive_entry_set_mtime(e, 0, 0);
        if (archive_write_header(sv->ar, e) != ARCHIVE_OK)
                r = berr_set(err, EIO, "write archive: %s", archive_error_string(sv->ar));
        archive_entry_free(e);
        return r;
}

static int save_one(struct store *s, struct saver *sv, const char *id, char *const *tags, struct json_object *mj,
                    struct json_object *index, struct json_object *repos, struct berr **err)
{
        _cleanup_(image_info_freep) struct image_info *info = NULL;
        struct image_layer *layers = NULL;
        size_t n = 0;
        struct json_object *entry, *lay, *rt;
        uint64_t msize = 0;
        int r;

        r = image_get(s, id, &info, err);
        if (r <= 0)
                return r < 0 ? r : berr_set(err, ENOENT, "No such image: %s", id);
        r = image_get_layers(s, id, &layers, &n, err);
        if (r < 0)
                return r;
        r = write_blob(s, sv, id, err);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = write_blob(s, sv, layers[i].blob_digest, err);
        if (r >= 0 && info->manifest_digest)
                r = write_blob(s, sv, info->manifest_digest, err);
        if (r >= 0 && info->manifest_digest)
                r = store_blob_size(s, info->manifest_digest, &msize, err);
        if (r < 0)
                goto out;
        entry = json_new_object();
        {
                _cleanup_free_ char *c = xasprintf("blobs/sha256/%s", id + strlen("sha256:"));
                json_add_string(entry, "Config", c);
        }
        rt = json_new_array();
        for (size_t i = 0; tags && tags[i]; i++) {
                _cleanup_free_ char *fam = image_ref_familiarize(tags[i]);
                json_append(rt, json_object_new_string(fam));
        }
        json_add(entry, "RepoTags", rt);
        lay = json_new_array();
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = xasprintf("blobs/sha256/%s", layers[i].blob_digest + strlen("sha256:"));
                json_append(lay, json_object_new_string(p));
        }
        json_add(entry, "Layers", lay);
        json_append(mj, entry);
        /* The OCI side: one index entry per tag (or one unnamed), as docker 25+ writes it. */
        for (size_t i = 0; info->manifest_digest && (i == 0 || (tags && tags[i])); i++) {
                _cleanup_(manifest_freep) struct manifest *m = NULL;
                _cleanup_free_ char *raw = NULL;
                size_t len;
                struct json_object *d = json_new_object(), *ann;
                const char *mt = MT_DOCKER_MANIFEST;

                if (store_blob_read(s, info->manifest_digest, MANIFEST_MAX_BYTES, &raw, &len, NULL) >= 0 &&
                    manifest_parse(raw, len, NULL, &m, NULL) >= 0)
                        mt = streq(m->media_type, MT_OCI_MANIFEST) ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST;
                json_add_string(d, "mediaType", mt);
                json_add_string(d, "digest", info->manifest_digest);
                json_add_int(d, "size", (int64_t)msize);
                if (tags && tags[i]) {
                        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
                        ann = json_new_object();
                        json_add_string(ann, ANNOTATION_CONTAINERD_NAME, tags[i]);
                        if (image_ref_parse(tags[i], &ref, NULL) >= 0 && ref->tag)
                                json_add_string(ann, ANNOTATION_REF_NAME, ref->tag);
                        json_add(d, "annotations", ann);
                }
                json_append(index, d);
        }
        for (size_t i = 0; tags && tags[i] && n > 0; i++) {
                _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
                _cleanup_free_ char *fam = NULL;
                struct json_object *per = NULL;

                if (image_ref_parse(tags[i], &ref, NULL) < 0 || !ref->tag)
                        continue;
                fam = image_ref_familiar_name(ref);
                if (!json_object_object_get_ex(repos, fam, &per)) {
                        per = json_new_object();
                        json_add(repos, fam, per);
                }
                json_add_string(per, ref->tag, layers[n - 1].diff_id + strlen("sha256:"));
        }
out:
        image_layers_free(layers, n);
        return r;
}

int image_save(struct store *s, char *const *ids, char **const *tags, int fd, struct berr **err)
{
        struct saver sv = {.ar = archive_write_new()};
        _cleanup_json_ struct json_object *mj = json_new_array(), *index = json_new_object(),
                                          *manifests = json_new_array(), *repos = json_new_object();
        _cleanup_free_ char *mj_s = NULL, *idx_s = NULL, *repos_s = NULL;
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        int r = 0;

        archive_write_set_format_pax_restricted(sv.ar);
        archive_write_set_bytes_in_last_block(sv.ar, 1);
        if (archive_write_open_fd(sv.ar, fd) != ARCHIVE_OK) {
                r = berr_set(err, EIO, "write archive: %s", archive_error_string(sv.ar));
                goto out;
        }
        if ((r = write_dir(&sv, "blobs", err)) < 0 || (r = write_dir(&sv, "blobs/sha256", err)) < 0)
                goto out;
        for (size_t i = 0; ids[i]; i++) {
                r = save_one(s, &sv, ids[i], tags ? tags[i] : NULL, mj, manifests, repos, err);
                if (r < 0)
                        goto out;
        }
        json_add_int(index, "schemaVersion", 2);
        json_add_string(index, "mediaType", MT_OCI_INDEX);
        json_add(index, "manifests", json_object_get(manifests));
        mj_s = json_dump(mj, false);
        idx_s = json_dump(index, false);
        repos_s = json_dump(repos, false);
        if ((r = write_entry(&sv, "index.json", idx_s, strlen(idx_s), -1, 0, err)) < 0 ||
            (r = write_entry(&sv, "manifest.json", mj_s, strlen(mj_s), -1, 0, err)) < 0 ||
            (r = write_entry(&sv, "oci-layout", layout, strlen(layout), -1, 0, err)) < 0 ||
            (r = write_entry(&sv, "repositories", repos_s, strlen(repos_s), -1, 0, err)) < 0)
                goto out;
        if (archive_write_close(sv.ar) != ARCHIVE_OK)
                r = berr_set(err, EIO, "write archive: %s", archive_error_string(sv.ar));
out:
        archive_write_free(sv.ar);
        strv_free(sv.written);
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Manifest and index documents: parsing with bounds and type checks, platform
 * selection in an index (docker's linux/amd64 default) and the building of a
 * manifest for images that come without one (docker-archive, import). Blob
 * fetching and storing is done by the callers.
 */
#include <errno.h>
#include <string.h>

#include "image/manifest.h"
#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

void descriptor_clear(struct descriptor *d)
{
        free(d->media_type);
        free(d->digest);
        free(d->os);
        free(d->arch);
        free(d->variant);
        free(d->ref_name);
        free(d->image_name);
        memset(d, 0, sizeof(*d));
}

struct manifest *manifest_free(struct manifest *m)
{
        if (!m)
                return NULL;
        free(m->media_type);
        descriptor_clear(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                descriptor_clear(&m->layers[i]);
        free(m->layers);
        for (size_t i = 0; i < m->n_manifests; i++)
                descriptor_clear(&m->manifests[i]);
        free(m->manifests);
        free(m);
        return NULL;
}

bool media_type_is_manifest(const char *mt)
{
        return mt && (streq(mt, MT_OCI_MANIFEST) || streq(mt, MT_DOCKER_MANIFEST));
}

bool media_type_is_index(const char *mt)
{
        return mt && (streq(mt, MT_OCI_INDEX) || streq(mt, MT_DOCKER_LIST));
}

int layer_media_type_compression(const char *mt)
{
        static const struct {
                const char *mt;
                enum blob_compression c;
        } table[] = {
                {MT_OCI_LAYER, BLOB_PLAIN},
                {MT_OCI_LAYER_GZIP, BLOB_GZIP},
                {MT_OCI_LAYER_ZSTD, BLOB_ZSTD},
                {"application/vnd.oci.image.layer.nondistributable.v1.tar", BLOB_PLAIN},
                {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", BLOB_GZIP},
                {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", BLOB_ZSTD},
                {MT_DOCKER_LAYER, BLOB_PLAIN},
                {MT_DOCKER_LAYER_GZIP, BLOB_GZIP},
                {MT_DOCKER_LAYER_FOREIGN_GZIP, BLOB_GZIP},
                {"application/vnd.docker.image.rootfs.diff.tar.zstd", BLOB_ZSTD},
        };

        if (!mt)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(mt, table[i].mt))
                        return table[i].c;
        return -EINVAL;
}

enum blob_compression blob_detect_compression(const void *head, size_t len)
{
        const unsigned char *p = head;

        if (len >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 0x08)
                return BLOB_GZIP;
        if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
                return BLOB_ZSTD;
        return BLOB_PLAIN;
}

static int get_bounded_string(struct json_object *o, const char *key, const char *what, size_t max, bool required,
                              char **ret, struct berr **err)
{
        const char *s = NULL;
        int r;

        r = json_get_string(o, key, what, &s, err);
        if (r < 0)
                return r;
        if (r == 0) {
                if (required)
                        return berr_set(err, EINVAL, "%s: missing", what);
                return 0;
        }
        if (strlen(s) > max)
                return berr_set(err, EINVAL, "%s: longer than %zu characters", what, max);
        *ret = xstrdup(s);
        return 1;
}

static int parse_descriptor(struct json_object *o, const char *what, struct descriptor *d, struct berr **err)
{
        _cleanup_free_ char *w_mt = xasprintf("%s.mediaType", what), *w_dg = xasprintf("%s.digest", what),
                            *w_sz = xasprintf("%s.size", what);
        struct json_object *ann = NULL, *plat = NULL;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return berr_set(err, EINVAL, "%s: expected object", what);
        r = get_bounded_string(o, "mediaType", w_mt, MEDIA_TYPE_MAX_LEN, true, &d->media_type, err);
        if (r < 0)
                return r;
        r = get_bounded_string(o, "digest", w_dg, DIGEST_STRING_MAX, true, &d->digest, err);
        if (r < 0)
                return r;
        if (!digest_is_sha256(d->digest))
                return berr_set(err, EINVAL, "%s: unsupported or invalid digest '%s'", w_dg, d->digest);
        r = json_get_uint64(o, "size", w_sz, &d->size, err);
        if (r < 0)
                return r;
        if (r == 0)
                return berr_set(err, EINVAL, "%s: missing", w_sz);
        if (d->size > DESCRIPTOR_MAX_SIZE)
                return berr_set(err, EINVAL, "%s: %llu is too large", w_sz, (unsigned long long)d->size);
        r = json_get_object(o, "annotations", "annotations", &ann, err);
        if (r < 0)
                return berr_wrap(err, "%s", what);
        if (ann) {
                r = get_bounded_string(ann, ANNOTATION_REF_NAME, ANNOTATION_REF_NAME, ANNOTATION_MAX_LEN, false,
                                       &d->ref_name, err);
                if (r >= 0)
                        r = get_bounded_string(ann, ANNOTATION_CONTAINERD_NAME, ANNOTATION_CONTAINERD_NAME,
                                               ANNOTATION_MAX_LEN, false, &d->image_name, err);
                if (r < 0)
                        return berr_wrap(err, "%s.annotations", what);
        }
        r = json_get_object(o, "platform", "platform", &plat, err);
        if (r < 0)
                return berr_wrap(err, "%s", what);
        if (plat) {
                r = get_bounded_string(plat, "os", "platform.os", 64, false, &d->os, err);
                if (r >= 0)
                        r = get_bounded_string(plat, "architecture", "platform.architecture", 64, false, &d->arch, err);
                if (r >= 0)
                        r = get_bounded_string(plat, "variant", "platform.variant", 64, false, &d->variant, err);
                if (r < 0)
                        return berr_wrap(err, "%s", what);
        }
        return 0;
}

static int parse_descriptor_array(struct json_object *arr, const char *what, size_t max, struct descriptor **ret,
                                  size_t *ret_n, struct berr **err)
{
        size_t n = json_object_array_length(arr);
        struct descriptor *d;
        int r;

        if (n > max)
                return berr_set(err, EINVAL, "%s: %zu entries, more than the limit of %zu", what, n, max);
        d = xcalloc(n ? n : 1, sizeof(*d));
        *ret = d;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *w = xasprintf("%s[%zu]", what, i);

                *ret_n = i + 1;
                r = parse_descriptor(json_object_array_get_idx(arr, i), w, &d[i], err);
                if (r < 0)
                        return r;
        }
        *ret_n = n;
        return 0;
}

int manifest_parse(const char *data, size_t len, const char *media_type, struct manifest **ret, struct berr **err)
{
        _cleanup_(manifest_freep) struct manifest *m = xzalloc(sizeof(*m));
        _cleanup_json_ struct json_object *root = NULL;
        struct json_object *layers = NULL, *manifests = NULL, *config = NULL;
        const char *mt = NULL;
        int64_t version = 0;
        int r;

        if (len > MANIFEST_MAX_BYTES)
                return berr_set(err, EFBIG, "manifest larger than %u bytes", MANIFEST_MAX_BYTES);
        r = json_parse_buf(data, len, &root, err);
        if (r < 0)
                return berr_wrap(err, "manifest");
        if (!json_object_is_type(root, json_type_object))
                return berr_set(err, EINVAL, "manifest: expected a JSON object");
        r = json_get_int64(root, "schemaVersion", "schemaVersion", &version, err);
        if (r < 0)
                return r;
        if (version != 2)
                return berr_set(err, EINVAL, "manifest: unsupported schemaVersion %lld (only 2)", (long long)version);
        r = json_get_string(root, "mediaType", "mediaType", &mt, err);
        if (r < 0)
                return r;
        if (mt && media_type && !streq(mt, media_type))
                return berr_set(err, EINVAL, "manifest: mediaType '%.100s' differs from the announced '%.100s'", mt,
                                media_type);
        if (!mt)
                mt = media_type;
        if ((r = json_get_array(root, "layers", "layers", &layers, err)) < 0 ||
            (r = json_get_array(root, "manifests", "manifests", &manifests, err)) < 0 ||
            (r = json_get_object(root, "config", "config", &config, err)) < 0)
                return r;
        if (!mt)
                /* OCI allows an absent mediaType: the fields tell what it is. */
                mt = manifests ? MT_OCI_INDEX : MT_OCI_MANIFEST;
        if (media_type_is_index(mt)) {
                if (!manifests)
                        return berr_set(err, EINVAL, "index: missing 'manifests'");
                if (layers || config)
                        return berr_set(err, EINVAL, "index: unexpected 'layers' or 'config'");
                m->kind = MANIFEST_INDEX;
                r = parse_descriptor_array(manifests, "manifests", INDEX_MAX_MANIFESTS, &m->manifests, &m->n_manifests,
                                           err);
        } else if (media_type_is_manifest(mt)) {
                if (!config || !layers)
                        return berr_set(err, EINVAL, "manifest: missing 'config' or 'layers'");
                if (manifests)
                        return berr_set(err, EINVAL, "manifest: unexpected 'manifests'");
                m->kind = MANIFEST_IMAGE;
                r = parse_descriptor(config, "config", &m->config, err);
                if (r >= 0)
                        r = parse_descriptor_array(layers, "layers", MANIFEST_MAX_LAYERS, &m->layers, &m->n_layers,
                                                   err);
                for (size_t i = 0; r >= 0 && i < m->n_layers; i++)
                        if (layer_media_type_compression(m->layers[i].media_type) < 0)
                                r = berr_set(err, EINVAL, "layers[%zu]: unsupported layer media type '%s'", i,
                                             m->layers[i].media_type);
        } else
                return berr_set(err, EINVAL, "unsupported manifest media type '%.100s'", mt);
        if (r < 0)
                return berr_wrap(err, "manifest");
        m->media_type = xstrdup(mt);
        *ret = TAKE_PTR(m);
        return 0;
}

int manifest_select_platform(const struct manifest *index, const char *os, const char *arch,
                             const struct descriptor **ret, struct berr **err)
{
        _cleanup_free_ char *seen = xstrdup("");

        for (size_t i = 0; i < index->n_manifests; i++) {
                const struct descriptor *d = &index->manifests[i];
                char *n;

                if (!media_type_is_manifest(d->media_type))
                        continue;
                if (d->os && d->arch && streq(d->os, os) && streq(d->arch, arch)) {
                        *ret = d;
                        return 0;
                }
                n = xasprintf("%s%s%s/%s", seen, *seen ? ", " : "", d->os ? d->os : "?", d->arch ? d->arch : "?");
                free(seen);
                seen = n;
        }
        return berr_set(err, ENOENT, "no manifest for platform %s/%s in the index (it has: %s)", os, arch,
                        *seen ? seen : "none");
}

static struct json_object *descriptor_json(const struct descriptor *d)
{
        struct json_object *o = json_new_object();

        json_add_string(o, "mediaType", d->media_type);
        json_add_int(o, "size", (int64_t)d->size);
        json_add_string(o, "digest", d->digest);
        return o;
}

char *manifest_build(bool oci, const struct descriptor *config, const struct descriptor *layers, size_t n_layers)
{
        _cleanup_json_ struct json_object *o = json_new_object();
        struct json_object *arr = json_new_array();

        json_add_int(o, "schemaVersion", 2);
        json_add_string(o, "mediaType", oci ? MT_OCI_MANIFEST : MT_DOCKER_MANIFEST);
        json_add(o, "config", descriptor_json(config));
        for (size_t i = 0; i < n_layers; i++)
                json_append(arr, descriptor_json(&layers[i]));
        json_add(o, "layers", arr);
        return json_dump(o, false);
}

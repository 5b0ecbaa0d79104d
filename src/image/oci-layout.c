/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI image layouts (image-spec "image-layout"): oci-layout, index.json and
 * blobs/<alg>/<hex>, as a directory or a tar (oci-archive). Each manifest of
 * the index (or, for a nested index or a docker manifest list, the one for
 * this machine's platform) becomes an image; its name comes from the
 * io.containerd.image.name annotation, or from org.opencontainers.image.ref.name
 * when that is a whole reference. A bare tag names nothing: the image is
 * loaded untagged, as docker does. Every blob is checked against its digest.
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "image/archive-internal.h"
#include "image/archive.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

#define OCI_INDEX_DEPTH_MAX 4

static const char *host_arch(void)
{
        struct utsname u;

        if (uname(&u) < 0)
                return "amd64";
        if (streq(u.machine, "aarch64"))
                return "arm64";
        if (streq(u.machine, "armv7l"))
                return "arm";
        if (streq(u.machine, "i686") || streq(u.machine, "i386"))
                return "386";
        if (streq(u.machine, "ppc64le") || streq(u.machine, "s390x") || streq(u.machine, "riscv64"))
                return streq(u.machine, "ppc64le") ? "ppc64le" : streq(u.machine, "s390x") ? "s390x" : "riscv64";
        return "amd64";
}

/* The blob of a descriptor, checked against its digest and size. */
static struct arc_file *blob_of(struct arc *a, const struct descriptor *d, struct berr **err)
{
        _cleanup_free_ char *path = xasprintf("blobs/sha256/%s", d->digest + strlen("sha256:"));
        struct arc_file *f = arc_lookup(a, path);

        if (!f) {
                berr_set(err, ENOENT, "blob %s not found in the layout", d->digest);
                return NULL;
        }
        if (!streq(f->digest, d->digest)) {
                berr_set(err, EILSEQ, "blob '%s': digest mismatch: content is %s", path, f->digest);
                return NULL;
        }
        if (f->size != d->size) {
                berr_set(err, EINVAL, "blob %s: size is %llu, its descriptor says %llu", d->digest,
                         (unsigned long long)f->size, (unsigned long long)d->size);
                return NULL;
        }
        return f;
}

static char *name_of(const struct descriptor *d)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
        const char *cands[2] = {d->image_name, d->ref_name};

        for (int i = 0; i < 2; i++) {
                if (!cands[i])
                        continue;
                /* A ref.name without '/' or ':' is a tag alone: no repository to name. */
                if (i == 1 && !strpbrk(cands[i], "/:"))
                        continue;
                ref = image_ref_free(ref);
                if (image_ref_parse(cands[i], &ref, NULL) >= 0 && ref->tag && !ref->digest)
                        return image_ref_name_tag(ref);
        }
        return NULL;
}

static int add_manifest(struct arc *a, const struct descriptor *md, const char *tag, struct load_image **lis, size_t *n,
                        struct berr **err)
{
        _cleanup_(manifest_freep) struct manifest *m = NULL;
        struct arc_file *mf;
        struct load_image *li;
        int r;

        mf = blob_of(a, md, err);
        if (!mf)
                return -berr_code(err ? *err : NULL);
        if (!mf->data)
                return berr_set(err, EFBIG, "manifest %s is too large", md->digest);
        r = manifest_parse(mf->data, mf->len, md->media_type, &m, err);
        if (r < 0)
                return berr_wrap(err, "%s", md->digest);
        if (m->kind != MANIFEST_IMAGE)
                return berr_set(err, EINVAL, "%s: expected an image manifest", md->digest);
        /* The same manifest under several names is one image with several tags. */
        for (size_t i = 0; i < *n; i++)
                if ((*lis)[i].manifest == mf) {
                        if (tag && !strv_contains((*lis)[i].tags, tag))
                                strv_push(&(*lis)[i].tags, tag);
                        return 0;
                }
        if (*n >= ARCHIVE_MAX_IMAGES)
                return berr_set(err, EINVAL, "layout has more than %d images", ARCHIVE_MAX_IMAGES);
        *lis = xreallocarray(*lis, *n + 1, sizeof(**lis));
        li = &(*lis)[(*n)++];
        memset(li, 0, sizeof(*li));
        li->manifest = mf;
        li->manifest_media_type = streq(m->media_type, MT_DOCKER_MANIFEST) ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST;
        if (tag)
                strv_push(&li->tags, tag);
        li->config = blob_of(a, &m->config, err);
        if (!li->config)
                return berr_wrap(err, "config of %s", md->digest);
        li->n_layers = m->n_layers;
        li->layers = xcalloc(m->n_layers + 1, sizeof(*li->layers));
        li->layer_media_types = xcalloc(m->n_layers + 1, sizeof(char *));
        for (size_t i = 0; i < m->n_layers; i++) {
                li->layer_media_types[i] = xstrdup(m->layers[i].media_type);
                li->layers[i] = blob_of(a, &m->layers[i], err);
                if (!li->layers[i])
                        return berr_wrap(err, "layer %zu of %s", i, md->digest);
        }
        return 0;
}

static int walk_index(struct arc *a, const struct manifest *index, const char *outer_name, unsigned depth,
                      struct load_image **lis, size_t *n, struct berr **err)
{
        int r;

        if (depth > OCI_INDEX_DEPTH_MAX)
                return berr_set(err, EINVAL, "indexes nested deeper than %d", OCI_INDEX_DEPTH_MAX);
        for (size_t i = 0; i < index->n_manifests; i++) {
                const struct descriptor *d = &index->manifests[i];
                _cleanup_free_ char *name = name_of(d);
                const char *tag = name ? name : outer_name;

                if (media_type_is_manifest(d->media_type)) {
                        /* In a nested index only this platform's manifest counts. */
                        if (depth > 0 && d->os && d->arch && (!streq(d->os, "linux") || !streq(d->arch, host_arch())))
                                continue;
                        r = add_manifest(a, d, tag, lis, n, err);
                } else if (media_type_is_index(d->media_type)) {
                        _cleanup_(manifest_freep) struct manifest *sub = NULL;
                        const struct descriptor *pick = NULL;
                        struct arc_file *f = blob_of(a, d, err);

                        if (!f)
                                return -berr_code(err ? *err : NULL);
                        if (!f->data)
                                return berr_set(err, EFBIG, "index %s is too large", d->digest);
                        r = manifest_parse(f->data, f->len, d->media_type, &sub, err);
                        if (r < 0)
                                return berr_wrap(err, "%s", d->digest);
                        if (sub->kind != MANIFEST_INDEX)
                                return berr_set(err, EINVAL, "%s: expected an index", d->digest);
                        r = manifest_select_platform(sub, "linux", host_arch(), &pick, err);
                        if (r < 0)
                                r = walk_index(a, sub, tag, depth + 1, lis, n, err);
                        else
                                r = add_manifest(a, pick, tag, lis, n, err);
                } else
                        continue; /* other artifacts: not images */
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_layout_load(struct store *s, struct arc *a, struct image_load_result *res, struct berr **err)
{
        _cleanup_json_ struct json_object *layout = NULL;
        _cleanup_(manifest_freep) struct manifest *index = NULL;
        struct arc_file *f;
        struct load_image *lis = NULL;
        const char *version = NULL;
        size_t n = 0;
        int r;

        r = arc_read_json(a, "oci-layout", &layout, err);
        if (r < 0)
                return berr_wrap(err, "not an OCI layout");
        r = json_get_string(layout, "imageLayoutVersion", "oci-layout: imageLayoutVersion", &version, err);
        if (r < 0)
                return r;
        if (!version || !streq(version, "1.0.0"))
                return berr_set(err, EINVAL, "oci-layout: unsupported imageLayoutVersion '%s'", version ? version : "");
        f = arc_lookup(a, "index.json");
        if (!f || !f->data)
                return berr_set(err, EINVAL, "index.json: missing or too large");
        r = manifest_parse(f->data, f->len, MT_OCI_INDEX, &index, err);
        if (r < 0)
                return berr_wrap(err, "index.json");
        r = walk_index(a, index, NULL, 0, &lis, &n, err);
        if (r >= 0 && n == 0)
                r = berr_set(err, EINVAL, "index.json: no image manifest");
        if (r >= 0)
                r = load_images(s, a, lis, n, res, err);
        for (size_t i = 0; i < n; i++)
                load_image_clear(&lis[i]);
        free(lis);
        return r;
}

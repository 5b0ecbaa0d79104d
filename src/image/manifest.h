/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Image manifests and indexes, in their OCI (image-spec 1.1) and Docker
 * (image manifest v2 schema 2, manifest list) forms. Every document comes
 * from outside: sizes, counts, digests and media types are checked before use.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;

#define MANIFEST_MAX_BYTES  (4U << 20)
#define MANIFEST_MAX_LAYERS 256
#define INDEX_MAX_MANIFESTS 1024
#define DESCRIPTOR_MAX_SIZE (1ULL << 40)
#define MEDIA_TYPE_MAX_LEN  255
#define ANNOTATION_MAX_LEN  4096

#define MT_OCI_INDEX                 "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST              "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG                "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER                 "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP            "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD            "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_LIST               "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST           "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG             "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER              "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DOCKER_LAYER_GZIP         "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER_FOREIGN_GZIP "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

#define ANNOTATION_REF_NAME        "org.opencontainers.image.ref.name"
#define ANNOTATION_CONTAINERD_NAME "io.containerd.image.name"

enum blob_compression {
        BLOB_PLAIN,
        BLOB_GZIP,
        BLOB_ZSTD,
        _BLOB_COMPRESSION_MAX,
        _BLOB_COMPRESSION_INVALID = -22,
};

struct descriptor {
        char *media_type; /* owned */
        char *digest;     /* "sha256:<hex>"; owned */
        uint64_t size;
        char *os, *arch, *variant; /* platform, for index entries; owned, may be NULL */
        char *ref_name;            /* org.opencontainers.image.ref.name; owned, may be NULL */
        char *image_name;          /* io.containerd.image.name; owned, may be NULL */
};

enum manifest_kind {
        MANIFEST_IMAGE,
        MANIFEST_INDEX,
        _MANIFEST_KIND_MAX,
        _MANIFEST_KIND_INVALID = -22,
};

struct manifest {
        enum manifest_kind kind;
        char *media_type;          /* as declared, or deduced; owned */
        struct descriptor config;  /* image manifests */
        struct descriptor *layers; /* image manifests; owned array */
        size_t n_layers;
        struct descriptor *manifests; /* indexes; owned array */
        size_t n_manifests;
};

/* Parses an image manifest or an index. media_type: the type the document was announced as
 * (descriptor or HTTP header), or NULL. */
int manifest_parse(const char *data, size_t len, const char *media_type, struct manifest **ret, struct berr **err);
struct manifest *manifest_free(struct manifest *m);
static inline void manifest_freep(struct manifest **p)
{
        if (*p)
                manifest_free(*p);
}
void descriptor_clear(struct descriptor *d);

/* Picks the entry of an index for os/arch (variant optional); ENOENT names what exists. Borrowed. */
int manifest_select_platform(const struct manifest *index, const char *os, const char *arch,
                             const struct descriptor **ret, struct berr **err);
/* The compression a layer media type implies; -EINVAL for a type that is not a layer. */
int layer_media_type_compression(const char *media_type);
/* True for manifest (not index) media types. */
bool media_type_is_manifest(const char *mt);
bool media_type_is_index(const char *mt);
/* Compression detected from the first bytes of a blob (gzip or zstd magic, else plain). */
enum blob_compression blob_detect_compression(const void *head, size_t len);

/* Builds a Docker v2 schema 2 (oci=false) or OCI (oci=true) manifest document for a config and
 * layers; owned JSON text, deterministic (same input, same bytes). */
char *manifest_build(bool oci, const struct descriptor *config, const struct descriptor *layers, size_t n_layers);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The image configuration (OCI image-spec config, the same document docker
 * calls the image JSON): platform, creation time, the container defaults in
 * "config", history and rootfs.diff_ids. The image ID is its sha256 digest.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/digest.h"

struct berr;

#define CONFIG_MAX_BYTES   (8U << 20)
#define CONFIG_MAX_LAYERS  256
#define CONFIG_MAX_HISTORY 1024

struct image_history {
        char *created, *created_by, *author, *comment; /* owned, may be NULL */
        bool empty_layer;
};

struct image_config {
        struct json_object *root;   /* the whole document; owned */
        struct json_object *config; /* "config" (container defaults) or NULL; borrowed from root */
        const char *architecture, *os, *variant, *created, *author; /* borrowed from root, may be NULL */
        char **diff_ids;                                            /* owned strv */
        size_t n_diff_ids;
        struct image_history *history; /* owned array */
        size_t n_history;
};

/* Parses and validates a config: diff_ids must be sha256 digests, container fields have their types. */
int image_config_parse(const char *data, size_t len, struct image_config **ret, struct berr **err);
struct image_config *image_config_free(struct image_config *c);
static inline void image_config_freep(struct image_config **p)
{
        if (*p)
                image_config_free(*p);
}

/* Chain IDs of a stack of diff_ids (OCI image-spec "ChainID"): owned strv of n entries. */
char **image_chain_ids(char *const *diff_ids, size_t n);
/* Seconds since the epoch of an RFC 3339 time ("2024-01-02T03:04:05.123Z"), or -EINVAL. */
int parse_rfc3339(const char *s, int64_t *ret);
/* Formats a time as docker does in inspect: "2024-01-02T03:04:05Z" (nanoseconds dropped). Owned. */
char *format_rfc3339(int64_t secs);

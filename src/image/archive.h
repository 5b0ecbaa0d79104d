/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Image archives in and out of the store: `berth load` reads a docker-archive
 * (docker save's manifest.json, old <id>/layer.tar and docker 25+ layouts) or
 * an OCI image layout (index.json, as a tar or a directory); `berth save`
 * writes a docker-archive that is also an OCI layout (docker 25+'s format),
 * which docker, podman and skopeo all read.
 */

#include <stdbool.h>
#include <stdint.h>

struct berr;
struct store;

/* Limits for archives from outside. */
#define ARCHIVE_MAX_ENTRIES    16384
#define ARCHIVE_NAME_MAX       4096
#define ARCHIVE_SMALL_FILE_MAX (8U << 20) /* kept in memory: JSON documents up to CONFIG_MAX_BYTES */
#define ARCHIVE_MEMORY_MAX     (64U << 20) /* all such files together */
#define ARCHIVE_MAX_IMAGES     1024
#define ARCHIVE_LINK_DEPTH_MAX 8
#define ARCHIVE_JSON_MAX       (8U << 20)

struct image_load_result {
        char **loaded; /* "Loaded image: NAME" names (familiar) and "Loaded image ID: ID" IDs, in order */
        char **ids;    /* image IDs loaded */
        char **lines;  /* the lines to print, docker's wording */
};
void image_load_result_clear(struct image_load_result *r);

/* Reports reading progress of the large files (layers) of an archive. */
struct image_progress {
        /* done bytes of total (0 when unknown) of the file name; called at most every
         * IMAGE_PROGRESS_STEP bytes and once at the end of each file. */
        void (*file)(void *userdata, const char *name, uint64_t done, uint64_t total);
        void *userdata;
};
#define IMAGE_PROGRESS_STEP (4U << 20)

/* Loads every image of the archive read from fd (a tar, possibly compressed) or of the directory
 * fd refers to. All or nothing: on failure no blob or record of it stays in the store. */
int image_load(struct store *s, int fd, const struct image_progress *progress, struct image_load_result *res,
               struct berr **err);

/* Writes the images (IDs, each with the tags to record: tags[i] is a NULL-terminated strv of
 * normalised tags or NULL) as a docker-archive tar to fd. */
int image_save(struct store *s, char *const *ids, char **const *tags, int fd, struct berr **err);

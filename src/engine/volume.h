/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Volumes: docker's "local" driver. A volume is a row of the "volume"
 * schema in the store's database and a directory <root>/volumes/<name>/_data.
 * Containers name them in -v NAME:/dst[:ro], --mount type=volume,..., or get
 * anonymous ones for the image's Volumes; they outlive their containers.
 *
 * A container's resolved mounts (named and anonymous volumes, --mount binds
 * and tmpfs) are kept in its config under "BerthMounts" at create time:
 *   [{"Type": "volume"|"bind"|"tmpfs", "Name": ..., "Source": ..., "Destination": ...,
 *     "RW": bool, "Anonymous": bool, "TmpfsSize": bytes}]
 * spec-gen turns them into OCI mounts, inspect into docker's "Mounts".
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct berr;
struct db;
struct engine;
struct engine_container;

#define VOLUME_NAME_MAX       255
#define VOLUME_COPY_DEPTH_MAX 256

struct engine_volume {
        char *name;
        char *created;              /* RFC 3339 */
        struct json_object *labels; /* owned; an object */
        bool anonymous;
        bool populated;
};
struct engine_volume *engine_volume_free(struct engine_volume *v);
static inline void engine_volume_freep(struct engine_volume **p)
{
        if (*p)
                engine_volume_free(*p);
}
void engine_volumes_free(struct engine_volume **v, size_t n);

/* docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters). */
int volume_name_validate(const char *name, struct berr **err);
/* <root>/volumes/<name>/_data (owned). */
char *engine_volume_path(const struct engine *e, const char *name);

/* Creates a volume (name NULL: anonymous, 64 random hex). An existing name is returned as is
 * (docker's create is idempotent). labels: taken (may be NULL). ret may be NULL. */
int engine_volume_create(struct engine *e, const char *name, struct json_object *labels, bool anonymous,
                         struct engine_volume **ret, struct berr **err);
/* 1 found, 0 absent. */
int engine_volume_get(struct engine *e, const char *name, struct engine_volume **ret, struct berr **err);
/* Every volume, by name. */
int engine_volume_list(struct engine *e, struct engine_volume ***ret, size_t *ret_n, struct berr **err);
/* Ids of the containers (any state) whose mounts use the volume. Owned strv (NULL: none). */
int engine_volume_users(struct engine *e, const char *name, char ***ret, struct berr **err);
/* Removes the volume; EBUSY when a container uses it (force does not override that, as in docker);
 * ENOENT when absent (unless force). */
int engine_volume_remove(struct engine *e, const char *name, bool force, struct berr **err);
/* docker's volume inspect document. Owned. */
struct json_object *engine_volume_inspect_json(const struct engine *e, const struct engine_volume *v);

/* ---- containers ---- */

/* At create: resolves HostConfig.Binds (named and anonymous), HostConfig.Mounts and the image's
 * Config.Volumes into c->config "BerthMounts", creating volumes that do not exist. */
int engine_volumes_setup(struct engine *e, struct engine_container *c, struct berr **err);
/* At start, with the container's root file system mounted at rootfs: copies the image's files at
 * each volume's destination into volumes that were never populated and are empty. */
int engine_volumes_populate(struct engine *e, const struct engine_container *c, const char *rootfs, struct berr **err);
/* Removes the container's anonymous volumes (rm -v); best effort, unused ones only. */
void engine_volumes_remove_anonymous(struct engine *e, const struct engine_container *c);

/* volume-gc.c, on a bare database handle (the monitor has no store): */
/* Does config's BerthMounts use the volume name? */
bool volume_config_uses(struct json_object *config, const char *name);
/* The anonymous volumes of config's BerthMounts that no container record uses (root: the store's
 * root directory); best effort. */
void volume_remove_anonymous_db(struct db *db, const char *root, struct json_object *config);
/* Whether a container's config (docker's shapes) mounts an anonymous volume. */
bool volume_config_has_anonymous(struct json_object *config);

/* ---- pure parts ---- */

/* Parses one --mount value into docker's HostConfig.Mounts entry {Type, Source, Target, ReadOnly,
 * TmpfsOptions: {SizeBytes, Mode}}. Owned result. */
int volume_parse_mount(const char *spec, struct json_object **ret, struct berr **err);
/* Parses one -v value: {"Type": "bind"|"volume", "Source" ("" for anonymous), "Target", "ReadOnly"}. */
int volume_parse_bind(const char *spec, struct json_object **ret, struct berr **err);
/* Appends the OCI mounts of config's BerthMounts to mounts and their destinations to dests (spec-gen). */
int volume_spec_mounts(struct json_object *config, struct json_object *mounts, char ***dests, struct berr **err);
/* Appends docker's inspect "Mounts" entries of config's BerthMounts to arr. */
void volume_inspect_mounts(struct json_object *config, struct json_object *arr);

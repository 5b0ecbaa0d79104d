/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * From a container record (docker's Config + HostConfig, the image's
 * defaults already merged in) to an OCI config.json with docker's defaults:
 * capabilities, seccomp allowlist, masked and read-only /proc paths, minimal
 * /dev, /dev/shm, per-container /etc/hostname, hosts and resolv.conf,
 * resource limits, devices, sysctls, binds and tmpfs mounts, --init.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct berr;

#define SPEC_GEN_DEFAULT_SHM_SIZE (64ULL << 20)
#define SPEC_GEN_INIT_PATH "/sbin/docker-init"
#define SPEC_GEN_GROUPS_MAX 64
#define SPEC_GEN_PASSWD_MAX (4U << 20)

struct spec_gen_input {
        const char *id;
        struct json_object *config; /* {"Config":..., "HostConfig":...}; borrowed */
        int rootfs_fd;              /* the mounted root file system, for /etc/passwd; -1: numeric users only */
        const char *container_dir;  /* holds hostname, hosts, resolv.conf */
        const char *init_path;      /* berth-init on the host (for HostConfig.Init) */
        const char *cgroups_path;
        unsigned rows, cols;        /* the attaching terminal's size, 0: unknown (process.consoleSize) */
};

/* config.json text (owned). */
int spec_gen(const struct spec_gen_input *in, char **ret, struct berr **err);

/*
 * The OCI linux.resources.memory.swap (memory plus swap, as docker's --memory-swap) in effect for
 * HostConfig's Memory and MemorySwap: MemorySwap when set (-1: unlimited), else twice Memory
 * (docker's default), else 0: no swap limit. Pure.
 */
int64_t spec_gen_memory_swap(int64_t memory, int64_t memory_swap);

/* docker's default capability set with adds and drops ("ALL" and names with or without "CAP_"). Owned strv. */
int spec_gen_caps(char *const *add, char *const *drop, bool privileged, char ***ret, struct berr **err);
/* The default seccomp profile for a container with these capabilities. Owned. */
struct json_object *spec_gen_seccomp_default(char *const *caps);

struct spec_user {
        uid_t uid;
        gid_t gid;
        gid_t groups[SPEC_GEN_GROUPS_MAX];
        size_t n_groups;
        char home[256];
};
/*
 * Resolves docker's --user ("name", "uid", "name:group", "uid:gid", "" for root) through the
 * rootfs's /etc/passwd and /etc/group (opened inside the root). group_add: extra groups by name or
 * number. A name that is not found is EINVAL ("unable to find user x: no matching entries in passwd
 * file").
 */
int spec_gen_resolve_user(int rootfd, const char *user, char *const *group_add, struct spec_user *ret,
                          struct berr **err);

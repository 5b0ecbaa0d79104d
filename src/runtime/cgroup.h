/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Control groups for one container, behind an ops table with two backends:
 * cgroup v1 (one hierarchy per controller, as on hybrid hosts) and the
 * unified cgroup v2 hierarchy. Callers never branch on the version.
 *
 * Paths: an absolute linux.cgroupsPath is taken relative to each hierarchy's
 * root; a relative one (or none: "berth/<id>") relative to the cgroup of the
 * calling process in that hierarchy (/proc/self/cgroup), so a runtime that is
 * itself confined keeps its containers inside its own cgroup.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct berr;
struct oci_resources;
struct oci_device_rule;

enum cgroup_mode {
        CGROUP_MODE_V1, /* legacy or hybrid: controllers on v1 hierarchies */
        CGROUP_MODE_V2, /* unified: every controller on cgroup2 */
        _CGROUP_MODE_MAX,
        _CGROUP_MODE_INVALID = -22,
};

struct cgroup_env {
        const char *mountpoint;   /* "/sys/fs/cgroup" unless a test says otherwise */
        const char *proc_self_cgroup; /* "/proc/self/cgroup" unless a test says otherwise */
        bool is_mode_forced;      /* tests on a fake tree: take forced_mode instead of detecting it */
        enum cgroup_mode forced_mode;
};

struct cgroup_stats {
        uint64_t cpu_usage_ns;     /* total CPU time */
        uint64_t cpu_user_ns;
        uint64_t cpu_system_ns;
        uint64_t memory_usage;     /* bytes, without page cache where the kernel tells it apart */
        uint64_t memory_limit;     /* bytes; UINT64_MAX unlimited */
        uint64_t memory_max_usage;
        uint64_t memory_cache;
        uint64_t oom_kills;        /* OOM kills counted by the kernel for this cgroup */
        uint64_t pids_current;
        uint64_t pids_limit;       /* 0: unlimited */
        uint64_t blkio_read_bytes;
        uint64_t blkio_write_bytes;
};

struct cgroup; /* opaque; owned by the caller, freed with cgroup_free() */

/* Detects the mode from the mount point (cgroup2 superblock magic at the top: v2). */
int cgroup_detect_mode(const struct cgroup_env *env, enum cgroup_mode *ret, struct berr **err);
/* Resolves the paths for cgroups_path (may be NULL) and id; touches nothing yet. env may be NULL. */
int cgroup_new(const struct cgroup_env *env, const char *cgroups_path, const char *id, struct cgroup **ret,
               struct berr **err);
/* Re-opens an existing container cgroup from its saved description (cgroup_describe). */
int cgroup_load(const struct cgroup_env *env, const char *description, struct cgroup **ret, struct berr **err);
/* An owned string that cgroup_load() understands, to keep in the container's state. */
char *cgroup_describe(const struct cgroup *cg);
enum cgroup_mode cgroup_get_mode(const struct cgroup *cg);
/* The container's path inside the hierarchy ("/berth/abc"), borrowed: for state.json and /proc/<pid>/cgroup checks.
 * On v1 the paths may differ per hierarchy (relative paths follow the caller's cgroup in each one): this is the
 * path in the memory hierarchy, or in the first one when there is no memory controller. */
const char *cgroup_get_path(const struct cgroup *cg);

/* Creates the directories (every controller on v1; enabling controllers in the parents' subtree_control on v2). */
int cgroup_create(struct cgroup *cg, struct berr **err);
/* Moves pid into the container's cgroup(s). */
int cgroup_enter(struct cgroup *cg, pid_t pid, struct berr **err);
/* Device rules appended after resources.devices on every cgroup_apply() (copied): the caller adds an allow
 * rule for each linux.devices entry and the defaults below, as runc does. When resources.devices and these
 * are both empty, apply leaves device access alone; otherwise access starts from "deny all" and the rules
 * follow in order, the last match winning, on both backends. */
int cgroup_add_device_rules(struct cgroup *cg, const struct oci_device_rule *rules, size_t n, struct berr **err);
/* The devices every container may use, as runc allows them by default: null, zero, full, random, urandom, tty,
 * console, ptmx and pts/N, and mknod (not open) of any char or block device. Static array. */
const struct oci_device_rule *cgroup_default_device_rules(size_t *ret_n);
/* Writes resources; used at create and by update. A field the hierarchy cannot express is an error naming it. */
int cgroup_apply(struct cgroup *cg, const struct oci_resources *res, struct berr **err);
/* Freezes or thaws every process (pause/resume); waits until the state is reached. */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct berr **err);
/* Is the cgroup frozen now? 0 no, 1 yes. */
int cgroup_is_frozen(struct cgroup *cg, struct berr **err);
/* Every pid in the cgroup (and below it). Owned array. */
int cgroup_get_pids(struct cgroup *cg, pid_t **ret, size_t *ret_n, struct berr **err);
/* Sends sig to every process in the cgroup (cgroup.kill on v2 for SIGKILL where available). */
int cgroup_kill_all(struct cgroup *cg, int sig, struct berr **err);
int cgroup_get_stats(struct cgroup *cg, struct cgroup_stats *ret, struct berr **err);
/* cgroup_get_stats().oom_kills alone (0 where the kernel does not count them), reading one file */
int cgroup_get_oom_kills(struct cgroup *cg, uint64_t *ret, struct berr **err);
/* Removes the directories; kills and waits for stragglers first. Missing is fine. */
int cgroup_destroy(struct cgroup *cg, struct berr **err);
/* An fd that reports OOM events: memory.events (v2) or an eventfd registered on memory.oom_control (v1).
 * Owned by the caller. Poll it for cgroup_oom_notify_events(): POLLPRI on v2 (a kernfs file always shows
 * POLLIN; re-read memory.events, or cgroup_get_stats().oom_kills, after a wake-up), POLLIN on v1 (read the
 * eventfd's 8-byte counter to reset it). v2 also wakes up for memory.high/max events without a kill. */
int cgroup_open_oom_notify(struct cgroup *cg, struct berr **err);
short cgroup_oom_notify_events(const struct cgroup *cg);

/* Mounts the container's view of cgroups at dest inside the new root (called in the container's
 * mount namespace, before pivot_root, with rootfd the rootfs directory): cgroup2 on v2; on v1 a tmpfs
 * with one bind or cgroup mount per controller, as runc does. readonly unless the config asks rw. */
int cgroup_mount_in_container(struct cgroup *cg, int rootfd, const char *dest, bool readonly, bool has_cgroupns,
                              struct berr **err);

struct cgroup *cgroup_free(struct cgroup *cg);
static inline void cgroup_freep(struct cgroup **p)
{
        if (*p)
                cgroup_free(*p);
}

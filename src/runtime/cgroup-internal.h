/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Shared between cgroup.c (paths, life cycle, dispatch), the two backends
 * cgroup-v1.c and cgroup-v2.c, and cgroup-mount.c. Not for use outside
 * src/runtime.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/cgroup.h"

struct berr;
struct oci_resources;
struct oci_device_rule;

#define CGROUP_PATH_MAX 1024          /* cgroupsPath longer than this is refused */
#define CGROUP_MAX_HIERARCHIES 32     /* lines of /proc/self/cgroup that we consider */
#define CGROUP_FILE_MAX (4u << 20)    /* a cgroup file (or /proc/self/cgroup) read whole */
#define CGROUP_MAX_PIDS (1u << 22)    /* pids listed from one cgroup tree */
#define CGROUP_MAX_DEPTH 64           /* nested cgroups below a container that destroy walks */
#define CGROUP_DESCRIPTION_MAX (64u << 10)

struct cgroup_hierarchy {
        char *name;         /* directory under the mount point ("memory", "cpu,cpuacct"); "" on v2 */
        char **controllers; /* v1: "memory", "name=systemd"; v2: NULL */
        char *path;         /* the container's cgroup in this hierarchy, absolute, cleaned */
        unsigned created;   /* trailing components of path that cgroup_create() made (to remove) */
};

struct cgroup_ops {
        int (*create)(struct cgroup *cg, struct berr **err);
        int (*apply)(struct cgroup *cg, const struct oci_resources *res, struct berr **err);
        int (*freeze)(struct cgroup *cg, bool frozen, struct berr **err);
        int (*is_frozen)(struct cgroup *cg, struct berr **err);
        /* 1 when the backend killed everything itself (v2 cgroup.kill), 0 to use the generic way. */
        int (*kill_all)(struct cgroup *cg, int sig, struct berr **err);
        int (*get_stats)(struct cgroup *cg, struct cgroup_stats *ret, struct berr **err);
        /* only the OOM kill counter of get_stats: one file instead of a dozen */
        int (*oom_kills)(struct cgroup *cg, uint64_t *ret, struct berr **err);
        int (*open_oom_notify)(struct cgroup *cg, struct berr **err);
};

struct cgroup {
        enum cgroup_mode mode;
        char *mountpoint;               /* owned */
        struct cgroup_hierarchy *hier;  /* owned; v2: exactly one */
        size_t n_hier;
        const struct cgroup_ops *ops;   /* static */
        struct oci_device_rule *extra_devices; /* owned: appended to resources.devices by apply */
        size_t n_extra_devices;
        unsigned min_created; /* 2 for "berth/<id>" (given or default): berth/ is ours whoever made it */
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* The hierarchy that holds controller (v1), the only one (v2), or NULL. Borrowed. */
struct cgroup_hierarchy *cgroup_find_hierarchy(const struct cgroup *cg, const char *controller);
/* The hierarchy used for process listing and killing: pids, freezer, memory, or the first. */
struct cgroup_hierarchy *cgroup_primary_hierarchy(const struct cgroup *cg);
/* Opens <mountpoint>/<h->name><h->path> as an O_DIRECTORY fd. */
int cgroup_open_hierarchy_dir(const struct cgroup *cg, const struct cgroup_hierarchy *h, struct berr **err);
/* Creates h->path level by level, calling init(parentfd, dirfd, made) for every level, made by this call or
 * found (may be NULL; must be idempotent: a level found may have been made by another process and not set
 * up yet). */
int cgroup_make_dirs(const struct cgroup *cg, struct cgroup_hierarchy *h, int (*init)(int parentfd, int dirfd,
                     bool made, struct berr **err), struct berr **err);

/* File access relative to a cgroup directory fd. */
int cgroup_write(int dirfd, const char *file, const char *value, struct berr **err);
int cgroup_writef(int dirfd, const char *file, struct berr **err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
int cgroup_vwritef(int dirfd, const char *file, struct berr **err, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));
/* A cgroup file kept open for several writes, each one request (devices.allow takes one rule per
 * write(2)). Opened by the first write; close with cgroup_file_close(). */
struct cgroup_file {
        int dirfd;        /* borrowed */
        const char *name; /* borrowed */
        int fd;           /* -1 until the first write */
};
int cgroup_file_open(struct cgroup_file *f, struct berr **err); /* the fd (borrowed), or -errno */
int cgroup_file_write(struct cgroup_file *f, const char *value, struct berr **err);
void cgroup_file_close(struct cgroup_file *f);
/* Whole file as an owned string, trailing newline removed. */
int cgroup_read(int dirfd, const char *file, char **ret, struct berr **err);
/* A single unsigned number ("max" gives UINT64_MAX). */
int cgroup_read_u64(int dirfd, const char *file, uint64_t *ret, struct berr **err);
/* The value of "key N" in a flat keyed file (memory.stat, cpu.stat, memory.events). 0 absent, 1 found. */
int cgroup_keyed_get(const char *text, const char *key, uint64_t *ret);
bool cgroup_has_file(int dirfd, const char *file);

/* Every pid in the tree under dirfd (cgroup.procs, recursively). Appends to *pids. */
int cgroup_collect_pids(int dirfd, unsigned depth, pid_t **pids, size_t *n, struct berr **err);

/* Shares (2..262144, cgroup v1) to cpu.weight (1..10000), as runc and crun 1.x convert them. */
uint64_t cgroup_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) to io.weight (1..10000). */
uint64_t cgroup_blkio_weight_to_io_weight(uint64_t weight);
/* OCI memory.swap (memory+swap) and limit to memory.swap.max; -1 means "max". */
int cgroup_swap_to_v2(int64_t swap, bool has_limit, int64_t limit, int64_t *ret, struct berr **err);

/* The device rules that apply() writes: resources.devices then cg's extra rules. Owned array. */
int cgroup_device_rules(const struct cgroup *cg, const struct oci_resources *res, struct oci_device_rule **ret,
                        size_t *ret_n, struct berr **err);
/* Checks one device rule (type, numbers, access letters); error names devices[index]. */
int cgroup_device_rule_check(const struct oci_device_rule *rule, size_t index, struct berr **err);
/* Access letters of a rule as the v1 files want them ("rwm" for ""). */
const char *cgroup_device_access(const struct oci_device_rule *rule);

/* BPF_PROG_TYPE_CGROUP_DEVICE program for rules (last match wins, default deny), as struct bpf_insn
 * words. Owned array of n instructions (8 bytes each). */
int cgroup_bpf_devices_program(const struct oci_device_rule *rules, size_t n, void **ret_insns, size_t *ret_n,
                               struct berr **err);
/* Loads the program and attaches it to the cgroup dirfd, replacing programs attached before. */
int cgroup_bpf_devices_attach(int dirfd, const void *insns, size_t n, struct berr **err);

/* A huge page size as the hugetlb file names spell it ("2MB", "1GB"); the error names hugepageLimits[index]. */
int cgroup_check_page_size(const char *s, size_t index, struct berr **err);
/* A blkio device number pair that the kernel can hold (12-bit major, 20-bit minor); the error names field[i]. */
int cgroup_check_blkio_dev(int64_t major, int64_t minor, const char *field, size_t i, struct berr **err);
/* The config field of each blockIO throttle list, for error messages. */
extern const char *const cgroup_throttle_field[];
/* rdma.max lines (same format on v1 and v2) from the alternating name/limits vector. */
int cgroup_rdma_apply(int dirfd, char *const *rdma, struct berr **err);

/* Freezer wait shared by backends: polls until check() returns 1, at most timeout_ms. */
int cgroup_wait_state(struct cgroup *cg, int (*check)(struct cgroup *cg, struct berr **err), unsigned timeout_ms,
                      struct berr **err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The container's file system view. mounts_plan_new() turns config.json into
 * a validated list of steps (the "plan") without touching the kernel, so it
 * can be unit-tested; mounts_setup_rootfs() applies it inside the container's
 * new mount namespace and ends with pivot_root (or chroot with --no-pivot).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;
struct cgroup;
struct oci_spec;

enum mount_step_kind {
        MOUNT_STEP_BIND,    /* bind or rbind of a host path */
        MOUNT_STEP_FS,      /* a new file system: proc, sysfs, tmpfs, mqueue, devpts, overlay, ... */
        MOUNT_STEP_CGROUP,  /* type "cgroup"/"cgroup2": cgroup_mount_in_container() */
        _MOUNT_STEP_KIND_MAX,
        _MOUNT_STEP_KIND_INVALID = -22,
};

struct mount_step {
        enum mount_step_kind kind;
        char *source;        /* owned */
        char *destination;   /* owned; absolute, cleaned, resolved in the rootfs at apply time */
        char *fstype;        /* owned; NULL for binds */
        unsigned long flags; /* MS_* for mount(2) */
        unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC) or 0 */
        unsigned long recursive_set; /* mount_setattr() attr_set for rro, rnosuid, ... with AT_RECURSIVE */
        unsigned long recursive_clr;
        char *data;          /* owned; the options mount(2) passes through (size=64m,mode=755) */
        bool readonly_remount; /* bind mounts need a remount to apply ro/nosuid/... */
        bool idmapped;       /* uid/gid mappings given: mount_setattr(MOUNT_ATTR_IDMAP) */
        size_t mount_index;  /* index into spec->mounts, for the mappings and for error messages */
        unsigned long clear_flags; /* MS_* flags an option explicitly turned off (rw, suid, dev, ...): binds
                                    * inherit the source's flags, so these are cleared with mount_setattr() */
        bool recursive_idmap;  /* "ridmap": the idmapping applies to every submount of an rbind */
        bool tmpcopyup;        /* tmpfs: copy what the image had at the destination into the new tmpfs */
};

struct mount_plan {
        struct mount_step *steps;
        size_t n_steps;
        unsigned long rootfs_propagation; /* applied to "/" first (default MS_PRIVATE|MS_REC... runc: rslave) */
        bool readonly_rootfs;
        bool no_pivot;
        bool has_userns;
        bool has_cgroupns;
        bool default_devices; /* create /dev/null, zero, full, random, urandom, tty, /dev/ptmx link, fd links */
        bool has_mountns;     /* the spec asks for a mount namespace */
        uint64_t host_root_mount; /* without one: the id of the rootfs bind from mounts_host_root_bind(), 0 when
                                   * none was made (mounts_setup_rootfs() then refuses to run) */
};

/* Builds the plan; errors name the mount ("mounts[3] (/proc): unknown option 'bogus'"). */
int mounts_plan_new(const struct oci_spec *spec, bool no_pivot, struct mount_plan **ret, struct berr **err);
struct mount_plan *mounts_plan_free(struct mount_plan *plan);
static inline void mounts_plan_freep(struct mount_plan **p)
{
        if (*p)
                mounts_plan_free(*p);
}

/*
 * Runs inside the container's mount namespace, as root of its user namespace:
 *   1. make "/" rslave/rprivate (rootfsPropagation), bind the rootfs onto itself (without a mount
 *      namespace: only check that the rootfs is the bind plan->host_root_mount);
 *   2. every mount step, destinations resolved inside the rootfs (no symlink escapes);
 *   3. devices (spec->linux.devices and the defaults), /dev/ptmx, /dev/fd links;
 *   4. pivot_root (or chroot when no_pivot, or without a mount namespace), detach the old root;
 *   5. masked paths, read-only paths, read-only rootfs, propagation of "/".
 * rootfs is the absolute host path of the root file system. cg may be NULL (no cgroup mounts possible).
 */
int mounts_setup_rootfs(const struct oci_spec *spec, const struct mount_plan *plan, const char *rootfs,
                        struct cgroup *cg, struct berr **err);
/* Called by mounts_setup_rootfs_hooked() after every mount and device is in place and before
 * pivot_root: the moment the runtime-spec gives createContainer hooks. */
struct mounts_hook {
        int (*fn)(void *userdata, struct berr **err);
        void *userdata;
};
int mounts_setup_rootfs_hooked(const struct oci_spec *spec, const struct mount_plan *plan, const char *rootfs,
                               struct cgroup *cg, const struct mounts_hook *before_pivot, struct berr **err);

/* The rootfs bind of a container without a mount namespace (mounts-host.c). */
struct host_root_bind {
        uint64_t id;      /* unique mount id: statx STATX_MNT_ID_UNIQUE (6.8), else STATX_MNT_ID */
        uint64_t info_id; /* the id /proc/self/mountinfo shows (STATX_MNT_ID): finds the bind when covered */
        uint64_t mntns;   /* inode of the mount namespace it was made in */
};

/*
 * Without a mount namespace (mounts-host.c): the parent binds the rootfs onto itself in its own mount
 * namespace as one private recursive tree, under which the init then mounts. Refused (EINVAL, naming
 * linux.namespaces) when the rootfs is on a shared mount, whose peers would receive the container's
 * mounts. rootfs: absolute, without symlinks.
 */
int mounts_host_root_bind(const char *rootfs, struct host_root_bind *ret, struct berr **err);
/*
 * Detaches, with everything under it, the bind b at rootfs, from b->mntns (entered through a process
 * still in it when it is not ours). Another mount at rootfs, or none, is left alone and is no error,
 * except when it covers b: EBUSY (a second container on the same rootfs; delete that one first).
 */
int mounts_host_root_release(const char *rootfs, const struct host_root_bind *b, struct berr **err);
/* The inode of our mount namespace. */
int mounts_current_mntns(uint64_t *ret_ino, struct berr **err);
/* The unique mount id (statx STATX_MNT_ID_UNIQUE, else STATX_MNT_ID) of the mount fd is on. */
int mounts_mount_id(int fd, uint64_t *ret_id, struct berr **err);

/* After pivot_root: binds the terminal (the pty slave, opened inside the container) onto /dev/console,
 * creating the target file when it is missing. For the lifecycle's console code. */
int mounts_bind_console(int pty_fd, struct berr **err);

/* The name of a MOUNT_STEP_* kind ("bind", "fs", "cgroup"), for messages and tests. */
const char *mount_step_kind_to_string(enum mount_step_kind k);

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container without a mount namespace (linux.namespaces has no "mount"),
 * as runc and crun allow: its mounts are made in the caller's mount
 * namespace, so the runtime, not the kernel, must take them away again.
 *
 * The parent (create/run) makes one recursive bind of the rootfs onto itself
 * and makes that tree private before attaching it: every later mount of the
 * container lands under this private mount, so none of them propagates to
 * another mount namespace, and detaching this one mount removes them all.
 * The bind is known by its unique mount id (statx STATX_MNT_ID_UNIQUE, never
 * reused; the reusable STATX_MNT_ID before 6.8), which `delete` and a failed
 * `create` check before they detach the mount found at the rootfs path: a
 * mount that is not ours is never touched.
 *
 * Refused: a rootfs whose parent mount is shared. Attaching the bind under a
 * shared mount would copy it into every peer of that mount (other mount
 * namespaces, the host's); runc instead makes the caller's "/" rslave, which
 * changes the host's mount table, and Berth never does that.
 *
 * `delete` may run in another mount namespace than `create` did (the
 * namespace is recorded by inode): it then detaches the bind from a child
 * that enters that namespace through a process still in it. When no process
 * is left there, the namespace, and the mounts with it, are normally gone.
 *
 * The init then mounts under the bind (mounts.c) and chroot(2)s into it; the
 * container's mounts stay visible in the caller's namespace until `delete`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/mounts-internal.h"
#include "runtime/mounts.h"

#define CHILD_EXIT_COVERED 2

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U /* 6.8 */
#endif

/* The mount id statx reports for mask; with fallback, STATX_MNT_ID when the kernel does not know mask. */
static int statx_mnt_id(int fd, unsigned mask, bool fallback, uint64_t *ret_id, struct berr **err)
{
        struct statx stx = { 0 };

        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, mask, &stx) < 0)
                return berr_sys(err, "statx");
        if (!(stx.stx_mask & mask) && fallback && mask != STATX_MNT_ID)
                return statx_mnt_id(fd, STATX_MNT_ID, false, ret_id, err);
        if (!(stx.stx_mask & mask))
                return berr_set(err, ENOTSUP, "the kernel reports no mount ids (statx needs 5.8)");
        *ret_id = stx.stx_mnt_id;
        return 0;
}

int mounts_mount_id(int fd, uint64_t *ret_id, struct berr **err)
{
        return statx_mnt_id(fd, STATX_MNT_ID_UNIQUE, true, ret_id, err);
}

static int bind_ids(int fd, struct host_root_bind *b, struct berr **err)
{
        int r = mounts_mount_id(fd, &b->id, err);

        if (r < 0)
                return r;
        return statx_mnt_id(fd, STATX_MNT_ID, false, &b->info_id, err);
}

int mounts_host_root_bind(const char *rootfs, struct host_root_bind *ret, struct berr **err)
{
        _cleanup_free_ char *parent = NULL;
        _cleanup_close_ int tree = -1;
        struct mount_attr attr = { .propagation = MS_PRIVATE };
        struct host_root_bind b = { 0 };
        bool shared = false;
        int r;

        r = mounts_find_parent(rootfs, &parent, &shared, err);
        if (r < 0)
                return r;
        if (!parent)
                return berr_set(err, ENOENT, "rootfs '%s': no mount in /proc/self/mountinfo holds it, so its "
                                             "propagation cannot be checked", rootfs);
        if (shared)
                return berr_set(err, EINVAL,
                                "linux.namespaces has no \"mount\": the rootfs '%s' is on the shared mount '%s', so "
                                "the container's mounts would propagate to its peers; add a mount namespace or make "
                                "that mount private (e.g. run under 'unshare -m --propagation private')",
                                rootfs, parent);
        r = mounts_current_mntns(&b.mntns, err);
        if (r < 0)
                return r;
        tree = open_tree(AT_FDCWD, rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (tree < 0)
                return berr_sys(err, "clone the rootfs mount '%s'", rootfs);
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return berr_sys(err, "make the rootfs bind private");
        r = bind_ids(tree, &b, err);
        if (r < 0)
                return berr_wrap(err, "rootfs bind");
        if (move_mount(tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return berr_sys(err, "bind the rootfs '%s' onto itself", rootfs);
        *ret = b;
        return 0;
}

/* Is the mount with mountinfo id info_id still at rootfs, under another mount? */
static bool bind_is_covered(const char *rootfs, uint64_t info_id)
{
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_MAX_BYTES, &text, &len, NULL) < 0)
                return false;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                _cleanup_(strv_freep) char **f = strv_split(line, " ");
                uint64_t id;

                if (strv_length(f) < 5 || parse_uint64(f[0], 10, &id) < 0 || id != info_id)
                        continue;
                mounts_unescape_octal(f[4]);
                return streq(f[4], rootfs);
        }
        return false;
}

static int release_here(const char *rootfs, const struct host_root_bind *b, struct berr **err)
{
        _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        char proc[64];
        uint64_t now;
        int r;

        if (fd < 0) {
                if (errno == ENOENT)
                        return 0; /* the bundle is gone, and a mount point cannot be removed: so is our mount */
                return berr_sys(err, "open rootfs '%s'", rootfs);
        }
        r = mounts_mount_id(fd, &now, err);
        if (r < 0)
                return berr_wrap(err, "rootfs '%s'", rootfs);
        if (now != b->id) {
                if (bind_is_covered(rootfs, b->info_id))
                        return berr_set(err, EBUSY,
                                        "the rootfs bind at '%s' is covered by another mount (another container "
                                        "without a mount namespace on the same rootfs?): delete that one first",
                                        rootfs);
                log_debug("rootfs '%s': mount %llu is not ours (%llu), leaving it", rootfs, (unsigned long long) now,
                          (unsigned long long) b->id);
                return 0;
        }
        /* The fd names exactly the mount we checked: a rename or mount over the path meanwhile cannot redirect us. */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (umount2(proc, MNT_DETACH) < 0)
                return berr_sys(err, "detach the rootfs mount '%s'", rootfs);
        return 0;
}

int mounts_current_mntns(uint64_t *ret_ino, struct berr **err)
{
        struct stat sb;

        if (stat("/proc/self/ns/mnt", &sb) < 0)
                return berr_sys(err, "stat /proc/self/ns/mnt");
        *ret_ino = sb.st_ino;
        return 0;
}

/* Some pid in the mount namespace with inode ino: 0 when none is left, else the pid. */
static pid_t find_pid_in_mntns(uint64_t ino)
{
        _cleanup_closedir_ DIR *d = opendir("/proc");
        struct dirent *de;

        if (!d)
                return 0;
        while ((de = readdir(d))) {
                char path[64];
                struct stat sb;
                int pid;

                if (parse_int(de->d_name, &pid) < 0 || pid <= 0)
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
                if (stat(path, &sb) == 0 && sb.st_ino == ino)
                        return (pid_t) pid;
        }
        return 0;
}

static int release_in(const char *rootfs, const struct host_root_bind *b, struct berr **err)
{
        _cleanup_close_ int nsfd = -1;
        char path[64];
        pid_t holder, child;
        int status;

        holder = find_pid_in_mntns(b->mntns);
        if (holder == 0) {
                log_debug("mount namespace mnt:[%llu] of rootfs '%s' is gone, and its mounts with it",
                          (unsigned long long) b->mntns, rootfs);
                return 0;
        }
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int) holder);
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return berr_sys(err, "open the mount namespace mnt:[%llu] of the rootfs", (unsigned long long) b->mntns);
        child = fork();
        if (child < 0)
                return berr_sys(err, "fork");
        if (child == 0) {
                if (setns(nsfd, CLONE_NEWNS) < 0)
                        _exit(EXIT_FAILURE);
                switch (release_here(rootfs, b, NULL)) {
                case 0:
                        _exit(EXIT_SUCCESS);
                case -EBUSY:
                        _exit(CHILD_EXIT_COVERED);
                default:
                        _exit(EXIT_FAILURE);
                }
        }
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        return berr_sys(err, "wait for %d", (int) child);
        if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SUCCESS)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_EXIT_COVERED)
                return berr_set(err, EBUSY, "the rootfs bind at '%s' in mount namespace mnt:[%llu] is covered by "
                                            "another mount: delete the other container first",
                                rootfs, (unsigned long long) b->mntns);
        return berr_set(err, EIO, "detach the rootfs mount '%s' in mount namespace mnt:[%llu] failed", rootfs,
                        (unsigned long long) b->mntns);
}

int mounts_host_root_release(const char *rootfs, const struct host_root_bind *b, struct berr **err)
{
        uint64_t here;
        int r;

        r = mounts_current_mntns(&here, err);
        if (r < 0)
                return r;
        if (b->mntns == 0 || b->mntns == here)
                return release_here(rootfs, b, err);
        return release_in(rootfs, b, err);
}

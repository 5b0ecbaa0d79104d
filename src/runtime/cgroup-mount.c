/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's view of its cgroups, mounted at a destination inside the
 * new root (a "cgroup" entry of config.json's mounts). On v2 that is one
 * cgroup2 mount; on v1 a tmpfs holding one mount per hierarchy plus links
 * for co-mounted controllers, as runc lays it out. With a cgroup namespace
 * the kernel roots fresh mounts at the container's cgroup; without one the
 * container's own directories are bind-mounted, so the host's tree stays out
 * of sight either way. Runs in the container's mount namespace before
 * pivot_root; the destination is resolved safely inside the rootfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"

#define CG_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int mount_fd(const char *source, int targetfd, const char *fstype, unsigned long flags, const char *data,
                    struct berr **err)
{
        char proc[64];

        if (mount(source, path_fd_proc(targetfd, proc, sizeof(proc)), fstype, flags, data) < 0)
                return berr_sys(err, "mount %s '%s'", fstype ? fstype : "bind", source);
        return 0;
}

/*
 * Bind-mounts the host directory hostpath onto dirfd/name with nosuid, nodev, noexec (and ro) on the
 * top mount. The flags are set on the detached clone before it is attached (open_tree(2),
 * mount_setattr(2), move_mount(2)): three calls where a bind, a reopen and a remount took six, and
 * the mount is never visible writable. dirfd is a directory of the container's own tmpfs and name a
 * plain component in it, or name is "" and dirfd the safely resolved destination itself.
 */
static int bind_cgroup(const char *hostpath, int dirfd, const char *name, bool readonly, struct berr **err)
{
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                            (readonly ? MOUNT_ATTR_RDONLY : 0),
        };
        _cleanup_close_ int tree = open_tree(AT_FDCWD, hostpath, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

        if (tree < 0)
                return berr_sys(err, "mount bind '%s'", hostpath);
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return berr_sys(err, "set the mount flags of '%s'", hostpath);
        if (move_mount(tree, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH | (*name ? 0 : MOVE_MOUNT_T_EMPTY_PATH)) < 0)
                return berr_sys(err, "attach the bind of '%s' in the container", hostpath);
        return 0;
}

/* Splits dest into a safely resolved parent directory fd and a last component made a directory. */
static int open_dest(int rootfd, const char *dest, int *ret_parent, char **ret_base, struct berr **err)
{
        _cleanup_free_ char *clean = path_clean(dest), *parent = NULL;
        _cleanup_close_ int pfd = -1, dfd = -1;
        char *slash;

        if (clean[0] != '/' || streq(clean, "/"))
                return berr_set(err, EINVAL, "cgroup mount destination '%s' is not an absolute path below /", dest);
        slash = strrchr(clean, '/');
        parent = xstrndup(clean, (size_t) (slash - clean));
        pfd = path_mkdir_in_root(rootfd, *parent ? parent : "/", 0755, err);
        if (pfd < 0)
                return berr_wrap(err, "cgroup mount destination '%s'", dest);
        /* path_mkdir_in_root gives O_PATH; mkdirat and openat work on it */
        if (mkdirat(pfd, slash + 1, 0755) < 0 && errno != EEXIST)
                return berr_sys(err, "mkdir '%s'", dest);
        dfd = openat(pfd, slash + 1, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return berr_sys(err, "open '%s' in the container (not a directory, or a symlink?)", dest);
        *ret_parent = TAKE_FD(pfd);
        *ret_base = xstrdup(slash + 1);
        return TAKE_FD(dfd);
}

static int mount_v2(struct cgroup *cg, int targetfd, bool readonly, bool has_cgroupns, struct berr **err)
{
        _cleanup_free_ char *host = xasprintf("%s%s", cg->mountpoint, cg->hier[0].path);
        int r;

        if (has_cgroupns) {
                r = mount_fd("cgroup2", targetfd, "cgroup2", CG_MOUNT_FLAGS | (readonly ? MS_RDONLY : 0), NULL,
                             NULL);
                if (r >= 0)
                        return 0;
                /* EPERM in some user namespaces: the bind below shows the same directory */
                log_debug("cgroup: mount cgroup2 in the container failed (%d), binding '%s' instead", r, host);
        }
        return bind_cgroup(host, targetfd, "", readonly, err);
}

static int mount_v1_hierarchy(struct cgroup *cg, const struct cgroup_hierarchy *h, int tmpfd, bool readonly,
                              bool has_cgroupns, struct berr **err)
{
        _cleanup_free_ char *host = xasprintf("%s/%s%s", cg->mountpoint, h->name, h->path);
        _cleanup_close_ int sub = -1;
        int r;

        if (mkdirat(tmpfd, h->name, 0755) < 0 && errno != EEXIST)
                return berr_sys(err, "mkdir '%s' in the container's cgroup tmpfs", h->name);
        if (has_cgroupns) {
                _cleanup_free_ char *opts = NULL, *joined = strv_join(h->controllers, ",");

                sub = openat(tmpfd, h->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        return berr_sys(err, "open '%s' in the container's cgroup tmpfs", h->name);
                opts = startswith(joined, "name=") ? xasprintf("none,%s", joined) : xstrdup(joined);
                r = mount_fd("cgroup", sub, "cgroup", CG_MOUNT_FLAGS | (readonly ? MS_RDONLY : 0), opts, NULL);
                if (r >= 0)
                        return 0;
                log_debug("cgroup: mount cgroup '%s' in the container failed (%d), binding instead", opts, r);
        }
        return bind_cgroup(host, tmpfd, h->name, readonly, err);
}

static int mount_v1(struct cgroup *cg, int parentfd, const char *base, int targetfd, bool readonly, bool has_cgroupns,
                    struct berr **err)
{
        _cleanup_close_ int tmpfd = -1;
        int r;

        r = mount_fd("cgroup", targetfd, "tmpfs", CG_MOUNT_FLAGS, "mode=755", err);
        if (r < 0)
                return r;
        /* re-open by name from the parent: that lookup crosses into the tmpfs just mounted */
        tmpfd = openat(parentfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tmpfd < 0)
                return berr_sys(err, "open the container's cgroup tmpfs");
        for (size_t i = 0; i < cg->n_hier; i++) {
                const struct cgroup_hierarchy *h = &cg->hier[i];

                r = mount_v1_hierarchy(cg, h, tmpfd, readonly, has_cgroupns, err);
                if (r < 0)
                        return berr_wrap(err, "cgroup hierarchy '%s'", h->name);
                /* "cpu,cpuacct" is also reachable as cpu and cpuacct */
                if (strchr(h->name, ','))
                        for (char **c = h->controllers; c && *c; c++)
                                if (!streq(*c, h->name) && symlinkat(h->name, tmpfd, *c) < 0 && errno != EEXIST)
                                        return berr_sys(err, "symlink '%s' in the container's cgroup tmpfs", *c);
        }
        if (readonly) {
                char proc[64];
                if (mount(NULL, path_fd_proc(tmpfd, proc, sizeof(proc)), NULL,
                          MS_REMOUNT | MS_BIND | CG_MOUNT_FLAGS | MS_RDONLY, NULL) < 0)
                        return berr_sys(err, "remount the container's cgroup tmpfs read-only");
        }
        return 0;
}

int cgroup_mount_in_container(struct cgroup *cg, int rootfd, const char *dest, bool readonly, bool has_cgroupns,
                              struct berr **err)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int parentfd = -1, targetfd = -1;
        int r;

        targetfd = open_dest(rootfd, dest, &parentfd, &base, err);
        if (targetfd < 0)
                return targetfd;
        if (cg->mode == CGROUP_MODE_V2)
                r = mount_v2(cg, targetfd, readonly, has_cgroupns, err);
        else
                r = mount_v1(cg, parentfd, base, targetfd, readonly, has_cgroupns, err);
        if (r < 0)
                return berr_wrap(err, "mount cgroups at '%s'", dest);
        return 0;
}

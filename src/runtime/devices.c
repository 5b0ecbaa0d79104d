/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device nodes inside the container's /dev: linux.devices plus the defaults
 * every container gets (null, zero, full, random, urandom, tty), the
 * /dev/ptmx link to the devpts instance and the /dev/fd, stdin, stdout,
 * stderr links. In a user namespace mknod(2) of a device is refused, so the
 * host's node is bind-mounted onto an empty file instead (as runc does).
 * The cgroup device rules that allow access are cgroup.c's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/mounts-internal.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"

struct dev_node {
        const char *path;
        char type;
        unsigned major, minor;
        mode_t mode;
        uid_t uid;
        gid_t gid;
};

static const struct dev_node default_devices[] = {
        { "/dev/null", 'c', 1, 3, 0666, 0, 0 },    { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
        { "/dev/full", 'c', 1, 7, 0666, 0, 0 },    { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
        { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

static const struct {
        const char *target;
        const char *path;
} dev_links[] = {
        { "/proc/self/fd", "/dev/fd" },
        { "/proc/self/fd/0", "/dev/stdin" },
        { "/proc/self/fd/1", "/dev/stdout" },
        { "/proc/self/fd/2", "/dev/stderr" },
};

int devices_validate(const struct oci_spec *spec, struct berr **err)
{
        if (spec->linux.n_devices > SPEC_MAX_ITEMS)
                return berr_set(err, EINVAL, "linux.devices: more than %d entries", SPEC_MAX_ITEMS);
        for (size_t i = 0; i < spec->linux.n_devices; i++) {
                const struct oci_device *d = &spec->linux.devices[i];

                if (!d->path || !startswith(d->path, "/dev/") || path_has_dotdot(d->path))
                        return berr_set(err, EINVAL, "linux.devices[%zu]: path '%s' is not an absolute path under /dev",
                                        i, d->path ? d->path : "");
                if (!strchr("cbup", d->type) || d->type == 0)
                        return berr_set(err, EINVAL, "linux.devices[%zu] (%s): unknown type '%c'", i, d->path,
                                        d->type ? d->type : '?');
                if (d->type != 'p' && (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff))
                        return berr_set(err, EINVAL, "linux.devices[%zu] (%s): major/minor out of range", i, d->path);
        }
        return 0;
}

/*
 * The parent directory last opened by open_parent_dir(). The default nodes and
 * links all live in /dev: resolving it once instead of once per node saves
 * about five system calls per node on every container start.
 */
struct dir_cache {
        char *path; /* cleaned, inside the root ("" for the root itself); owned */
        int fd;     /* a real (not O_PATH) directory fd of path, or -1 */
};

static void dir_cache_done(struct dir_cache *c)
{
        free(c->path);
        c->path = NULL;
        c->fd = safe_close(c->fd);
}

/* The parent directory of path, created inside the root, as a real directory fd borrowed from the cache. */
static int open_parent_dir(struct dir_cache *c, int rootfd, const char *path, const char **ret_name,
                           struct berr **err)
{
        _cleanup_free_ char *clean = path_clean(path);
        _cleanup_close_ int parent = -1;
        char buf[64], *slash = strrchr(clean, '/');
        int fd;

        *ret_name = strrchr(path, '/');
        if (!slash || !*ret_name || !(*ret_name)[1])
                return berr_set(err, EINVAL, "'%s' is not an absolute path to a file", path);
        (*ret_name)++;
        *slash = 0;
        if (c->fd >= 0 && streq(c->path, clean))
                return c->fd;
        parent = path_mkdir_in_root(rootfd, *clean ? clean : "/", 0755, err);
        if (parent < 0)
                return parent;
        fd = open(path_fd_proc(parent, buf, sizeof(buf)), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open parent of '%s'", path);
        dir_cache_done(c);
        c->path = TAKE_PTR(clean);
        c->fd = fd;
        return fd;
}

static int bind_host_device(const struct dev_node *n, int rootfd, struct berr **err)
{
        _cleanup_close_ int target = path_mknod_target_in_root(rootfd, n->path, false, err);

        if (target < 0)
                return target;
        return mounts_bind_fd(-1, n->path, target, false, err);
}

static int create_node(const struct dev_node *n, struct dir_cache *c, int rootfd, bool bind, struct berr **err)
{
        const char *name = NULL;
        int dfd;
        mode_t type = n->type == 'b' ? S_IFBLK : n->type == 'p' ? S_IFIFO : S_IFCHR;

        if (bind && type != S_IFIFO)
                return bind_host_device(n, rootfd, err);
        dfd = open_parent_dir(c, rootfd, n->path, &name, err);
        if (dfd < 0)
                return dfd;
        if (mknodat(dfd, name, type | (n->mode & 07777), makedev(n->major, n->minor)) < 0) {
                if (errno == EEXIST)
                        return 0; /* something is there already (an image's node, or a bind): keep it, as runc does */
                return berr_sys(err, "mknod '%s'", n->path);
        }
        /* mknod(2) honours the umask: set the mode asked for, then the owner. */
        if (fchmodat(dfd, name, n->mode & 07777, 0) < 0)
                return berr_sys(err, "chmod '%s'", n->path);
        if (fchownat(dfd, name, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return berr_sys(err, "chown '%s'", n->path);
        return 0;
}

static bool spec_lists_device(const struct oci_spec *spec, const char *path)
{
        for (size_t i = 0; i < spec->linux.n_devices; i++)
                if (streq(spec->linux.devices[i].path, path))
                        return true;
        return false;
}

static int make_link(struct dir_cache *c, int rootfd, const char *target, const char *path, bool replace,
                     struct berr **err)
{
        const char *name = NULL;
        int dfd;

        dfd = open_parent_dir(c, rootfd, path, &name, err);
        if (dfd < 0)
                return dfd;
        if (replace && unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                return berr_sys(err, "remove '%s'", path);
        if (symlinkat(target, dfd, name) < 0 && errno != EEXIST)
                return berr_sys(err, "symlink '%s' -> '%s'", path, target);
        return 0;
}

static int setup_links(struct dir_cache *c, int rootfd, struct berr **err)
{
        int r;

        for (size_t i = 0; i < ELEMENTSOF(dev_links); i++) {
                r = make_link(c, rootfd, dev_links[i].target, dev_links[i].path, false, err);
                if (r < 0)
                        return r;
        }
        if (access("/proc/kcore", F_OK) == 0) {
                r = make_link(c, rootfd, "/proc/kcore", "/dev/core", false, err);
                if (r < 0)
                        return r;
        }
        /* The container's devpts instance (mounted with newinstance) has its own ptmx. */
        return make_link(c, rootfd, "pts/ptmx", "/dev/ptmx", true, err);
}

int devices_setup(const struct oci_spec *spec, const struct mount_plan *plan, int rootfd, struct berr **err)
{
        _cleanup_(dir_cache_done) struct dir_cache c = { .path = NULL, .fd = -1 };
        int r;

        if (!plan->default_devices)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                if (spec_lists_device(spec, default_devices[i].path))
                        continue;
                r = create_node(&default_devices[i], &c, rootfd, plan->has_userns, err);
                if (r < 0)
                        return berr_wrap(err, "default device");
        }
        for (size_t i = 0; i < spec->linux.n_devices; i++) {
                const struct oci_device *d = &spec->linux.devices[i];
                struct dev_node n = {
                        .path = d->path,
                        .type = (char) (d->type == 'u' ? 'c' : d->type),
                        .major = (unsigned) d->major,
                        .minor = (unsigned) d->minor,
                        .mode = d->has_file_mode ? d->file_mode : 0666,
                        .uid = d->has_uid ? d->uid : 0,
                        .gid = d->has_gid ? d->gid : 0,
                };

                r = create_node(&n, &c, rootfd, plan->has_userns, err);
                if (r < 0)
                        return berr_wrap(err, "linux.devices[%zu]", i);
        }
        return setup_links(&c, rootfd, err);
}

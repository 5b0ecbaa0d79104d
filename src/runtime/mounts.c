/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applies a mount plan (mounts-plan.c) inside the container's new mount
 * namespace (or, without one, under the rootfs bind of mounts-host.c, ending
 * in chroot): rootfs propagation and bind, every mount with its destination
 * resolved inside the rootfs, devices (devices.c), pivot_root, masked and
 * read-only paths, the read-only root and the final propagation.
 *
 * Confinement: a destination is resolved with openat2(RESOLVE_IN_ROOT) and
 * the mount goes onto the resulting fd, either through the new mount API
 * (move_mount(2) with MOVE_MOUNT_T_EMPTY_PATH, for binds) or through
 * /proc/self/fd/N for mount(2) (file systems). A symlink in the image that
 * points outside the rootfs therefore can only ever point back inside it.
 * Bind mount flags are changed with mount_setattr(2) on the detached tree
 * before it is attached, so a flag the source has and the options do not
 * mention is kept (needed for flags locked by a user namespace).
 *
 * The cgroup mounts are cgroup.c's (cgroup_mount_in_container); console
 * creation is the lifecycle's, which calls mounts_bind_console().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/mounts-internal.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"

#define TMPCOPYUP_MAX_DEPTH 128

/* The non-recursive MS_* flags that a bind mount can change, and their MOUNT_ATTR_* equivalents. */
static const struct {
        unsigned long ms;
        unsigned long attr;
} bind_flag_attrs[] = {
        { MS_RDONLY, MOUNT_ATTR_RDONLY },     { MS_NOSUID, MOUNT_ATTR_NOSUID },
        { MS_NODEV, MOUNT_ATTR_NODEV },       { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
        { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
};

static int setattr(int fd, bool recursive, unsigned long set, unsigned long clr, int userns_fd)
{
        struct mount_attr attr = {
                .attr_set = set,
                .attr_clr = clr,
                .userns_fd = userns_fd >= 0 ? (unsigned long) userns_fd : 0,
        };

        return mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr));
}

int mounts_bind_fd(int source_fd, const char *source, int target_fd, bool recursive, struct berr **err)
{
        _cleanup_close_ int tree = -1;
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);

        if (source_fd >= 0)
                tree = open_tree(source_fd, "", flags | AT_EMPTY_PATH);
        else
                tree = open_tree(AT_FDCWD, source, flags);
        if (tree < 0)
                return berr_sys(err, "clone mount of '%s'", source ? source : "fd");
        if (move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return berr_sys(err, "attach bind mount of '%s'", source ? source : "fd");
        return 0;
}

/* The mount flags of a bind, translated from the MS_* flags the options set and cleared. */
static void bind_attrs(const struct mount_step *st, unsigned long *ret_set, unsigned long *ret_clr)
{
        unsigned long set = 0, clr = 0;

        for (size_t i = 0; i < ELEMENTSOF(bind_flag_attrs); i++) {
                if (st->flags & bind_flag_attrs[i].ms)
                        set |= bind_flag_attrs[i].attr;
                if (st->clear_flags & bind_flag_attrs[i].ms)
                        clr |= bind_flag_attrs[i].attr;
        }
        if (st->flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
                clr |= MOUNT_ATTR__ATIME;
                set |= (st->flags & MS_NOATIME)       ? MOUNT_ATTR_NOATIME
                       : (st->flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
                                                      : MOUNT_ATTR_RELATIME;
        } else if (st->clear_flags & MS_NOATIME) {
                clr |= MOUNT_ATTR__ATIME; /* "atime": back to the default, relatime */
        }
        *ret_set = set;
        *ret_clr = clr;
}

static int write_id_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n, struct berr **err)
{
        _cleanup_free_ char *text = xstrdup(""), *path = xasprintf("/proc/%d/%s", (int) pid, file);

        for (size_t i = 0; i < n; i++) {
                char *t = xasprintf("%s%u %u %u\n", text, m[i].container_id, m[i].host_id, m[i].size);
                free(text);
                text = t;
        }
        return write_file_at(AT_FDCWD, path, text, err);
}

/*
 * A user namespace carrying the mount's idmapping, for MOUNT_ATTR_IDMAP:
 *   1. clone a child straight into a new user namespace; it reports its pid as /proc sees it
 *      (readlink /proc/self: we may be in a new pid namespace with the host's /proc still mounted,
 *      so the pid clone() returns may name another process there), then blocks reading a pipe;
 *   2. write its uid_map and gid_map from here (we are privileged over its parent namespace);
 *   3. open /proc/<child>/ns/user, then close the pipe so the child exits, and reap it.
 */
static int idmap_userns_open(const struct oci_id_mapping *u, size_t nu, const struct oci_id_mapping *g, size_t ng,
                             struct berr **err)
{
        _cleanup_close_ int rd = -1, wr = -1, nsfd = -1, rep_rd = -1, rep_wr = -1;
        _cleanup_free_ char *ns = NULL;
        char buf[32] = {};
        int p[2], q[2], r = 0, procpid = 0;
        pid_t pid;
        ssize_t n;

        if (pipe2(p, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        rd = p[0];
        wr = p[1];
        if (pipe2(q, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        rep_rd = q[0];
        rep_wr = q[1];
        pid = (pid_t) syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid < 0)
                return berr_sys(err, "clone into a new user namespace for the idmapping");
        if (pid == 0) {
                char c, self[32] = {};
                ssize_t k = readlink("/proc/self", self, sizeof(self) - 1);

                (void) close(p[1]);
                if (k <= 0 || write(q[1], self, (size_t) k) != k)
                        _exit(1);
                (void) close(q[1]);
                while (read(p[0], &c, 1) < 0 && errno == EINTR)
                        ;
                _exit(0);
        }
        rep_wr = safe_close(rep_wr);
        do
                n = read(rep_rd, buf, sizeof(buf) - 1);
        while (n < 0 && errno == EINTR);
        if (n <= 0 || parse_int(buf, &procpid) < 0 || procpid <= 0)
                r = berr_set(err, EIO, "idmapping helper did not report its pid");
        if (r >= 0)
                r = write_id_map(procpid, "uid_map", u, nu, err);
        if (r >= 0)
                r = write_id_map(procpid, "gid_map", g, ng, err);
        if (r >= 0) {
                ns = xasprintf("/proc/%d/ns/user", procpid);
                nsfd = open(ns, O_RDONLY | O_CLOEXEC);
                if (nsfd < 0)
                        r = berr_sys(err, "open '%s'", ns);
        }
        wr = safe_close(wr);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return berr_wrap(err, "set up the idmapping");
        return TAKE_FD(nsfd);
}

static int bind_idmap_userns(const struct oci_spec *spec, const struct mount_step *st, struct berr **err)
{
        const struct oci_mount *m = &spec->mounts[st->mount_index];

        if (m->n_uid_mappings > 0)
                return idmap_userns_open(m->uid_mappings, m->n_uid_mappings, m->gid_mappings, m->n_gid_mappings, err);
        return idmap_userns_open(spec->linux.uid_mappings, spec->linux.n_uid_mappings, spec->linux.gid_mappings,
                                 spec->linux.n_gid_mappings, err);
}

static int set_propagation(int rootfd, const char *dest, unsigned long propagation, struct berr **err)
{
        _cleanup_close_ int top = -1;
        char buf[64];

        if (!propagation)
                return 0;
        /* Reopen: the fd taken before mounting still names the mount underneath. */
        top = path_open_in_root(rootfd, dest, O_PATH, 0, err);
        if (top < 0)
                return top;
        if (mount(NULL, path_fd_proc(top, buf, sizeof(buf)), NULL, propagation, NULL) < 0)
                return berr_sys(err, "set propagation");
        return 0;
}

/*
 * Whether any mount may end up shared: only the options ask for that (the propagation of '/' is a
 * recursive slave by default). Until then no parent of a new mount is shared, and the propagation
 * of a bind can be set on its detached tree with the same result as after attaching it.
 */
static bool plan_may_share(const struct mount_plan *plan)
{
        if (plan->rootfs_propagation & MS_SHARED)
                return true;
        for (size_t i = 0; i < plan->n_steps; i++)
                if (plan->steps[i].propagation & MS_SHARED)
                        return true;
        return false;
}

/* The propagation type of a bind, set on its detached tree: one call where reopening the attached
 * mount and changing it took three. */
static int set_tree_propagation(int tree, unsigned long propagation)
{
        struct mount_attr attr = { .propagation = propagation & ~(unsigned long) MS_REC };

        return mount_setattr(tree, "", AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0), &attr,
                             sizeof(attr));
}

static int apply_bind(const struct oci_spec *spec, const struct mount_plan *plan, const struct mount_step *st,
                      int rootfd, struct berr **err)
{
        _cleanup_close_ int target = -1, tree = -1, userns = -1;
        unsigned long set, clr;
        struct stat sb;
        bool rec = st->flags & MS_REC, early_propagation = st->propagation && !plan_may_share(plan);

        if (stat(st->source, &sb) < 0)
                return berr_sys(err, "bind source '%s'", st->source);
        target = path_mknod_target_in_root(rootfd, st->destination, S_ISDIR(sb.st_mode), err);
        if (target < 0)
                return target;
        tree = open_tree(AT_FDCWD, st->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
        if (tree < 0)
                return berr_sys(err, "clone mount of '%s'", st->source);
        bind_attrs(st, &set, &clr);
        if ((set || clr) && setattr(tree, false, set, clr, -1) < 0)
                return berr_sys(err, "set mount flags");
        if ((st->recursive_set || st->recursive_clr) &&
            setattr(tree, true, st->recursive_set, st->recursive_clr, -1) < 0)
                return berr_sys(err, "set recursive mount flags");
        if (st->idmapped) {
                userns = bind_idmap_userns(spec, st, err);
                if (userns < 0)
                        return userns;
                if (setattr(tree, st->recursive_idmap, MOUNT_ATTR_IDMAP, 0, userns) < 0)
                        return berr_sys(err, "idmap the mount");
        }
        if (early_propagation && set_tree_propagation(tree, st->propagation) < 0)
                return berr_sys(err, "set propagation");
        if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return berr_sys(err, "attach bind mount of '%s'", st->source);
        return early_propagation ? 0 : set_propagation(rootfd, st->destination, st->propagation, err);
}

/* Copies the tree under src into dst (both directory fds), keeping modes and owners: tmpcopyup. */
static int copy_tree(int src, int dst, unsigned depth, struct berr **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int dfd = fcntl(src, F_DUPFD_CLOEXEC, 3);

        if (depth > TMPCOPYUP_MAX_DEPTH)
                return berr_set(err, ELOOP, "tmpcopyup: directory tree deeper than %d", TMPCOPYUP_MAX_DEPTH);
        if (dfd < 0 || !(d = fdopendir(dfd))) {
                safe_close(dfd);
                return berr_sys(err, "tmpcopyup: read directory");
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat sb;
                int r = 0;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(src, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
                        return berr_sys(err, "tmpcopyup: stat '%s'", de->d_name);
                if (S_ISDIR(sb.st_mode)) {
                        _cleanup_close_ int s = -1, t = -1;
                        if (mkdirat(dst, de->d_name, 0700) < 0 && errno != EEXIST)
                                return berr_sys(err, "tmpcopyup: mkdir '%s'", de->d_name);
                        s = openat(src, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        t = openat(dst, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (s < 0 || t < 0)
                                return berr_sys(err, "tmpcopyup: open '%s'", de->d_name);
                        r = copy_tree(s, t, depth + 1, err);
                } else if (S_ISREG(sb.st_mode)) {
                        _cleanup_close_ int s = openat(src, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int t = openat(dst, de->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                        char buf[65536];
                        ssize_t n;
                        if (s < 0 || t < 0)
                                return berr_sys(err, "tmpcopyup: open '%s'", de->d_name);
                        while ((n = read(s, buf, sizeof(buf))) > 0)
                                if (write_all(t, buf, (size_t) n) < 0)
                                        return berr_sys(err, "tmpcopyup: write '%s'", de->d_name);
                        if (n < 0)
                                return berr_sys(err, "tmpcopyup: read '%s'", de->d_name);
                } else if (S_ISLNK(sb.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(src, de->d_name, target, sizeof(target) - 1);
                        if (n < 0)
                                return berr_sys(err, "tmpcopyup: readlink '%s'", de->d_name);
                        target[n] = 0;
                        if (symlinkat(target, dst, de->d_name) < 0)
                                return berr_sys(err, "tmpcopyup: symlink '%s'", de->d_name);
                } else if (mknodat(dst, de->d_name, sb.st_mode, sb.st_rdev) < 0) {
                        return berr_sys(err, "tmpcopyup: mknod '%s'", de->d_name);
                }
                if (r < 0)
                        return r;
                if (fchownat(dst, de->d_name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return berr_sys(err, "tmpcopyup: chown '%s'", de->d_name);
                if (!S_ISLNK(sb.st_mode) && fchmodat(dst, de->d_name, sb.st_mode & 07777, 0) < 0)
                        return berr_sys(err, "tmpcopyup: chmod '%s'", de->d_name);
        }
        if (errno != 0)
                return berr_sys(err, "tmpcopyup: read directory");
        return 0;
}

static int tmpcopyup(int under_fd, int rootfd, const char *dest, struct berr **err)
{
        _cleanup_close_ int top = path_open_in_root(rootfd, dest, O_RDONLY | O_DIRECTORY, 0, err);
        struct stat sb;

        if (top < 0)
                return top;
        if (fstat(under_fd, &sb) < 0)
                return berr_sys(err, "stat");
        /* The new tmpfs root takes the mode and owner of the directory it hides. */
        if (fchmod(top, sb.st_mode & 07777) < 0 || fchown(top, sb.st_uid, sb.st_gid) < 0)
                return berr_sys(err, "tmpcopyup: set mode of the tmpfs root");
        return copy_tree(under_fd, top, 0, err);
}

static int apply_fs(const struct mount_plan *plan, const struct mount_step *st, int rootfd, struct berr **err)
{
        _cleanup_close_ int target = -1, under = -1, top = -1;
        unsigned long flags = st->flags & ~(unsigned long) (MS_BIND | MS_REC);
        char buf[64];
        int r;

        target = path_mkdir_in_root(rootfd, st->destination, 0755, err);
        if (target < 0)
                return target;
        if (st->tmpcopyup) {
                under = open(path_fd_proc(target, buf, sizeof(buf)), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (under < 0)
                        return berr_sys(err, "open the directory under the tmpfs");
        }
        if (mount(st->source, path_fd_proc(target, buf, sizeof(buf)), st->fstype, flags, st->data) < 0) {
                bool sysfs = streq(st->fstype, "sysfs"), mqueue = streq(st->fstype, "mqueue");

                /* sysfs cannot be mounted in a user namespace without its own network namespace, nor mqueue
                 * without its own IPC namespace: bind the host's, as runc does. */
                if (!(errno == EPERM && plan->has_userns && (sysfs || mqueue)))
                        return berr_sys(err, "mount %s", st->fstype);
                r = mounts_bind_fd(-1, sysfs ? "/sys" : "/dev/mqueue", target, true, err);
                if (r < 0)
                        return r;
                top = path_open_in_root(rootfd, st->destination, O_PATH, 0, err);
                if (top < 0)
                        return top;
                if ((flags & MS_RDONLY) && setattr(top, true, MOUNT_ATTR_RDONLY, 0, -1) < 0)
                        return berr_sys(err, "make the %s bind read-only", st->fstype);
                top = safe_close(top);
        }
        if (st->recursive_set || st->recursive_clr) {
                top = path_open_in_root(rootfd, st->destination, O_PATH, 0, err);
                if (top < 0)
                        return top;
                if (setattr(top, true, st->recursive_set, st->recursive_clr, -1) < 0)
                        return berr_sys(err, "set recursive mount flags");
        }
        if (under >= 0) {
                r = tmpcopyup(under, rootfd, st->destination, err);
                if (r < 0)
                        return r;
        }
        return set_propagation(rootfd, st->destination, st->propagation, err);
}

static int apply_cgroup(const struct mount_plan *plan, const struct mount_step *st, int rootfd, struct cgroup *cg,
                        struct berr **err)
{
        /* cgroup_mount_in_container() makes the destination itself */
        if (!cg)
                return berr_set(err, ENOTSUP, "cgroup mount: no cgroup for this container");
        return cgroup_mount_in_container(cg, rootfd, st->destination, st->flags & MS_RDONLY, plan->has_cgroupns, err);
}

static int apply_step(const struct oci_spec *spec, const struct mount_plan *plan, const struct mount_step *st,
                      int rootfd, struct cgroup *cg, struct berr **err)
{
        switch (st->kind) {
        case MOUNT_STEP_BIND:
                return apply_bind(spec, plan, st, rootfd, err);
        case MOUNT_STEP_FS:
                return apply_fs(plan, st, rootfd, err);
        case MOUNT_STEP_CGROUP:
                return apply_cgroup(plan, st, rootfd, cg, err);
        case _MOUNT_STEP_KIND_MAX:
        case _MOUNT_STEP_KIND_INVALID:
                break;
        }
        return berr_set(err, EINVAL, "invalid mount step");
}

/* Undoes the \ooo escapes of /proc/self/mountinfo in place. */
void mounts_unescape_octal(char *s)
{
        char *w = s;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
                    s[3] <= '7') {
                        *w++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 3;
                } else {
                        *w++ = *s;
                }
        }
        *w = 0;
}

static bool path_is_under(const char *path, const char *mp)
{
        const char *rest = startswith(path, mp);

        return streq(mp, "/") || (rest && (*rest == 0 || *rest == '/'));
}

int mounts_find_parent(const char *path, char **ret_mountpoint, bool *ret_shared, struct berr **err)
{
        _cleanup_free_ char *text = NULL, *best = NULL;
        bool best_shared = false;
        size_t len;
        int r;

        r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_MAX_BYTES, &text, &len, err);
        if (r < 0)
                return r;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                _cleanup_(strv_freep) char **f = strv_split(line, " ");
                size_t n = strv_length(f);
                bool shared = false;

                if (n < 7)
                        continue;
                mounts_unescape_octal(f[4]);
                if (!path_is_under(path, f[4]) || (best && strlen(f[4]) < strlen(best)))
                        continue;
                for (size_t i = 6; i < n && !streq(f[i], "-"); i++)
                        if (startswith(f[i], "shared:"))
                                shared = true;
                free(best);
                best = xstrdup(f[4]);
                best_shared = shared;
        }
        *ret_mountpoint = TAKE_PTR(best);
        *ret_shared = best_shared;
        return 0;
}

/*
 * pivot_root(2) fails with EINVAL when the parent mount of the new root is
 * shared. With an rshared rootfsPropagation it is: make that one mount private
 * (only in our namespace).
 */
static int make_parent_private(const char *rootfs, struct berr **err)
{
        _cleanup_free_ char *parent = NULL;
        bool shared = false;
        int r;

        r = mounts_find_parent(rootfs, &parent, &shared, err);
        if (r < 0)
                return r;
        if (parent && shared && mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0)
                return berr_sys(err, "make the parent mount '%s' of the rootfs private", parent);
        return 0;
}

/* Without a mount namespace the parent made the bind (mounts-host.c): check that the rootfs is still it. */
static int open_host_root(const struct mount_plan *plan, const char *rootfs, struct berr **err)
{
        _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        uint64_t id;
        int r;

        if (fd < 0)
                return berr_sys(err, "open rootfs '%s'", rootfs);
        r = mounts_mount_id(fd, &id, err);
        if (r < 0)
                return berr_wrap(err, "rootfs '%s'", rootfs);
        if (id != plan->host_root_mount)
                return berr_set(err, EBUSY, "rootfs '%s': another mount covers the runtime's bind", rootfs);
        return TAKE_FD(fd);
}

static int prepare_root(const struct mount_plan *plan, const char *rootfs, struct berr **err)
{
        unsigned long prop = plan->rootfs_propagation ? plan->rootfs_propagation : MS_SLAVE | MS_REC;
        int r, fd;

        if (!plan->has_mountns)
                return open_host_root(plan, rootfs, err);
        /*
         * An unbindable rootfs could not be bound onto itself below (EINVAL):
         * keep it private until the end of the setup, which applies the
         * unbindable rootfsPropagation to the new '/'.
         */
        if (prop & MS_UNBINDABLE)
                prop = (prop & ~MS_UNBINDABLE) | MS_PRIVATE;
        if (mount(NULL, "/", NULL, prop, NULL) < 0)
                return berr_sys(err, "set propagation of '/'");
        /* After a recursive slave or private (the default), no mount here is shared: no need to read
         * mountinfo (its generation and parsing were a tenth of the init's set-up) to find out. */
        if (!(prop & MS_REC) || (prop & MS_SHARED)) {
                r = make_parent_private(rootfs, err);
                if (r < 0)
                        return r;
        }
        if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return berr_sys(err, "bind the rootfs '%s' onto itself", rootfs);
        fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open rootfs '%s'", rootfs);
        return fd;
}

/* The classic trick: pivot_root(".", ".") stacks the old root on top of the new one; detach it. */
static int do_pivot_root(int rootfd, struct berr **err)
{
        _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);

        if (oldroot < 0)
                return berr_sys(err, "open old root");
        if (fchdir(rootfd) < 0)
                return berr_sys(err, "chdir into the rootfs");
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return berr_sys(err, "pivot_root");
        if (fchdir(oldroot) < 0)
                return berr_sys(err, "chdir into the old root");
        /* Keep the detach below from propagating to the host's mounts. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return berr_sys(err, "make the old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
                return berr_sys(err, "detach the old root");
        if (chdir("/") < 0)
                return berr_sys(err, "chdir /");
        return 0;
}

/*
 * Without pivot_root the host's other mounts stay in the namespace, hidden
 * under the moved rootfs but keeping their file systems busy: detach every
 * mount that is not the rootfs or below it, deepest first (as runc does).
 * Failures are ignored: a mount may already be gone with its parent.
 */
static void detach_outside_mounts(const char *rootfs)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_(strv_freep) char **mps = NULL;
        size_t len, n;

        if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_MAX_BYTES, &text, &len, NULL) < 0)
                return;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                _cleanup_(strv_freep) char **f = strv_split(line, " ");

                if (strv_length(f) < 5)
                        continue;
                mounts_unescape_octal(f[4]);
                if (!streq(f[4], "/") && !path_is_under(f[4], rootfs) && !path_is_under(rootfs, f[4]))
                        strv_push(&mps, f[4]);
        }
        if (!mps)
                return;
        n = strv_length(mps);
        for (size_t i = n; i > 0; i--) {
                (void) mount(NULL, mps[i - 1], NULL, MS_SLAVE | MS_REC, NULL); /* never propagate to the host */
                (void) umount2(mps[i - 1], MNT_DETACH); /* best effort, see above */
        }
}

/*
 * Without a mount namespace: the caller's mounts are not ours to move or
 * detach, so chroot(2), as runc and crun do. A process with CAP_SYS_CHROOT
 * can leave a chroot; only a mount namespace (pivot_root) prevents that.
 */
static int do_chroot(int rootfd, struct berr **err)
{
        if (fchdir(rootfd) < 0)
                return berr_sys(err, "chdir into the rootfs");
        if (chroot(".") < 0)
                return berr_sys(err, "chroot");
        if (chdir("/") < 0)
                return berr_sys(err, "chdir /");
        return 0;
}

static int do_move_root(int rootfd, const char *rootfs, struct berr **err)
{
        detach_outside_mounts(rootfs);
        if (fchdir(rootfd) < 0)
                return berr_sys(err, "chdir into the rootfs");
        if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
                return berr_sys(err, "move the rootfs onto '/'");
        if (chroot(".") < 0)
                return berr_sys(err, "chroot");
        if (chdir("/") < 0)
                return berr_sys(err, "chdir /");
        return 0;
}

static int switch_root(const struct mount_plan *plan, int rootfd, const char *rootfs, struct berr **err)
{
        if (!plan->has_mountns)
                return do_chroot(rootfd, err);
        return plan->no_pivot ? do_move_root(rootfd, rootfs, err) : do_pivot_root(rootfd, err);
}

static int open_dev_null(int rootfd, struct berr **err)
{
        _cleanup_close_ int fd = path_open_in_root(rootfd, "/dev/null", O_PATH, 0, err);
        struct stat sb;

        if (fd < 0)
                return fd;
        if (fstat(fd, &sb) < 0)
                return berr_sys(err, "stat /dev/null");
        if (!S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(1, 3))
                return berr_set(err, EINVAL, "/dev/null in the container is not the null device");
        return TAKE_FD(fd);
}

static int mount_ro_tmpfs(int target, struct berr **err)
{
        _cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -1;

        if (fs < 0)
                return berr_sys(err, "fsopen tmpfs");
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return berr_sys(err, "create tmpfs");
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
        if (mnt < 0)
                return berr_sys(err, "fsmount tmpfs");
        if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return berr_sys(err, "attach tmpfs");
        return 0;
}

static int mask_paths(const struct oci_spec *spec, int rootfd, struct berr **err)
{
        _cleanup_close_ int devnull = -1;
        int r;

        for (char **p = spec->linux.masked_paths; p && *p; p++) {
                _cleanup_close_ int fd = path_open_in_root(rootfd, *p, O_PATH, 0, NULL);
                struct stat sb;

                if (fd == -ENOENT)
                        continue;
                if (fd < 0)
                        return berr_errno(err, fd, "masked path '%s'", *p);
                if (fstat(fd, &sb) < 0)
                        return berr_sys(err, "masked path '%s'", *p);
                if (S_ISDIR(sb.st_mode)) {
                        r = mount_ro_tmpfs(fd, err);
                } else {
                        if (devnull < 0) {
                                devnull = open_dev_null(rootfd, err);
                                if (devnull < 0)
                                        return berr_wrap(err, "masked path '%s'", *p);
                        }
                        r = mounts_bind_fd(devnull, NULL, fd, false, err);
                }
                if (r < 0)
                        return berr_wrap(err, "masked path '%s'", *p);
        }
        return 0;
}

static int readonly_paths(const struct oci_spec *spec, int rootfd, struct berr **err)
{
        for (char **p = spec->linux.readonly_paths; p && *p; p++) {
                _cleanup_close_ int fd = path_open_in_root(rootfd, *p, O_PATH, 0, NULL), tree = -1;

                if (fd == -ENOENT)
                        continue;
                if (fd < 0)
                        return berr_errno(err, fd, "read-only path '%s'", *p);
                tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
                if (tree < 0)
                        return berr_sys(err, "read-only path '%s': clone mount", *p);
                if (setattr(tree, true, MOUNT_ATTR_RDONLY, 0, -1) < 0)
                        return berr_sys(err, "read-only path '%s': set read-only", *p);
                if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return berr_sys(err, "read-only path '%s': attach", *p);
        }
        return 0;
}

static int finish_root(const struct oci_spec *spec, const struct mount_plan *plan, struct berr **err)
{
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (root < 0)
                return berr_sys(err, "open new root");
        r = mask_paths(spec, root, err);
        if (r < 0)
                return r;
        r = readonly_paths(spec, root, err);
        if (r < 0)
                return r;
        if (plan->readonly_rootfs && setattr(root, false, MOUNT_ATTR_RDONLY, 0, -1) < 0)
                return berr_sys(err, "make the root file system read-only");
        if (plan->rootfs_propagation && mount(NULL, "/", NULL, plan->rootfs_propagation, NULL) < 0)
                return berr_sys(err, "set rootfsPropagation of '/'");
        return 0;
}

/*
 * Every step below changes the mount namespace it runs in (propagation of
 * "/" first of all): refuse to run in the host's. Without a mount namespace
 * the steps stay under the private rootfs bind the parent made. pid 1 of the host is in the
 * initial mount namespace; with a new pid namespace /proc is still the host's
 * here, so /proc/1 is that process (unless /proc/self is 1: then we are it). If
 * it cannot be read, the spec's word is all there is.
 */
static int check_private_mountns(const struct mount_plan *plan, struct berr **err)
{
        struct stat self, init;
        char me[32] = {};

        if (!plan->has_mountns && plan->host_root_mount == 0)
                return berr_set(err, EINVAL, "the rootfs needs a mount namespace (linux.namespaces has no \"mount\") "
                                             "or a rootfs bind made by the runtime");
        if (!plan->has_mountns)
                return 0;
        if (stat("/proc/self/ns/mnt", &self) == 0 && stat("/proc/1/ns/mnt", &init) == 0 && self.st_ino == init.st_ino &&
            self.st_dev == init.st_dev && !(readlink("/proc/self", me, sizeof(me) - 1) > 0 && streq(me, "1")))
                return berr_set(err, EINVAL, "refusing to set up the rootfs in the host's mount namespace");
        return 0;
}

int mounts_setup_rootfs(const struct oci_spec *spec, const struct mount_plan *plan, const char *rootfs,
                        struct cgroup *cg, struct berr **err)
{
        return mounts_setup_rootfs_hooked(spec, plan, rootfs, cg, NULL, err);
}

int mounts_setup_rootfs_hooked(const struct oci_spec *spec, const struct mount_plan *plan, const char *rootfs,
                               struct cgroup *cg, const struct mounts_hook *before_pivot, struct berr **err)
{
        _cleanup_free_ char *real = realpath(rootfs, NULL);
        _cleanup_close_ int rootfd = -1;
        int r;

        r = check_private_mountns(plan, err);
        if (r < 0)
                return r;
        if (!real)
                return berr_sys(err, "rootfs '%s'", rootfs);
        rootfd = prepare_root(plan, real, err);
        if (rootfd < 0)
                return rootfd;
        for (size_t i = 0; i < plan->n_steps; i++) {
                const struct mount_step *st = &plan->steps[i];

                r = apply_step(spec, plan, st, rootfd, cg, err);
                if (r < 0)
                        return berr_wrap(err, "mounts[%zu] (%s)", st->mount_index, st->destination);
        }
        r = devices_setup(spec, plan, rootfd, err);
        if (r < 0)
                return berr_wrap(err, "devices");
        /* A missing process.cwd is created inside the rootfs, as runc and crun do. */
        if (spec->has_process && spec->process.cwd) {
                _cleanup_close_ int cwdfd = path_mkdir_in_root(rootfd, spec->process.cwd, 0755, err);
                if (cwdfd < 0)
                        return berr_wrap(err, "process.cwd '%s'", spec->process.cwd);
        }
        if (before_pivot && before_pivot->fn) {
                r = before_pivot->fn(before_pivot->userdata, err);
                if (r < 0)
                        return r;
        }
        r = switch_root(plan, rootfd, real, err);
        if (r < 0)
                return r;
        return finish_root(spec, plan, err);
}

int mounts_bind_console(int pty_fd, struct berr **err)
{
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), target = -1;

        if (root < 0)
                return berr_sys(err, "open root");
        target = path_mknod_target_in_root(root, "/dev/console", false, err);
        if (target < 0)
                return berr_wrap(err, "/dev/console");
        return mounts_bind_fd(pty_fd, NULL, target, false, err) < 0 ? berr_wrap(err, "/dev/console") : 0;
}

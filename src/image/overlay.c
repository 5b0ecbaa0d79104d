/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlayfs mounts of a layer stack. The new mount API is tried first: with
 * fsconfig(FSCONFIG_SET_STRING, "lowerdir+", dir) (Linux 6.8+) every lower
 * dir is its own parameter, so a stack has no length limit short of
 * overlayfs's own 500 layers, and the kernel's error text can be read back
 * from the fs context. Older kernels get mount(2), whose options must fit in
 * one page: lower dirs are then given as short links ("l/<16 hex>", the
 * scheme containers/storage uses) relative to the layers directory, which
 * becomes the cwd for the call (image code runs single-threaded while it
 * mounts, and the cwd is restored at once).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "image/layer-internal.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"

/* Appends what the kernel logged in the fs context ("e overlayfs: ...") to the error. */
static int fs_error(int fsfd, struct berr **err, const char *what)
{
        int saved = errno;
        char buf[512];
        ssize_t n = read(fsfd, buf, sizeof(buf) - 1);

        if (n > 2) {
                buf[n] = 0;
                if (buf[n - 1] == '\n')
                        buf[n - 1] = 0;
                return berr_set(err, saved, "%s: %s (%s)", what, strerror(saved), buf + 2);
        }
        return berr_errno(err, saved, "%s", what);
}

static int mount_new_api(char *const *lowers, const char *upper, const char *work, const char *target,
                         const struct overlay_opts *o, struct berr **err)
{
        _cleanup_close_ int fsfd = -1, mfd = -1;

        fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fsfd < 0)
                return berr_sys(err, "open overlay file system context");
        for (char *const *l = lowers; *l; l++)
                if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", *l, 0) < 0) {
                        if (errno == EINVAL && l == lowers)
                                return -EOPNOTSUPP; /* a kernel before 6.8: no "lowerdir+" */
                        return fs_error(fsfd, err, "overlay lower dir");
                }
        if (upper && (fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
                      fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0))
                return fs_error(fsfd, err, "overlay upper/work dir");
        /* No redirects: a renamed lower directory is copied up whole, so the upper dir is a
         * complete diff that layer_create_tar() can pack (commit, export, build). */
        if (upper && fsconfig(fsfd, FSCONFIG_SET_STRING, "redirect_dir", "off", 0) < 0)
                return fs_error(fsfd, err, "overlay redirect_dir=off");
        if (o->userxattr && fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
                return fs_error(fsfd, err, "overlay userxattr");
        if (upper && o->volatile_upper && fsconfig(fsfd, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0)
                return fs_error(fsfd, err, "overlay volatile");
        if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return fs_error(fsfd, err, "create overlay");
        mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, upper ? 0 : MOUNT_ATTR_RDONLY);
        if (mfd < 0)
                return berr_sys(err, "mount overlay");
        if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return berr_sys(err, "attach overlay on '%s'", target);
        return 0;
}

static int mount_legacy(int layers_dirfd, char *const *short_lowers, const char *upper, const char *work,
                        const char *target, const struct overlay_opts *o, struct berr **err)
{
        _cleanup_free_ char *lower = strv_join(short_lowers, ":"), *opts = NULL;
        _cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int tfd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
        char proc[64];
        long page = sysconf(_SC_PAGESIZE);
        int r;

        if (cwd < 0)
                return berr_sys(err, "open current directory");
        if (tfd < 0)
                return berr_sys(err, "open mount target '%s'", target);
        if (upper)
                opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,redirect_dir=off%s", lower, upper, work,
                                 o->userxattr ? ",userxattr" : "");
        else
                opts = xasprintf("lowerdir=%s%s", lower, o->userxattr ? ",userxattr" : "");
        if ((long)strlen(opts) >= page)
                return berr_set(err, E2BIG,
                                "%zu layers do not fit in mount(2)'s %ld bytes of options "
                                "and this kernel lacks lowerdir+ (Linux 6.8)",
                                strv_length(short_lowers), page);
        if (fchdir(layers_dirfd) < 0)
                return berr_sys(err, "enter layers directory");
        r = mount("overlay", path_fd_proc(tfd, proc, sizeof(proc)), "overlay", upper ? 0 : MS_RDONLY, opts);
        if (r < 0)
                r = berr_sys(err, "mount overlay on '%s'", target);
        if (fchdir(cwd) < 0)
                abort(); /* the process would go on in the wrong directory */
        return r;
}

int overlay_mount(int layers_dirfd, char *const *lowers, char *const *short_lowers, const char *upper, const char *work,
                  const char *target, const struct overlay_opts *o, struct berr **err)
{
        int r;

        if (!lowers || !lowers[0])
                return berr_set(err, EINVAL, "overlay needs at least one lower dir");
        if (strv_length(lowers) > OVERLAY_MAX_LOWERS)
                return berr_set(err, E2BIG, "%zu layers: overlayfs stacks at most %d", strv_length(lowers),
                                OVERLAY_MAX_LOWERS);
        if (!o->force_legacy) {
                r = mount_new_api(lowers, upper, work, target, o, err);
                if (r != -EOPNOTSUPP)
                        return r;
                log_debug("overlay: no lowerdir+ in this kernel, using mount(2) with short paths");
        }
        return mount_legacy(layers_dirfd, short_lowers, upper, work, target, o, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared between mounts.c, mounts-plan.c and devices.c only. */

#include <stdbool.h>
#include <sys/types.h>

struct berr;
struct oci_spec;
struct oci_device;
struct mount_plan;

#define MOUNT_OPTION_MAX_LEN 4096 /* one option string; longer is refused */
#define MOUNT_DATA_MAX_LEN 65536  /* joined data options passed to mount(2) */

/* Validates linux.devices (type, absolute path under /dev, no ".."); errors name the entry. */
int devices_validate(const struct oci_spec *spec, struct berr **err);

/* Creates linux.devices and the default devices inside the rootfs (rootfd: the rootfs directory,
 * before pivot_root): mknod, or a bind mount of the host's node when in a user namespace (mknod of
 * devices is not allowed there). Then /dev/ptmx -> pts/ptmx and the /dev/fd, stdin, stdout, stderr
 * and core links. */
int devices_setup(const struct oci_spec *spec, const struct mount_plan *plan, int rootfd, struct berr **err);

#define MOUNTINFO_MAX_BYTES (16u << 20)

/* Undoes the \\ooo escapes of a /proc/self/mountinfo field in place. */
void mounts_unescape_octal(char *s);
/* The mount point in /proc/self/mountinfo that holds path (the longest prefix), and whether that mount
 * is shared. Owned mount point; NULL (and not shared) when no mount point is a prefix of path, which
 * happens only when mountinfo shows nothing at or above it (a chroot). */
int mounts_find_parent(const char *path, char **ret_mountpoint, bool *ret_shared, struct berr **err);

/* Bind mounts source (an fd, or a path when source_fd < 0) onto the O_PATH target fd with the new
 * mount API, optionally recursive. */
int mounts_bind_fd(int source_fd, const char *source, int target_fd, bool recursive, struct berr **err);

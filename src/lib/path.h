/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Safe path resolution inside a root directory. Every path that comes from an
 * image, a config.json, a Dockerfile or an archive goes through these helpers:
 * they use openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so "..", absolute
 * symlinks and magic links can never leave the root.
 */

#include <stdbool.h>
#include <sys/types.h>

struct berr;

/* Opens path inside the root rootfd with open(2) flags (O_CLOEXEC is added). Returns an fd or -errno. */
int path_open_in_root(int rootfd, const char *path, int flags, mode_t mode, struct berr **err);
/* Like path_open_in_root, but creates missing directories on the way (mode for each), and returns an
 * O_PATH|O_DIRECTORY fd of the final directory. */
int path_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct berr **err);
/* Makes sure path exists inside the root as a regular file (created empty, parents created) or a
 * directory when want_dir, and returns an O_PATH fd to it: mount targets for bind mounts. */
int path_mknod_target_in_root(int rootfd, const char *path, bool want_dir, struct berr **err);
/* "/proc/self/fd/N" for an fd, in buf (at least 32 bytes). */
const char *path_fd_proc(int fd, char *buf, size_t len);

/* Lexical clean-up: collapses "//", "/./", resolves ".." lexically, never above "/" for absolute
 * paths. Owned result; "" becomes ".". */
char *path_clean(const char *path);
/* Joins a and b with exactly one '/'. Owned. */
char *path_join(const char *a, const char *b);
/* True if path has a ".." component. */
bool path_has_dotdot(const char *path);

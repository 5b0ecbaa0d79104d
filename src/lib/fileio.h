/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Reading and writing whole files and fds, with size limits and atomic replacement. */

#include <stddef.h>
#include <sys/types.h>

struct berr;

/* Writes all of buf, retrying on EINTR and short writes. Returns 0 or -errno (errno set). */
int write_all(int fd, const void *buf, size_t len);
/* Reads until EOF or len bytes. Returns bytes read or -errno. */
ssize_t read_full(int fd, void *buf, size_t len);
/* Reads the whole fd (at most max bytes, else -EFBIG) into a NUL-terminated owned buffer. */
int read_all(int fd, size_t max, char **ret, size_t *ret_len, struct berr **err);
/* Opens path relative to dirfd (AT_FDCWD allowed) and reads it whole. */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len, struct berr **err);
/* Writes data to dirfd/path through a temporary file, fsync optional, then rename(2): readers
 * see the old or the new content, never a part. */
int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, struct berr **err);
/* A file that is usually new: created in place (no temporary, no rename; a failed write removes it),
 * or, when it exists already, replaced as write_file_atomic_at does. */
int write_file_fresh_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, struct berr **err);
/* Opens (O_WRONLY|O_TRUNC, no O_CREAT) and writes value: for /proc and cgroup files. */
int write_file_at(int dirfd, const char *path, const char *value, struct berr **err);
/* mkdir -p relative to dirfd for a trusted path (not resolved in a root: see path.h for that). */
int mkdir_parents_at(int dirfd, const char *path, mode_t mode, struct berr **err);
/* rm -rf relative to dirfd; does not cross mount points; missing is fine. */
int rm_rf_at(int dirfd, const char *path, struct berr **err);

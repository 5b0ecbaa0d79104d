/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A container's files from the outside: cp (both ways, tar streams), diff,
 * export and commit. Everything that reads or writes inside the container's
 * tree runs in a child process whose root directory is the container's file
 * system (chroot into the merged overlay, or the running container's own
 * /proc/<pid>/root), so no path, ".." or symlink of the container can reach
 * the host; the overlay of a stopped container is mounted in that child's
 * private mount namespace and disappears with it.
 */

#include <stdbool.h>
#include <stdio.h>

struct berr;
struct engine;
struct engine_container;

#define FSOPS_DIFF_DEPTH_MAX 256

struct engine_cp_opts {
        bool archive;     /* -a: keep uid/gid */
        bool follow_link; /* -L: follow a symlink given as the source */
};
/* docker cp CONTAINER:src dst ("-": a tar stream on out_fd). */
int engine_cp_from(struct engine *e, const struct engine_container *c, const char *src, const char *dst, int out_fd,
                   const struct engine_cp_opts *o, struct berr **err);
/* docker cp src CONTAINER:dst ("-": a tar stream read from in_fd). */
int engine_cp_to(struct engine *e, const struct engine_container *c, const char *src, const char *dst, int in_fd,
                 const struct engine_cp_opts *o, struct berr **err);
/* Tar of the merged file system to out_fd. */
int engine_export(struct engine *e, const struct engine_container *c, int out_fd, struct berr **err);

/* The changes of the container's upper dir: lines "A /path", "C /path", "D /path", sorted, on out. */
int engine_diff(struct engine *e, const struct engine_container *c, FILE *out, struct berr **err);
/* Kind of change of an upper-dir entry: 'D' whiteout (char device 0/0), else 'C' if it exists in
 * the lower layers, 'A' if not. Pure. */
char fsops_diff_kind(unsigned mode, unsigned long rdev, bool in_lower);

/* Paths (relative, "etc/hosts") that diff leaves out: the engine's own mount targets. */
bool fsops_diff_hidden(const char *rel);

struct engine_commit_opts {
        const char *author;
        const char *message;
        char **changes;  /* Dockerfile instructions */
        const char *tag; /* normalised "name:tag", may be NULL */
        bool pause;      /* pause a running container while its changes are read (docker's default) */
};
/* A new image from the container's upper dir on top of its image. ret_id: owned. */
int engine_commit(struct engine *e, struct engine_container *c, const struct engine_commit_opts *o, char **ret_id,
                  struct berr **err);

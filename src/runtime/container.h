/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The container lifecycle behind runc's command line: create, start, run,
 * state, kill, delete, list, ps, pause, resume, update, events, exec. Each
 * operation works on the state kept under a root directory (default
 * /run/berth-runtime): <root>/<id>/state.json, a copy of config.json and, for
 * a created container, the exec fifo its init blocks on until `start`.
 *
 * Nothing here prints except where an operation's whole purpose is output
 * (events writes JSON lines to the fd it is given); errors are returned.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct berr;
struct oci_resources;

#define CONTAINER_DEFAULT_ROOT "/run/berth-runtime"
#define CONTAINER_ID_MAX 1024

enum container_status {
        CONTAINER_CREATING,
        CONTAINER_CREATED,
        CONTAINER_RUNNING,
        CONTAINER_PAUSED,
        CONTAINER_STOPPED,
        _CONTAINER_STATUS_MAX,
        _CONTAINER_STATUS_INVALID = -22,
};

const char *container_status_to_string(enum container_status s);

struct runtime_ctx {
        const char *root; /* state root; borrowed */
        bool systemd_cgroup;
        bool rootless;
};

struct create_opts {
        const char *id;
        const char *bundle;         /* NULL: current directory */
        const char *pid_file;       /* NULL: none */
        const char *console_socket; /* NULL: none */
        bool no_pivot;
        bool no_new_keyring;
        unsigned preserve_fds;
        /* run only */
        bool detach;
        bool keep;
};

/* What `state` and `list` show (runtime-spec state plus the creation time). */
struct container_info {
        char *id;
        pid_t pid; /* 0 when stopped */
        enum container_status status;
        char *bundle;
        char *rootfs;
        char *created; /* RFC 3339 */
        char *owner;
        char **annotations; /* alternating key and value */
};
void container_info_done(struct container_info *info);
struct json_object;
/* The runtime-spec state fields of ci (ociVersion, id, pid, status, bundle, rootfs, created), a new object. */
struct json_object *container_info_oci_json(const struct container_info *ci);
/* Alternating key and value strings as a new JSON object. */
struct json_object *container_annotations_json(char *const *annotations);

int container_id_validate(const char *id, struct berr **err);

int container_create(const struct runtime_ctx *ctx, const struct create_opts *opts, struct berr **err);
int container_start(const struct runtime_ctx *ctx, const char *id, struct berr **err);
/* create + start; without detach waits, forwarding signals, and stores the exit status
 * (128+signal when killed) in *ret_status. */
int container_run(const struct runtime_ctx *ctx, const struct create_opts *opts, int *ret_status, struct berr **err);
/* runtime-spec state JSON, owned. */
int container_state_json(const struct runtime_ctx *ctx, const char *id, char **ret, struct berr **err);
int container_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all, struct berr **err);
int container_delete(const struct runtime_ctx *ctx, const char *id, bool force, struct berr **err);
/* Every container under the root, sorted by id. Owned array of n entries. */
int container_list(const struct runtime_ctx *ctx, struct container_info **ret, size_t *ret_n, struct berr **err);
int container_info_get(const struct runtime_ctx *ctx, const char *id, struct container_info *ret,
                       struct berr **err);
int container_pids(const struct runtime_ctx *ctx, const char *id, pid_t **ret, size_t *ret_n, struct berr **err);
int container_pause(const struct runtime_ctx *ctx, const char *id, bool pause, struct berr **err);
int container_update(const struct runtime_ctx *ctx, const char *id, const struct oci_resources *res,
                     struct berr **err);
/* Stats once (stats_only) or a stream of stats every interval seconds plus "oom" events until the
 * container stops, as JSON lines on out_fd. */
int container_events(const struct runtime_ctx *ctx, const char *id, bool stats_only, unsigned interval,
                     int out_fd, struct berr **err);

struct exec_opts {
        const char *id;
        const char *process_file; /* --process; "-" is stdin */
        char **args;              /* borrowed; used without process_file */
        bool tty;
        const char *console_socket;
        const char *cwd;
        char **env; /* borrowed "K=V" entries to add */
        const char *user; /* "uid[:gid]" */
        char **additional_gids;
        char **caps; /* borrowed "CAP_X" names to add */
        bool no_new_privs;
        bool detach;
        const char *pid_file;
        unsigned preserve_fds;
        const char *apparmor;
        const char *process_label;
};
int container_exec(const struct runtime_ctx *ctx, const struct exec_opts *opts, int *ret_status, struct berr **err);

/* The runtime-spec features document for this build. Owned JSON text. */
char *runtime_features_json(void);

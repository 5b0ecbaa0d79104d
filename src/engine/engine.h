/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The container engine: container records in the store's database, their
 * directories, and the operations behind `berth run/create/start/stop/kill/
 * rm/ps/logs/wait/inspect/exec`.
 *
 * On disk:
 *   <root>/containers/<id>/           config.json (the OCI bundle), rootfs/ (mount point),
 *                                     upper/ work/ (overlay), hostname, hosts, resolv.conf,
 *                                     <id>-json.log[.N], lock (held while a CLI changes it)
 *   <runroot>/containers/<id>/        locked (flock) by the monitor for its life;
 *                                     attach (the monitor's unix socket), monitor.pid
 *   <runroot>/runtime/                the in-process runtime's state root
 * With --root alone, <runroot> is <root>/run (the CLI decides; see main.c).
 *
 * A container's record is the source of truth for its state; the monitor is
 * the only writer while the container runs. A record in state "creating"
 * whose lock is free belongs to a CLI that died: engine_refresh() removes it.
 * A "running" record whose state directory is not locked lost its monitor: it is
 * marked exited.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct berr;
struct store;
struct db;

#define ENGINE_ID_LEN 64
#define ENGINE_NAME_MAX 253
#define ENGINE_SHORT_ID_LEN 12

enum engine_state {
        ENGINE_STATE_CREATING,
        ENGINE_STATE_CREATED,
        ENGINE_STATE_RUNNING,
        ENGINE_STATE_PAUSED,
        ENGINE_STATE_RESTARTING,
        ENGINE_STATE_EXITED,
        ENGINE_STATE_REMOVING,
        ENGINE_STATE_DEAD,
        _ENGINE_STATE_MAX,
        _ENGINE_STATE_INVALID = -22,
};
const char *engine_state_to_string(enum engine_state s);
enum engine_state engine_state_from_string(const char *s);

struct engine {
        struct store *store; /* borrowed */
        struct db *db;       /* borrowed from store */
        char *root;          /* owned */
        char *runroot;       /* owned */
        char *containers_dir; /* <root>/containers; owned */
        char *state_dir;      /* <runroot>/containers; owned */
        char *runtime_root;   /* <runroot>/runtime; owned */
};

/* Opens the engine on an open store (applying the "engine" migrations). runroot NULL: the store's. */
int engine_open(struct store *s, const char *runroot, struct engine **ret, struct berr **err);
struct engine *engine_free(struct engine *e);
static inline void engine_freep(struct engine **p)
{
        if (*p)
                engine_free(*p);
}

/* One container record. */
struct engine_container {
        char *id;         /* 64 hex */
        char *name;       /* without the leading '/' */
        char *image_id;   /* "sha256:..." */
        char *image_name; /* as the user typed it */
        struct json_object *config; /* {"Config": {...}, "HostConfig": {...}}: docker's shapes; owned */
        enum engine_state state;
        pid_t pid;
        int exit_code;
        bool oom_killed;
        char *error;       /* last start error, may be NULL */
        char *created;     /* RFC 3339 nano */
        char *started_at;  /* may be NULL */
        char *finished_at; /* may be NULL */
        int restart_count;
        pid_t monitor_pid;
        bool manually_stopped;
};
struct engine_container *engine_container_free(struct engine_container *c);
static inline void engine_container_freep(struct engine_container **p)
{
        if (*p)
                engine_container_free(*p);
}
void engine_containers_free(struct engine_container **v, size_t n);

/* Paths of a container (owned strings). */
char *engine_container_dir(const struct engine *e, const char *id);
char *engine_container_state_dir(const struct engine *e, const char *id);
char *engine_container_log_path(const struct engine *e, const char *id);

/* "adjective_surname", random. Owned. */
char *engine_name_generate(void);
/* docker's name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]* (a leading '/' is dropped). */
int engine_name_validate(const char *name, struct berr **err);
/* A random 64-hex id. */
void engine_id_generate(char ret[ENGINE_ID_LEN + 1]);

/*
 * Finds a container by full id, name (with or without '/'), or unique id prefix. 1 found, 0 absent
 * (err untouched), or an error (ambiguous prefix). Stale records are refreshed first.
 */
int engine_container_find(struct engine *e, const char *what, struct engine_container **ret, struct berr **err);
/* Every container (all: also the stopped ones), newest first. */
int engine_container_list(struct engine *e, bool all, struct engine_container ***ret, size_t *ret_n,
                          struct berr **err);
/* Writes the state fields of c (state, pid, exit code, times, counters). */
int engine_container_save_state(struct engine *e, const struct engine_container *c, struct berr **err);
/* Removes the record and its image hold. */
int engine_container_delete_record(struct engine *e, const char *id, struct berr **err);
/* Renames. EEXIST with docker's conflict message. */
int engine_container_rename(struct engine *e, const char *id, const char *name, struct berr **err);

/* Repairs records left by a dead CLI or monitor (creating without lock; running without monitor). */
int engine_refresh(struct engine *e, struct engine_container *c, struct berr **err);

/* The current time as docker writes it: RFC 3339 with nanoseconds, UTC. Into buf (>= 40 bytes). */
const char *engine_now(char *buf, size_t len);

/* ---- create/start/stop (lifecycle.c) ---- */

struct engine_create_opts {
        const char *image;          /* what the user typed */
        const char *name;           /* NULL: generated */
        struct json_object *config; /* {"Config":..., "HostConfig":...} from the flags; taken */
};
/* Records a new container (state "created") and prepares its directory. ret: owned record. */
int engine_create(struct engine *e, struct engine_create_opts *opts, struct engine_container **ret,
                  struct berr **err);

/* How the CLI talks to the monitor (monitor.h has the frame types). */
struct engine_start_opts {
        bool attach_stdin, attach_stdout, attach_stderr;
        unsigned short rows, cols; /* initial terminal size, 0: unknown */
};
/*
 * Starts a created or stopped container: OCI config, rootfs mount, monitor. Returns the CLI's end of
 * the monitor's control socket (SOCK_SEQPACKET; monitor.h's frames) once the container runs.
 */
int engine_start(struct engine *e, struct engine_container *c, const struct engine_start_opts *opts,
                 struct berr **err);
/* Connects to the running container's monitor (attach socket). */
int engine_attach_connect(struct engine *e, const char *id, struct berr **err);
/*
 * Stops: sends sig (0: the container's stop signal) and after timeout seconds (< 0: its own stop
 * timeout, default 10) SIGKILL; waits for the monitor to record the exit. Not running: 0.
 */
int engine_stop(struct engine *e, struct engine_container *c, int sig, int timeout, struct berr **err);
int engine_kill(struct engine *e, struct engine_container *c, int sig, struct berr **err);
/* Removes a container (force: kills it first); EBUSY when running without force. */
int engine_remove(struct engine *e, struct engine_container *c, bool force, struct berr **err);
/* Waits until the container is not running; returns its exit code. */
int engine_wait(struct engine *e, struct engine_container *c, int *ret_code, struct berr **err);
/* Waits for an exit frame on an attach/control socket; -EPIPE when the monitor went away. */
int engine_wait_exit_frame(int fd, int *ret_code, struct berr **err);
/* Docker's inspect document for a container. Owned. */
struct json_object *engine_inspect_json(struct engine *e, const struct engine_container *c);
/* Docker's exit status for a start error: 127 not found, 126 cannot be invoked, else 125. */
int engine_start_error_exit_code(const struct berr *err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared between the lifecycle files of src/runtime (container.c, state.c, linux.c, nsexec.c, exec.c,
 * hooks.c, console.c, sync.c, userns.c, events.c). Not for use outside src/runtime. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#include "runtime/container.h"
#include "runtime/mounts.h"

struct berr;
struct cgroup;
struct mount_plan;
struct oci_hook;
struct oci_process;
struct oci_spec;
struct seccomp_program;

#define STATE_FILE "state.json"
#define STATE_CONFIG_FILE "config.json"
#define STATE_FIFO "exec.fifo"
#define STATE_MAX_BYTES (8u << 20)

/* ---- state.c ---- */

struct container_state {
        char *id;
        pid_t pid;
        uint64_t pid_start; /* field 22 of /proc/<pid>/stat: detects pid reuse */
        char *bundle;
        char *rootfs;
        char *created;
        char *owner;
        char **annotations;
        char *cgroup; /* cgroup_describe() */
        bool systemd;
        bool rootless;
        bool has_fifo; /* created by `create`: `start` writes to it */
        /* config.json has no poststart and no poststop hooks: start and delete need not parse it again
         * (false in the state of an older runtime: they parse it) */
        bool no_post_hooks;
        /* No mount namespace: the rootfs bind in the caller's mount namespace (mounts_host_root_bind()) */
        char *host_root;          /* its path (realpath of the rootfs); NULL when none */
        struct host_root_bind host_bind;
};
void container_state_done(struct container_state *st);

/* Opens (creating with mode 0700) the root directory. */
int state_root_open(const char *root, bool create, struct berr **err);
/* Opens <root>/<id> and takes its lock (flock, exclusive or shared). ENOENT: "container 'id' does not exist". */
int state_dir_open_locked(int rootfd, const char *id, bool exclusive, struct berr **err);
int state_read(int dirfd, struct container_state *ret, struct berr **err);
int state_write(int dirfd, const struct container_state *st, struct berr **err);
/* Reads and parses the saved copy of config.json. */
int state_load_spec(int dirfd, struct oci_spec **ret, struct berr **err);
/* Start time of pid (field 22) and its state letter; ESRCH when gone. */
int proc_pid_start_time(pid_t pid, uint64_t *ret_start, char *ret_state);
/* Is the recorded init still the same live process? */
bool state_pid_alive(const struct container_state *st);
/* Computes the status; cg may be NULL (then "paused" is never reported). */
enum container_status state_status(int dirfd, const struct container_state *st, struct cgroup *cg);
/* runtime-spec state JSON for status. Owned. */
char *state_oci_json(const struct container_state *st, enum container_status status, bool pretty);
/* RFC 3339 with nanoseconds, UTC. Owned. */
char *state_now_rfc3339(void);

/* ---- sync.c: framed messages over the parent/child SOCK_STREAM socketpair ---- */

enum sync_type {
        SYNC_USERMAP = 1,     /* child -> parent: write my uid/gid maps */
        SYNC_USERMAP_ACK,     /* parent -> child */
        SYNC_SETUP,           /* child -> parent: time offsets, cgroup, createRuntime/prestart hooks */
        SYNC_SETUP_ACK,       /* parent -> child; payload: the state JSON for the container's hooks */
        SYNC_SECCOMP_FD,      /* child -> parent: seccomp notify listener fd (SCM_RIGHTS) */
        SYNC_SECCOMP_FD_ACK,  /* parent -> child */
        SYNC_CREATED,         /* child -> parent: ready, waiting for start */
        SYNC_START,           /* parent -> child (run only: no fifo) */
        SYNC_PID,             /* intermediate -> parent: pid of the real child (int32) */
        SYNC_READY,           /* exec child -> parent: about to execve */
        SYNC_GO,              /* parent -> child cloned by an intermediate: the parent knows your pid */
        SYNC_ERROR,           /* child -> parent: int32 code + message */
};

#define SYNC_MAX_PAYLOAD (1u << 20)

/* Sends a message; fd >= 0 travels with SCM_RIGHTS. */
int sync_send(int sock, enum sync_type type, const void *payload, size_t len, int fd, struct berr **err);
/* Receives one message; payload owned (NUL-terminated) or NULL; ret_fd -1 when none. EOF: EPIPE. */
int sync_recv(int sock, enum sync_type *ret_type, char **ret_payload, size_t *ret_len, int *ret_fd,
              struct berr **err);
/* Waits for exactly `want`; a SYNC_ERROR becomes the returned error. */
int sync_expect(int sock, enum sync_type want, char **ret_payload, size_t *ret_len, struct berr **err);
/* After the child was let go to execve: EOF on sock means the execve succeeded (the socket is close-on-exec),
 * a SYNC_ERROR that it failed. */
int sync_expect_exec(int sock, struct berr **err);
/* In a child: sends err as SYNC_ERROR (or a generic message) and _exit(127). */
__attribute__((noreturn)) void sync_fail(int sock, struct berr *err);
/* Turns a SYNC_ERROR payload into an error. */
int sync_error_from_payload(const char *payload, size_t len, struct berr **err);

/* ---- userns.c ---- */
int userns_write_maps(pid_t pid, const struct oci_spec *spec, struct berr **err);
int timens_write_offsets(pid_t pid, const struct oci_spec *spec, struct berr **err);

/* ---- hooks.c ---- */
/* Runs hooks in order with state_json on stdin; the first failure is the error ("prestart hook[0] '/x': ..."). */
int hooks_run(const struct oci_hook *hooks, size_t n, const char *kind, const char *state_json,
              struct berr **err);

/* ---- console.c ---- */
/* Connects to the console socket (unix stream). */
int console_socket_connect(const char *path, struct berr **err);
/* Inside the container (after pivot_root): allocates a pty from /dev/ptmx, sends the master over
 * sock, sets the size, makes the slave the controlling terminal and stdio; bind_console also mounts
 * it on /dev/console. */
int console_setup(int sock, const struct oci_process *p, bool bind_console, struct berr **err);

/* ---- nsexec.c / linux.c: the container's init ---- */

struct init_config {
        const struct oci_spec *spec;         /* borrowed */
        const struct mount_plan *plan;       /* borrowed */
        struct seccomp_program *seccomp;     /* borrowed; NULL: none */
        struct cgroup *cg;                   /* borrowed */
        const char *rootfs;                  /* absolute */
        int sync_fd;                         /* child's end */
        int console_fd;                      /* -1: none */
        int fifo_dirfd;                      /* state dir, for the exec fifo; -1 in `run` */
        unsigned preserve_fds;               /* including LISTEN_FDS */
        char **extra_env;                    /* LISTEN_FDS/LISTEN_PID; borrowed */
        bool no_new_keyring;
        uint64_t ignored_signals;            /* linux_ignored_signals() of the parent before the clone */
};

/* Clones the init (through an intermediate process when joining namespaces by path) and returns the
 * pid of the first child; the init's own pid arrives as SYNC_PID when they differ. */
int nsexec_spawn_init(const struct init_config *cfg, bool *ret_intermediate, struct berr **err);
/* The CLONE_NEW* flags for the namespaces the spec creates (not joined); time and cgroup included. */
unsigned long nsexec_new_flags(const struct oci_spec *spec);
/* Joins the namespaces given by path, user namespace first. */
int nsexec_join_paths(const struct oci_spec *spec, struct berr **err);
/* Runs in the init; never returns. from_intermediate: cloned by an intermediate that already joined
 * and created the namespaces (and had the maps written). */
__attribute__((noreturn)) void linux_init_main(const struct init_config *cfg, bool from_intermediate);
/* Shared by init and exec, in this order: process_apply_early, seccomp (before identity unless
 * noNewPrivileges), process_apply_identity, chdir(cwd), exec_lookup. Owned executable path.
 * sync_fd >= 0: a notify listener fd is sent to the parent (SYNC_SECCOMP_FD). *ret_seccomp_done
 * tells whether the filter is loaded already. */
int linux_prepare_process(const struct oci_process *p, struct seccomp_program *seccomp, int sync_fd,
                          bool *ret_seccomp_done, char **ret_path, struct berr **err);
/* Loads the filter if not done, resets the signals in reset_signals (see linux_reset_signals_in), prepares
 * the fds and execve()s. Returns only on failure. */
int linux_exec(const struct oci_process *p, const char *path, struct seccomp_program *seccomp, bool seccomp_done,
               uint64_t reset_signals, unsigned preserve_fds, char **extra_env, const int *ours, size_t n_ours,
               struct berr **err);
#define LINUX_ALL_SIGNALS UINT64_MAX
#define PROC_STATUS_MAX_BYTES (64u << 10)
/*
 * The signals the calling process ignores (bit sig - 1), from the SigIgn line of /proc/self/status, or
 * LINUX_ALL_SIGNALS when that cannot be read. execve(2) resets caught signals to their default but keeps
 * ignored ones ignored, so these are the only dispositions a child cloned now needs to reset before it
 * execs: one rt_sigaction each instead of one for each of the 64 signals.
 */
uint64_t linux_ignored_signals(void);
/* Resets the dispositions of the signals in which (bit sig - 1) to default and unblocks every signal. */
void linux_reset_signals_in(uint64_t which);
/* Resets every signal disposition and the mask before execve of container or hook processes. */
void linux_reset_signals(void);
/* Marks fds >= 3 + keep close-on-exec, and clears it on 3..3+keep-1 except for `ours`. */
void linux_prepare_fds(unsigned keep, const int *ours, size_t n_ours);

/* ---- container.c helpers used by exec.c/events.c ---- */
/* Blocks the signals a foreground `run` or `exec` forwards to the container's process. */
int container_block_signals(sigset_t *ret_set);
/* Waits for our child pid, forwarding the blocked signals to it; exit status or 128+signal. */
int container_wait_forwarding(pid_t pid, const sigset_t *set, int *ret_status, struct berr **err);
int container_write_pid_file(const char *path, pid_t pid, struct berr **err);
int container_open(const struct runtime_ctx *ctx, const char *id, bool exclusive, int *ret_dirfd,
                   struct container_state *ret_state, struct berr **err);

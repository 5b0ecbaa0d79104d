/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The per-container monitor (the berth-monitor program; conmon's job): parent
 * of the container's init, owner of its stdio and json-file log, recorder of
 * its exit, applier of its restart policy, server of its attach socket.
 *
 * The CLI and the monitor talk over SOCK_SEQPACKET sockets (the control
 * socketpair the CLI starts the monitor with, and <state>/attach for later
 * clients). Each message is one frame: a type byte then a payload.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;

#define MONITOR_FRAME_MAX (32 * 1024)
/* The control socket's fd number in the monitor. */
#define MONITOR_CTL_FD 3

enum monitor_frame {
        /* monitor -> client */
        MONITOR_STDOUT = 'o',  /* data */
        MONITOR_STDERR = 'e',  /* data */
        MONITOR_STARTED = 'r', /* int32 pid */
        MONITOR_EXIT = 'x',    /* int32 exit code: the monitor is done */
        MONITOR_ERROR = 'E',   /* int32 errno, message: the container could not start */
        /* client -> monitor */
        MONITOR_START = 's',  /* uint8 flags, uint16 rows, uint16 cols (control socket only) */
        MONITOR_ATTACH = 'a', /* uint8 flags */
        MONITOR_STDIN = 'i',  /* data */
        MONITOR_STDIN_CLOSE = 'c',
        MONITOR_RESIZE = 'w', /* uint16 rows, uint16 cols */
        MONITOR_SIGNAL = 'k', /* int32 signal: to the container's init */
        MONITOR_STOP = 'p',   /* a manual stop follows: do not restart */
};

enum {
        MONITOR_ATTACH_STDIN = 1 << 0,
        MONITOR_ATTACH_STDOUT = 1 << 1,
        MONITOR_ATTACH_STDERR = 1 << 2,
};

enum monitor_restart {
        MONITOR_RESTART_NO,
        MONITOR_RESTART_ON_FAILURE,
        MONITOR_RESTART_ALWAYS,
        MONITOR_RESTART_UNLESS_STOPPED,
        _MONITOR_RESTART_MAX,
        _MONITOR_RESTART_INVALID = -22,
};

struct monitor_opts {
        const char *id;
        const char *bundle;       /* <root>/containers/<id> */
        const char *rootfs;       /* mount point to unmount at the end */
        const char *state_dir;    /* <runroot>/containers/<id>, existing */
        const char *runtime_root; /* the runtime's state root */
        const char *runtime;      /* external OCI runtime binary, NULL: in-process */
        const char *db_path;      /* the store's berth.db */
        const char *log_path;     /* json-file log, NULL: none */
        uint64_t log_max_size;    /* 0: unlimited */
        unsigned log_max_file;    /* >= 1 */
        const char *cgroups_path; /* as in config.json, for OOM counting */
        enum monitor_restart restart;
        unsigned max_retries; /* on-failure:N, 0: unlimited */
        bool tty;
        bool open_stdin;
        bool autoremove;
        bool healthcheck; /* run the health checker (the container has a check) */
        int ctl_fd; /* the CLI's control socket, -1: none */
};

/* Runs the monitor until the container is done for good; returns the process exit status. */
int monitor_main(const struct monitor_opts *o);

/* Parses "no", "on-failure[:N]", "always", "unless-stopped". */
int monitor_restart_parse(const char *s, enum monitor_restart *ret_policy, unsigned *ret_max, struct berr **err);
const char *monitor_restart_to_string(enum monitor_restart p);
/* docker's backoff before restart number n (0-based): 100 ms doubling, at most 1 minute. */
unsigned monitor_restart_delay_ms(unsigned n);
/* Should a container that exited with code restart? (manually stopped ones never do) */
bool monitor_restart_wanted(enum monitor_restart p, unsigned max_retries, unsigned restarts, int code,
                            bool manually_stopped);

/* Frame helpers (one send per frame). */
int monitor_send(int fd, char type, const void *payload, size_t len);
int monitor_send_int(int fd, char type, int32_t v);

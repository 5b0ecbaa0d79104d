/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The recorder: a child of the monitor that holds the database connection and writes the
 * container's record for it (running, exited, failed, removed). The monitor forks it while the CLI
 * prepares the container (or beside the creator), so that the connection is open when "running" is
 * written; it exits after RECORDER_IDLE_MS without a request (or when the monitor closes its socket), and
 * the monitor forks a new one when it next needs the database. SQLite never runs in the monitor
 * itself: its heap, stack and static data stay as small as the monitor's own loop needs.
 */

#define RECORDER_IDLE_MS 250
#define RECORDER_MSG_MAX 2048

enum recorder_op {
        RECORDER_RUNNING = 1, /* state running, pid, monitor pid, restart count, started now */
        RECORDER_EXITED,      /* state exited (or restarting), exit code, OOM, finished now */
        RECORDER_FAILED,      /* the start failed: msg is the error */
        RECORDER_REMOVE,      /* --rm: delete the record, then the container's anonymous volumes */
};

struct recorder_req {
        uint8_t op;
        bool restarting;
        bool oom;
        int32_t pid;
        int32_t monitor_pid;
        int32_t exit_code;
        int32_t restarts;
        char msg[RECORDER_MSG_MAX];
};

struct recorder_reply {
        int32_t r;              /* 0 or a negative errno */
        bool manually_stopped;  /* RECORDER_EXITED: the record says `berth stop` stopped it */
        bool found;             /* the record was there */
        char msg[RECORDER_MSG_MAX];
};

struct recorder {
        pid_t pid; /* -1: none running */
        int fd;
};

#define RECORDER_NONE ((struct recorder){ .pid = -1, .fd = -1 })

/* Forks the recorder if none is running; it opens the database at once. 0 or -errno. */
int recorder_start(struct recorder *rc, const char *db_path, const char *id, const char *root);
/* Sends one request and waits for its reply, starting a recorder first when needed (again once
 * when the running one went away on its idle timeout). Returns reply->r. */
int recorder_call(struct recorder *rc, const char *db_path, const char *id, const char *root,
                  const struct recorder_req *req, struct recorder_reply *reply);
/* The two halves of recorder_call, for a request whose reply the monitor takes later (no other
 * request in between: replies come in order). recorder_send: 0 or -errno (a recorder that went away
 * is started anew once). recorder_receive: 0 with the reply (its r says how the request went), or
 * -EPIPE when the recorder went away before answering. */
int recorder_send(struct recorder *rc, const char *db_path, const char *id, const char *root,
                  const struct recorder_req *req);
int recorder_receive(struct recorder *rc, struct recorder_reply *reply);
/* Closes the socket: the recorder finishes what it was asked and exits. */
void recorder_stop(struct recorder *rc);

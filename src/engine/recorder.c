/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's recorder (see recorder.h): one request, one reply, over a SOCK_SEQPACKET pair.
 * Every request is idempotent (it sets the record's state from the request's values), so the
 * monitor may send one again to a new recorder when the last one went away on its idle timeout.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/recorder.h"
#include "engine/records.h"
#include "engine/volume.h"
#include "image/db.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

static int handle(struct db *db, const char *id, const char *root, const struct recorder_req *q,
                  struct recorder_reply *a, struct berr **err)
{
        char now[64];
        int r;

        switch ((enum recorder_op) q->op) {
        case RECORDER_RUNNING:
                r = records_set_running(db, id, q->pid, q->monitor_pid, q->restarts, engine_now(now, sizeof(now)), err);
                break;
        case RECORDER_EXITED: {
                struct records_exit x = { .restarting = q->restarting, .oom = q->oom, .exit_code = q->exit_code,
                                          .restarts = q->restarts, .monitor_pid = q->monitor_pid,
                                          .now = engine_now(now, sizeof(now)) };
                r = records_set_exited(db, id, &x, &a->manually_stopped, err);
                break;
        }
        case RECORDER_FAILED:
                r = records_set_failed(db, id, q->restarts > 0, q->exit_code, q->msg, err);
                break;
        case RECORDER_REMOVE: {
                _cleanup_free_ char *cfg = NULL;
                _cleanup_json_ struct json_object *config = NULL;

                r = records_delete_config(db, id, &cfg, err);
                /* after the record is gone, so that the in-use check no longer counts it; best
                 * effort, as `rm -v`. A config without the word has no anonymous volume: it is not
                 * parsed at all. */
                if (r > 0 && cfg && strstr(cfg, "\"Anonymous\"") && json_parse_buf(cfg, strlen(cfg), &config, NULL) >= 0)
                        volume_remove_anonymous_db(db, root, config);
                break;
        }
        default:
                return berr_set(err, EINVAL, "unknown recorder request %u", q->op);
        }
        if (r > 0)
                a->found = true; /* 0: no record, removed meanwhile (`rm -f`): nothing to write */
        return r;
}

static _Noreturn void serve(int fd, const char *db_path, const char *id, const char *root)
{
        _cleanup_(db_closep) struct db *db = NULL;
        struct recorder_req q;
        struct recorder_reply a;
        struct berr *open_err = NULL;

        if (db_open(db_path, &db, &open_err) == 0)
                records_tune(db);
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                struct berr *err = NULL;
                ssize_t n;
                int r;

                r = poll(&p, 1, RECORDER_IDLE_MS);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break; /* idle: the monitor starts another one when it needs one */
                memset(&q, 0, sizeof(q));
                n = recv(fd, &q, sizeof(q), 0);
                if (n < (ssize_t) offsetof(struct recorder_req, msg))
                        break; /* the monitor closed its end */
                q.msg[sizeof(q.msg) - 1] = 0;
                memset(&a, 0, offsetof(struct recorder_reply, msg) + 1);
                if (!db)
                        r = berr_set(&err, EIO, "%s", berr_msg(open_err));
                else
                        r = handle(db, id, root, &q, &a, &err);
                a.r = r < 0 ? r : 0;
                if (r < 0)
                        snprintf(a.msg, sizeof(a.msg), "%s", berr_msg(err));
                berr_free(err);
                if (send(fd, &a, offsetof(struct recorder_reply, msg) + strlen(a.msg) + 1, MSG_NOSIGNAL) < 0)
                        break;
        }
        berr_free(open_err);
        db = db_close(db);
        _exit(0);
}

int recorder_start(struct recorder *rc, const char *db_path, const char *id, const char *root)
{
        int sv[2];
        pid_t pid;

        if (rc->fd >= 0)
                return 0;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(sv[0]);
                close(sv[1]);
                return -e;
        }
        if (pid == 0) {
                /* none of the monitor's sockets, pipes and locks: its clients must see them close
                 * with the monitor, not with us */
                if (dup2(sv[1], 3) < 0)
                        _exit(1);
                (void) close_range(4, ~0U, 0);
                serve(3, db_path, id, root);
        }
        close(sv[1]);
        rc->pid = pid;
        rc->fd = sv[0];
        return 0;
}

void recorder_stop(struct recorder *rc)
{
        rc->fd = safe_close(rc->fd);
        /* it exits on the socket's EOF; wait, so that nothing of the container outlives the monitor
         * (it may have been reaped already with the monitor's other children: ECHILD) */
        if (rc->pid > 0)
                while (waitpid(rc->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        rc->pid = -1;
}

static size_t req_len(const struct recorder_req *req)
{
        return offsetof(struct recorder_req, msg) + strnlen(req->msg, sizeof(req->msg) - 1) + 1;
}

int recorder_send(struct recorder *rc, const char *db_path, const char *id, const char *root,
                  const struct recorder_req *req)
{
        for (int attempt = 0; attempt < 2; attempt++) {
                int r = recorder_start(rc, db_path, id, root);

                if (r < 0)
                        return r;
                if (send(rc->fd, req, req_len(req), MSG_NOSIGNAL) >= 0)
                        return 0;
                recorder_stop(rc); /* it went away on its idle timeout (or died): once more, anew */
        }
        return -EIO;
}

int recorder_receive(struct recorder *rc, struct recorder_reply *reply)
{
        ssize_t n;

        do
                n = recv(rc->fd, reply, sizeof(*reply), 0);
        while (n < 0 && errno == EINTR);
        if (n < (ssize_t) offsetof(struct recorder_reply, msg) + 1)
                return -EPIPE;
        ((char *) reply)[n - 1] = 0; /* within what came: see record() in monitor.c */
        return 0;
}

int recorder_call(struct recorder *rc, const char *db_path, const char *id, const char *root,
                  const struct recorder_req *req, struct recorder_reply *reply)
{
        for (int attempt = 0; attempt < 2; attempt++) {
                int r = recorder_send(rc, db_path, id, root, req);

                if (r < 0) {
                        snprintf(reply->msg, sizeof(reply->msg), "reach the recorder: %s", strerror(-r));
                        return reply->r = r;
                }
                if (recorder_receive(rc, reply) == 0)
                        return reply->r;
                recorder_stop(rc); /* it went away before it answered (idle timeout, or died): once more, anew */
        }
        snprintf(reply->msg, sizeof(reply->msg), "the recorder went away");
        return reply->r = -EIO;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor: one per running container, like conmon. It is a child
 * subreaper and the parent of the container's init; it owns the container's
 * stdio (pipes, or a pty master received over a console socket), writes the
 * json-file log, serves attach clients, forwards signals, records the exit
 * and OOM kills in the database, applies the restart policy, and at the end
 * unmounts the root file system (and removes the container with --rm).
 *
 * It stays small on purpose: one thread, one poll loop over a signalfd and
 * the sockets and pipes, static buffers:
 *   1. on the CLI's start frame, a "creator" child (vfork: it shares our
 *      memory, and frees what it allocates; see run_child) runs
 *      container_create() (or `RUNTIME create`) with the container's stdio on
 *      0/1/2, then container_start() (`RUNTIME start`) and exits; the init is
 *      reparented to us (we are a subreaper) and runs while "running" is
 *      recorded;
 *   2. when the init exits we drain its output, count OOM kills, delete the
 *      runtime state and record the exit.
 * The record is written by a "recorder" child that holds the database
 * connection (recorder.h): forked while the CLI prepares the container (or
 * beside the creator), and gone after a short idle time, so SQLite never
 * grows the monitor itself.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/logs.h"
#include "engine/health.h"
#include "engine/monitor.h"
#include "engine/recorder.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"

#define MONITOR_CLIENTS_MAX 16
#define MONITOR_DRAIN_MS 2000
/* A container still running this long after its start is long-lived enough for the monitor to give
 * back the memory start-up touched; one that ends sooner is cleaned up without the trim's cost. */
#define MONITOR_TRIM_AFTER_MS 100

struct client {
        int fd;
        uint8_t flags;
        bool is_ctl;
};

struct monitor { /* keep the fields before log's buffers within 256 bytes: see monitor_main */
        const struct monitor_opts *o;
        int state_dirfd;
        int sigfd;
        int listen_fd;
        int out_fd, err_fd; /* read ends; with a tty out_fd is the pty master */
        int in_fd;          /* write end of the container's stdin (the master with a tty), -1 */
        pid_t init_pid;
        int exit_code;
        unsigned restarts;
        bool init_exited;
        bool manually_stopped;
        bool started;
        bool running_pending; /* RUNNING sent to the recorder, its reply not taken yet */
        struct client clients[MONITOR_CLIENTS_MAX];
        size_t n_clients;
        struct recorder rec;
        const char *root; /* the store's root: the bundle is <root>/containers/<id> */
        struct jsonlog_writer log;
};
_Static_assert(offsetof(struct monitor, log.partial) <= 256, "the monitor's hot fields outgrew their 256 bytes");

static char iobuf[MONITOR_FRAME_MAX];

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A request's header. Its message is filled only as far as it is used: the rest of the request and
 * reply buffers is never written, so the stack pages under them stay untouched in every monitor. */
static void fill_request(const struct monitor *m, enum recorder_op op, struct recorder_req *q)
{
        q->op = (uint8_t) op;
        q->monitor_pid = (int32_t) getpid();
        q->restarts = (int32_t) m->restarts;
        q->pid = m->init_pid;
        q->exit_code = m->exit_code;
}

static int record_running_finish(struct monitor *m, char *msg, size_t msg_len);

/* One request to the recorder, waiting for its reply; on failure, err says why. */
static int record(struct monitor *m, enum recorder_op op, struct recorder_req *q, struct recorder_reply *a,
                  struct berr **err)
{
        int r;

        if (m->running_pending) /* replies come in order: that one first */
                (void) record_running_finish(m, NULL, 0);
        fill_request(m, op, q);
        r = recorder_call(&m->rec, m->o->db_path, m->o->id, m->root, q, a);
        if (r < 0)
                return berr_set(err, -r, "%s", a->msg);
        return 0;
}

int monitor_send(int fd, char type, const void *payload, size_t len)
{
        struct iovec iov[2] = { { &type, 1 }, { (void *) payload, len } };
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

        if (len > MONITOR_FRAME_MAX - 1)
                return -EMSGSIZE;
        while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
                if (errno != EINTR)
                        return -errno;
        }
        return 0;
}

int monitor_send_int(int fd, char type, int32_t v)
{
        return monitor_send(fd, type, &v, sizeof(v));
}

/* ---- restart policy ---- */

static const char *const restart_names[_MONITOR_RESTART_MAX] = {
        [MONITOR_RESTART_NO] = "no",
        [MONITOR_RESTART_ON_FAILURE] = "on-failure",
        [MONITOR_RESTART_ALWAYS] = "always",
        [MONITOR_RESTART_UNLESS_STOPPED] = "unless-stopped",
};

const char *monitor_restart_to_string(enum monitor_restart p)
{
        return p >= 0 && p < _MONITOR_RESTART_MAX ? restart_names[p] : "no";
}

int monitor_restart_parse(const char *s, enum monitor_restart *ret_policy, unsigned *ret_max, struct berr **err)
{
        const char *colon = strchr(s, ':');
        size_t n = colon ? (size_t) (colon - s) : strlen(s);
        uint32_t max = 0;

        for (int i = 0; i < _MONITOR_RESTART_MAX; i++) {
                if (strlen(restart_names[i]) != n || strncmp(s, restart_names[i], n) != 0)
                        continue;
                if (colon) {
                        if (i != MONITOR_RESTART_ON_FAILURE)
                                return berr_set(err, EINVAL, "invalid restart policy '%s': maximum retry count "
                                                             "cannot be used with restart policy '%s'",
                                                s, restart_names[i]);
                        if (parse_uint32(colon + 1, &max) < 0)
                                return berr_set(err, EINVAL, "invalid restart policy '%s': bad retry count", s);
                }
                *ret_policy = (enum monitor_restart) i;
                *ret_max = max;
                return 0;
        }
        return berr_set(err, EINVAL, "invalid restart policy '%s'", s);
}

unsigned monitor_restart_delay_ms(unsigned n)
{
        unsigned d = 100;

        for (unsigned i = 0; i < n && d < 60000; i++)
                d *= 2;
        return d > 60000 ? 60000 : d;
}

bool monitor_restart_wanted(enum monitor_restart p, unsigned max_retries, unsigned restarts, int code,
                            bool manually_stopped)
{
        if (manually_stopped)
                return false;
        switch (p) {
        case MONITOR_RESTART_ALWAYS:
        case MONITOR_RESTART_UNLESS_STOPPED:
                return true;
        case MONITOR_RESTART_ON_FAILURE:
                return code != 0 && (max_retries == 0 || restarts < max_retries);
        case MONITOR_RESTART_NO:
        case _MONITOR_RESTART_MAX:
        case _MONITOR_RESTART_INVALID:
                break;
        }
        return false;
}

/* ---- helpers run in forked children ---- */

/*
 * Runs fn in a child that shares our memory (vfork: we are suspended until it exits), after
 * meanwhile() when given; the child's error message comes back through a pipe. A forked child
 * would copy our page tables, take a copy-on-write fault on each page it writes and tear its copy
 * down at exit: on the test VM about 2 ms of CPU per start, all of it on the container's way up.
 * What the child allocates comes from our heap and it frees it (fn's callers clean up); the stack
 * pages it touched below ours are given back with the rest by trim_stack. Not inlined: the
 * child's message buffer would grow the frame of monitor_main, whose stack pages every idle
 * monitor keeps.
 */
static __attribute__((noinline)) int run_child(int (*fn)(struct monitor *m, void *arg, struct berr **err),
                                               struct monitor *m, void *arg, void (*meanwhile)(struct monitor *m),
                                               char *msg, size_t msg_len)
{
        int p[2], status = 0;
        pid_t pid;
        ssize_t n;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        if (meanwhile)
                meanwhile(m);
        pid = vfork();
        if (pid == 0) {
                struct berr *err = NULL;
                int r;

                close(p[0]);
                r = fn(m, arg, &err);
                if (r < 0) {
                        char buf[4096];
                        int len = snprintf(buf, sizeof(buf), "%d %s", -r, berr_msg(err));
                        (void) write_all(p[1], buf, (size_t) len < sizeof(buf) ? (size_t) len : sizeof(buf) - 1);
                        berr_free(err);
                        _exit(1);
                }
                _exit(0);
        }
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return -e;
        }
        close(p[1]);
        /* it has exited (vfork); a container init it cloned may hold the pipe until it execs */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        (void) fcntl(p[0], F_SETFL, O_NONBLOCK);
        n = read(p[0], msg, msg_len - 1);
        close(p[0]);
        msg[n > 0 ? n : 0] = 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (n <= 0)
                snprintf(msg, msg_len, "%d helper process failed", EIO);
        return -EIO;
}

static struct runtime_ctx runtime_ctx_of(const struct monitor_opts *o)
{
        return (struct runtime_ctx){ .root = o->runtime_root };
}

static int exec_runtime(const struct monitor_opts *o, const char *const *args, struct berr **err)
{
        const char *argv[16];
        size_t n = 0;

        argv[n++] = o->runtime;
        argv[n++] = "--root";
        argv[n++] = o->runtime_root;
        for (; *args && n < ELEMENTSOF(argv) - 1; args++)
                argv[n++] = *args;
        argv[n] = NULL;
        execv(o->runtime, (char *const *) argv);
        return berr_sys(err, "exec runtime '%s'", o->runtime);
}

/* Runs an external runtime command in a grandchild-free way: fork, exec, wait. */
static int run_runtime(const struct monitor_opts *o, const char *const *args, struct berr **err)
{
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return berr_sys(err, "fork");
        if (pid == 0) {
                (void) exec_runtime(o, args, NULL);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return berr_sys(err, "wait for runtime");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berr_set(err, EIO, "runtime '%s' %s failed (status %d)", o->runtime, args[0],
                                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return 0;
}

struct create_arg {
        int stdio[3];
        const char *console_socket;
};

static int read_pid_file(int dirfd, const char *name, pid_t *ret, struct berr **err)
{
        _cleanup_free_ char *s = NULL;
        int v, r;

        r = read_file_at(dirfd, name, 64, &s, NULL, err);
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = 0;
        if (parse_int(s, &v) < 0 || v <= 0)
                return berr_set(err, EINVAL, "bad pid file '%s'", name);
        *ret = v;
        return 0;
}

/*
 * docker's "none" network still has a loopback that is up. The runtime leaves a new network namespace
 * as the kernel makes it (lo down), so the creator, which is about to exit anyway, joins the created
 * container's namespace and brings lo up. A container sharing the host's namespace is left alone.
 */
static int loopback_up(pid_t pid, struct berr **err)
{
        char path[64];
        struct stat ours, theirs;
        struct ifreq ifr = { 0 };
        _cleanup_close_ int nsfd = -1, sock = -1;

        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
        if (stat("/proc/self/ns/net", &ours) < 0 || stat(path, &theirs) < 0)
                return berr_sys(err, "network namespace of %d", (int) pid);
        if (ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev)
                return 0;
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
                return berr_sys(err, "join the container's network namespace");
        sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return berr_sys(err, "socket");
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
                return berr_sys(err, "loopback flags");
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
                return berr_sys(err, "bring loopback up");
        return 0;
}

static int start_container(struct monitor *m, struct berr **err);

/* Whether the CLI's next frame (the start frame, before the start) is already here. */
static bool ctl_readable(const struct monitor *m)
{
        struct pollfd p = { .fd = m->o->ctl_fd, .events = POLLIN };

        return m->o->ctl_fd >= 0 && poll(&p, 1, 0) > 0;
}

/* Forks the recorder when none runs, so that its connection is open when "running" is written; a
 * failure is reported when a request is sent. */
static void start_recorder(struct monitor *m)
{
        (void) recorder_start(&m->rec, m->o->db_path, m->o->id, m->root);
}

/* In the creator child: the container's stdio onto 0/1/2, then create it (the pid file lands in the
 * state dir, our cwd) and start it. The monitor records it running once we have exited. */
static int creator_main(struct monitor *m, void *argp, struct berr **err)
{
        const struct monitor_opts *o = m->o;
        struct create_arg *a = argp;
        struct runtime_ctx ctx = runtime_ctx_of(o);
        struct create_opts co = { .id = o->id, .bundle = o->bundle, .console_socket = a->console_socket,
                                  .pid_file = "init.pid" };
        pid_t pid;
        int r;

        for (int i = 0; i < 3; i++)
                if (a->stdio[i] >= 0 && dup2(a->stdio[i], i) < 0)
                        return berr_sys(err, "set up stdio");
        if (fchdir(m->state_dirfd) < 0)
                return berr_sys(err, "chdir to state dir");
        if (o->runtime) {
                const char *args[10];
                char pid_file[PATH_MAX];
                size_t n = 0;

                /* absolute: crun resolves a relative pid file against the bundle */
                snprintf(pid_file, sizeof(pid_file), "%s/init.pid", o->state_dir);
                args[n++] = "create";
                args[n++] = "--bundle";
                args[n++] = o->bundle;
                args[n++] = "--pid-file";
                args[n++] = pid_file;
                if (a->console_socket) {
                        args[n++] = "--console-socket";
                        args[n++] = a->console_socket;
                }
                args[n++] = o->id;
                args[n] = NULL;
                r = run_runtime(o, args, err);
        } else {
                r = container_create(&ctx, &co, err);
        }
        if (r < 0)
                return r;
        r = read_pid_file(m->state_dirfd, "init.pid", &pid, err);
        if (r < 0)
                return r;
        r = loopback_up(pid, err);
        if (r < 0)
                return r;
        return start_container(m, err);
}

/* In the creator child, right after the create: one child (one fork, one wait) brings the container
 * up. The init is the creator's child here; it becomes the monitor's when the creator exits. */
static int start_container(struct monitor *m, struct berr **err)
{
        const struct monitor_opts *o = m->o;
        struct runtime_ctx ctx = runtime_ctx_of(o);

        if (o->runtime) {
                const char *args[] = { "start", o->id, NULL };
                return run_runtime(o, args, err);
        }
        return container_start(&ctx, o->id, err);
}

struct exit_arg {
        bool oom;
        bool restarting;
};

/* false when something of the container (cgroup, runtime state) could not be removed */
static bool delete_runtime_state(const struct monitor_opts *o)
{
        struct runtime_ctx ctx = runtime_ctx_of(o);
        struct berr *e = NULL;
        int r;

        if (o->runtime) {
                const char *args[] = { "delete", "--force", o->id, NULL };
                r = run_runtime(o, args, &e);
        } else {
                r = container_delete(&ctx, o->id, true, &e);
        }
        berr_free(e); /* `berth rm` retries what is left */
        return r >= 0;
}

/*
 * The record_* functions are kept out of monitor_main (noinline): their request and reply buffers
 * would otherwise sit in its frame, on stack pages that every idle monitor keeps.
 */
static __attribute__((noinline)) int record_running(struct monitor *m, struct berr **err)
{
        struct recorder_req q;
        struct recorder_reply a;

        q.restarting = q.oom = false;
        q.msg[0] = 0;
        return record(m, RECORDER_RUNNING, &q, &a, err);
}

/*
 * RUNNING in two halves: the request goes now, and its reply is taken when it comes (the loop
 * returns for it) or, for a container that ended first, after the clean-up it ran beside. Only then
 * do the clients hear STARTED: a client that hears it finds the record running.
 */
static __attribute__((noinline)) int record_running_start(struct monitor *m, char *msg, size_t msg_len)
{
        struct recorder_req q;
        int r;

        q.restarting = q.oom = false;
        q.msg[0] = 0;
        fill_request(m, RECORDER_RUNNING, &q);
        r = recorder_send(&m->rec, m->o->db_path, m->o->id, m->root, &q);
        if (r < 0) {
                snprintf(msg, msg_len, "%d record the container running: reach the recorder: %s", EIO, strerror(-r));
                return r;
        }
        m->running_pending = true;
        return 0;
}

/* Takes RUNNING's reply; the clients hear STARTED. On failure msg (when given) says why. */
static __attribute__((noinline)) int record_running_finish(struct monitor *m, char *msg, size_t msg_len)
{
        struct recorder_reply a;
        struct berr *e = NULL;
        int r;

        m->running_pending = false;
        if (recorder_receive(&m->rec, &a) == 0) {
                r = a.r < 0 ? berr_set(&e, -a.r, "%s", a.msg) : 0;
        } else {
                recorder_stop(&m->rec); /* it went away before it answered: a new one, the usual way */
                r = record_running(m, &e);
        }
        if (r < 0) {
                if (msg)
                        snprintf(msg, msg_len, "%d record the container running: %s", EIO, berr_msg(e));
                berr_free(e);
                return r;
        }
        for (size_t i = 0; i < m->n_clients; i++)
                (void) monitor_send(m->clients[i].fd, MONITOR_STARTED, &m->init_pid, sizeof(int32_t));
        return 0;
}

static __attribute__((noinline)) int record_exit(struct monitor *m, const struct exit_arg *ea, struct berr **err)
{
        struct recorder_req q;
        struct recorder_reply a;
        int r;

        q.restarting = ea->restarting;
        q.oom = ea->oom;
        q.msg[0] = 0;
        r = record(m, RECORDER_EXITED, &q, &a, err);

        if (r >= 0 && a.manually_stopped)
                m->manually_stopped = true;
        return r;
}

static __attribute__((noinline)) int record_error(struct monitor *m, const char *msg, struct berr **err)
{
        struct recorder_req q;
        struct recorder_reply a;

        q.restarting = q.oom = false;
        snprintf(q.msg, sizeof(q.msg), "%s", msg);
        return record(m, RECORDER_FAILED, &q, &a, err);
}

/* ---- clients ---- */

static void client_drop(struct monitor *m, size_t i)
{
        safe_close(m->clients[i].fd);
        m->clients[i] = m->clients[--m->n_clients];
}

static void broadcast(struct monitor *m, char type, const void *data, size_t n)
{
        uint8_t want = type == MONITOR_STDOUT ? MONITOR_ATTACH_STDOUT : MONITOR_ATTACH_STDERR;

        for (size_t i = 0; i < m->n_clients;) {
                if ((m->clients[i].flags & want) && monitor_send(m->clients[i].fd, type, data, n) < 0) {
                        client_drop(m, i);
                        continue;
                }
                i++;
        }
}

static void broadcast_all(struct monitor *m, char type, const void *data, size_t n)
{
        for (size_t i = 0; i < m->n_clients; i++)
                (void) monitor_send(m->clients[i].fd, type, data, n); /* a gone client is dropped later */
}

static void set_winsize(struct monitor *m, const uint8_t *p)
{
        struct winsize ws = { 0 };
        uint16_t rows, cols;

        if (!m->o->tty || m->in_fd < 0)
                return;
        memcpy(&rows, p, 2);
        memcpy(&cols, p + 2, 2);
        if (rows == 0 || cols == 0)
                return;
        ws.ws_row = rows;
        ws.ws_col = cols;
        (void) ioctl(m->in_fd, TIOCSWINSZ, &ws); /* the pty may be gone: the container exited */
}

static void send_signal(struct monitor *m, int sig)
{
        if (m->init_pid > 0 && !m->init_exited && sig > 0 && sig < 65)
                (void) kill(m->init_pid, sig); /* our child: the pid cannot be reused before we reap it */
}

static void close_stdin(struct monitor *m)
{
        if (!m->o->tty)
                m->in_fd = safe_close(m->in_fd);
}

/* Handles one frame from client i; returns false when the client is gone. */
static bool client_read(struct monitor *m, size_t i)
{
        struct client *c = &m->clients[i];
        ssize_t n = recv(c->fd, iobuf, sizeof(iobuf), MSG_DONTWAIT);
        int32_t v;

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
        if (n <= 0) {
                if (c->is_ctl && (c->flags & MONITOR_ATTACH_STDIN))
                        close_stdin(m); /* docker run -i: the client's EOF is the container's EOF */
                return false;
        }
        switch (iobuf[0]) {
        case MONITOR_START:
                if (n >= 6) {
                        c->flags = (uint8_t) iobuf[1];
                        set_winsize(m, (const uint8_t *) iobuf + 2);
                }
                m->started = true;
                break;
        case MONITOR_ATTACH:
                if (n >= 2)
                        c->flags = (uint8_t) iobuf[1];
                break;
        case MONITOR_STDIN:
                if (m->in_fd >= 0 && (c->flags & MONITOR_ATTACH_STDIN) && write_all(m->in_fd, iobuf + 1, (size_t) n - 1) < 0)
                        close_stdin(m);
                break;
        case MONITOR_STDIN_CLOSE:
                if (c->flags & MONITOR_ATTACH_STDIN)
                        close_stdin(m);
                break;
        case MONITOR_RESIZE:
                if (n >= 5)
                        set_winsize(m, (const uint8_t *) iobuf + 1);
                break;
        case MONITOR_SIGNAL:
                if (n >= 5) {
                        memcpy(&v, iobuf + 1, 4);
                        send_signal(m, v);
                }
                break;
        case MONITOR_STOP:
                m->manually_stopped = true;
                break;
        default:
                break;
        }
        return true;
}

static void accept_client(struct monitor *m)
{
        int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (fd < 0)
                return;
        if (m->n_clients >= MONITOR_CLIENTS_MAX) {
                close(fd);
                return;
        }
        m->clients[m->n_clients++] = (struct client){ .fd = fd };
}

/* ---- output ---- */

/* Reads what is there; false at EOF (or EIO of a pty whose slave side is closed). */
static bool pump_output(struct monitor *m, int *fdp, enum jsonlog_stream stream)
{
        ssize_t n = read(*fdp, iobuf, sizeof(iobuf) - 1);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return true;
        if (n <= 0) {
                if (*fdp == m->in_fd)
                        m->in_fd = -1;
                *fdp = safe_close(*fdp);
                return false;
        }
        jsonlog_write(&m->log, stream, iobuf, (size_t) n);
        broadcast(m, stream == JSONLOG_STDERR ? MONITOR_STDERR : MONITOR_STDOUT, iobuf, (size_t) n);
        return true;
}

static void reap(struct monitor *m)
{
        struct signalfd_siginfo si;
        int status;
        pid_t pid;

        while (read(m->sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                if (si.ssi_signo != SIGCHLD)
                        send_signal(m, (int) si.ssi_signo); /* SIGTERM/SIGINT/SIGHUP to the monitor: pass on */
        }
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                if (pid != m->init_pid)
                        continue; /* an orphan reparented to us, or an exec'd process */
                m->init_exited = true;
                m->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
}

/*
 * Gives back the stack pages below the current frame: start-up (the dynamic loader, argument
 * parsing) touched more stack than the loop ever uses again, and each container pays for it.
 * Pages below the stack pointer hold nothing live (we take signals through a signalfd, so no
 * handler frame can be there); they come back zero-filled when used again.
 */
static void trim_stack(void)
{
        char here, line[256];
        uintptr_t sp = (uintptr_t) &here, lo = 0, hi = 0, end;
        FILE *f = fopen("/proc/self/maps", "re");

        while (f && fgets(line, sizeof(line), f))
                if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
                        break;
        if (f)
                fclose(f);
        end = (sp & ~(uintptr_t) 4095) - 4096; /* a page of margin: madvise's own frame is below this one */
        if (lo && end > lo && sp < hi)
                (void) madvise((void *) lo, end - lo, MADV_DONTNEED); /* a failure only costs memory */
}

/*
 * The loop: until the init has exited and its output is drained (or until deadline_ms when > 0,
 * for restart delays; or until the CLI sent start when wait_start). With trim, memory that start-up
 * touched is given back once the container has run for MONITOR_TRIM_AFTER_MS.
 */
static void loop(struct monitor *m, int64_t deadline_ms, bool wait_start, bool trim)
{
        int64_t drain_until = 0, trim_at = trim ? now_ms() + MONITOR_TRIM_AFTER_MS : 0;

        for (;;) {
                struct pollfd p[5 + MONITOR_CLIENTS_MAX];
                size_t n = 0, first_client;
                int timeout = -1;

                if (wait_start && (m->started || m->n_clients == 0 || !m->clients[0].is_ctl))
                        return;
                /* with RUNNING's reply still to come the output waits in its pipes: a client must
                 * hear STARTED before any of it (monitor_main drains it once the reply is in) */
                if (!wait_start && deadline_ms == 0 && m->init_exited &&
                    ((m->out_fd < 0 && m->err_fd < 0) || m->running_pending))
                        return;
                if (m->init_exited && deadline_ms == 0 && !wait_start) {
                        if (drain_until == 0)
                                drain_until = now_ms() + MONITOR_DRAIN_MS;
                        timeout = (int) (drain_until - now_ms());
                        if (timeout <= 0)
                                return; /* something outside the container holds the pipes open */
                }
                if (deadline_ms > 0) {
                        timeout = (int) (deadline_ms - now_ms());
                        if (timeout <= 0)
                                return;
                }
                if (trim_at > 0) {
                        int left = (int) (trim_at - now_ms());

                        if (left <= 0) {
                                trim_at = 0;
                                malloc_trim(0);
                                trim_stack();
                                continue;
                        }
                        if (timeout < 0 || left < timeout)
                                timeout = left;
                }
                p[n++] = (struct pollfd){ .fd = m->sigfd, .events = POLLIN };
                p[n++] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
                p[n++] = (struct pollfd){ .fd = m->running_pending ? -1 : m->out_fd, .events = POLLIN };
                p[n++] = (struct pollfd){ .fd = m->running_pending ? -1 : m->err_fd, .events = POLLIN };
                p[n++] = (struct pollfd){ .fd = m->running_pending ? m->rec.fd : -1, .events = POLLIN };
                first_client = n;
                for (size_t i = 0; i < m->n_clients; i++)
                        p[n++] = (struct pollfd){ .fd = m->clients[i].fd, .events = POLLIN };
                if (poll(p, n, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                if (p[0].revents)
                        reap(m);
                if (p[1].revents)
                        accept_client(m);
                if (p[2].revents)
                        (void) pump_output(m, &m->out_fd, JSONLOG_STDOUT);
                if (p[3].revents)
                        (void) pump_output(m, &m->err_fd, JSONLOG_STDERR);
                if (p[4].revents)
                        return; /* RUNNING's reply: monitor_main takes it and comes back */
                /* walk clients backwards: client_drop moves the last one into the hole */
                for (size_t i = n - first_client; i-- > 0;) {
                        if (i >= m->n_clients || !p[first_client + i].revents)
                                continue;
                        if (!client_read(m, i))
                                client_drop(m, i);
                }
        }
}

/* ---- setting up one run of the container ---- */

static int make_console_socket(struct monitor *m, char *path, size_t len, struct berr **err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        (void) unlinkat(m->state_dirfd, "console.sock", 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/console.sock", m->state_dirfd);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berr_sys(err, "console socket");
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
                int r = berr_sys(err, "bind console socket");
                close(fd);
                return r;
        }
        snprintf(path, len, "/proc/%d/fd/%d/console.sock", (int) getpid(), m->state_dirfd);
        return fd;
}

static int recv_master(int listen_fd, struct berr **err)
{
        _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        char data[256];
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } cbuf;
        struct iovec iov = { data, sizeof(data) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
                             .msg_controllen = sizeof(cbuf.buf) };
        struct cmsghdr *cm;
        int fd;

        if (conn < 0)
                return berr_sys(err, "accept console");
        if (recvmsg(conn, &mh, MSG_CMSG_CLOEXEC) < 0)
                return berr_sys(err, "receive pty master");
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
                return berr_set(err, EPROTO, "no pty master received from the console socket");
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        return fd;
}

/* Creates the container with fresh stdio; fills m->init_pid, out/err/in fds. */
static int spawn(struct monitor *m, char *msg, size_t msg_len)
{
        struct create_arg a = { .stdio = { -1, -1, -1 } };
        char console_path[128];
        int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 };
        _cleanup_close_ int console_listen = -1, devnull = -1;
        struct berr *e = NULL;
        int r;

        if (m->o->tty) {
                console_listen = make_console_socket(m, console_path, sizeof(console_path), &e);
                if (console_listen < 0) {
                        snprintf(msg, msg_len, "%d %s", -console_listen, berr_msg(e));
                        berr_free(e);
                        return console_listen;
                }
                a.console_socket = console_path;
        } else {
                if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
                        goto sys_fail;
                a.stdio[1] = out[1];
                a.stdio[2] = errp[1];
        }
        if (!m->o->tty && m->o->open_stdin) {
                if (pipe2(in, O_CLOEXEC) < 0)
                        goto sys_fail;
                a.stdio[0] = in[0];
        } else {
                devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                a.stdio[0] = devnull;
                if (m->o->tty)
                        a.stdio[1] = a.stdio[2] = devnull;
        }
        r = run_child(creator_main, m, &a, start_recorder, msg, msg_len);
        safe_close(out[1]);
        safe_close(errp[1]);
        safe_close(in[0]);
        if (r < 0) {
                /* an external runtime explains itself on stderr, which is the container's */
                if (errp[0] >= 0) {
                        size_t used = strlen(msg);
                        ssize_t n;

                        (void) fcntl(errp[0], F_SETFL, O_NONBLOCK);
                        if (used + 3 < msg_len && (n = read(errp[0], msg + used + 2, msg_len - used - 3)) > 0) {
                                msg[used] = ':';
                                msg[used + 1] = ' ';
                                msg[used + 2 + n] = 0;
                                msg[strcspn(msg, "\n")] = 0;
                        }
                }
                safe_close(out[0]);
                safe_close(errp[0]);
                safe_close(in[1]);
                return r;
        }
        if (read_pid_file(m->state_dirfd, "init.pid", &m->init_pid, &e) < 0) {
                snprintf(msg, msg_len, "%d %s", EIO, berr_msg(e));
                berr_free(e);
                return -EIO;
        }
        (void) unlinkat(m->state_dirfd, "init.pid", 0);
        if (m->o->tty) {
                int master = recv_master(console_listen, &e);
                if (master < 0) {
                        snprintf(msg, msg_len, "%d %s", -master, berr_msg(e));
                        berr_free(e);
                        return master;
                }
                (void) unlinkat(m->state_dirfd, "console.sock", 0);
                m->out_fd = master;
                m->in_fd = master;
                m->err_fd = -1;
        } else {
                m->out_fd = out[0];
                m->err_fd = errp[0];
                m->in_fd = in[1];
        }
        (void) fcntl(m->out_fd, F_SETFL, O_NONBLOCK);
        if (m->err_fd >= 0)
                (void) fcntl(m->err_fd, F_SETFL, O_NONBLOCK);
        m->init_exited = false;
        return 0;
sys_fail:
        snprintf(msg, msg_len, "%d pipe: %s", errno, strerror(errno));
        safe_close(out[0]);
        safe_close(out[1]);
        safe_close(errp[0]);
        safe_close(errp[1]);
        return -EIO;
}

/* Whether the exit's record keeps the OOM count: not with --rm and no restart policy, whose record
 * goes away (unless removing the container fails: then it is counted after all). */
static bool oom_recorded(const struct monitor_opts *o)
{
        return !o->autoremove || o->restart != MONITOR_RESTART_NO;
}

static bool count_oom(const struct monitor_opts *o)
{
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        uint64_t kills = 0;

        if (!o->cgroups_path || cgroup_new(NULL, o->cgroups_path, o->id, &cg, NULL) < 0)
                return false;
        if (cgroup_get_oom_kills(cg, &kills, NULL) < 0)
                return false;
        return kills > 0;
}

static void unmount_rootfs(const char *rootfs)
{
        if (!rootfs)
                return;
        if (umount2(rootfs, UMOUNT_NOFOLLOW) < 0 && errno == EBUSY)
                (void) umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW); /* busy: an exec'd tool's cwd */
}

static void finish_error(struct monitor *m, const char *msg)
{
        char out[4096];
        int32_t code = 0;
        const char *text = msg;
        char *end = NULL;

        code = (int32_t) strtol(msg, &end, 10);
        if (end && *end == ' ')
                text = end + 1;
        else
                code = EIO;
        memcpy(out, &code, 4);
        snprintf(out + 4, sizeof(out) - 4, "%s", text);
        broadcast_all(m, MONITOR_ERROR, out, 4 + strlen(out + 4));
}

static int setup(struct monitor *m, struct berr **err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        sigset_t mask;

        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return berr_sys(err, "become subreaper");
        m->state_dirfd = open(m->o->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m->state_dirfd < 0)
                return berr_sys(err, "open '%s'", m->o->state_dir);
        /* the state directory itself is the lock, held until we exit (a lock file cost an inode
         * created and deleted per run) */
        if (flock(m->state_dirfd, LOCK_EX | LOCK_NB) < 0)
                return berr_sys(err, "lock monitor of '%s'", m->o->id);
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_SETMASK, &mask, NULL); /* exactly these: we start with all blocked (lifecycle.c) */
        signal(SIGPIPE, SIG_IGN);
        m->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (m->sigfd < 0)
                return berr_sys(err, "signalfd");
        (void) unlinkat(m->state_dirfd, "attach", 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach", m->state_dirfd);
        m->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (m->listen_fd < 0 || bind(m->listen_fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ||
            listen(m->listen_fd, 16) < 0)
                return berr_sys(err, "attach socket");
        return jsonlog_open(&m->log, m->o->log_path, m->o->log_max_size, m->o->log_max_file, err);
}

/*
 * --rm: the directory is renamed out of the way (one metadata operation) and the record deleted
 * with the container's anonymous volumes (named ones stay, as docker's --rm does); the slow
 * recursive removal of the renamed directory happens after the exit frame, so `run --rm` returns as
 * soon as the container is gone from the store. Returns the renamed path (static).
 */
static __attribute__((noinline)) const char *autoremove(struct monitor *m)
{
        static char trash[PATH_MAX];
        struct recorder_req q;
        struct recorder_reply a;
        const char *slash = strrchr(m->o->bundle, '/');
        struct berr *e = NULL;
        int n;

        n = snprintf(trash, sizeof(trash), "%.*s/.removing-%s", slash ? (int) (slash - m->o->bundle) : 0,
                     m->o->bundle, m->o->id);
        if (n < 0 || (size_t) n >= sizeof(trash) || rename(m->o->bundle, trash) < 0)
                snprintf(trash, sizeof(trash), "%s", m->o->bundle); /* remove it in place */
        q.restarting = q.oom = false;
        q.msg[0] = 0;
        if (record(m, RECORDER_REMOVE, &q, &a, &e) < 0)
                berr_free(e); /* `ps -a` shows it: `berth rm` removes it */
        return trash;
}

/*
 * References to the container's mount and network namespaces, from its start until the clients have
 * heard of its end: the namespaces then outlive the init. Its exit (and so our SIGCHLD) no longer
 * waits for the kernel to unmount the container's file systems, and the network namespace's
 * clean-up (a kernel worker) no longer competes for the CPUs while we clean up; both happen when
 * we close them. The third pins the runtime's state directory: removed with the container, its
 * inode is freed (and on a file system mounted with discard, its blocks discarded: 0.3-0.7 ms on
 * the test VM) at that last close, not in the runtime's. -1 for one that cannot be had.
 */
#define HELD_MAX 3

static void hold_container(const struct monitor_opts *o, pid_t pid, int fds[HELD_MAX])
{
        static const char *const names[2] = { "mnt", "net" };
        char ns[64];
        char *state = path_join(o->runtime_root, o->id); /* not PATH_MAX on the stack: a page every idle monitor would keep */

        for (int i = 0; i < 2; i++) {
                snprintf(ns, sizeof(ns), "/proc/%d/ns/%s", (int) pid, names[i]);
                fds[i] = open(ns, O_RDONLY | O_CLOEXEC);
        }
        fds[2] = open(state, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        free(state);
}

static void release_container(int fds[HELD_MAX])
{
        for (int i = 0; i < HELD_MAX; i++)
                fds[i] = safe_close(fds[i]);
}

/* The store's root from the bundle, <root>/containers/<id>. */
static char *root_of(const char *bundle)
{
        char *root = xstrdup(bundle), *slash;

        for (int i = 0; i < 2; i++) {
                slash = strrchr(root, '/');
                if (slash)
                        *slash = 0;
        }
        return root;
}

int monitor_main(const struct monitor_opts *o)
{
        /* static, not on the stack: the log writer's line buffers are only paid for once used. The
         * fields before those buffers (248 bytes) are used all the time: aligned to 256 bytes they
         * always share one page, wherever the linker puts m (one layout spread them over two
         * pages: 4 KiB more per container). */
        static struct monitor m __attribute__((aligned(256)));
        char msg[4096];
        const char *trash = NULL;
        _cleanup_free_ char *root = root_of(o->bundle);
        struct berr *e = NULL;
        bool first = true, deleted = true, autoremove_ok = true, cleaned;
        pid_t health_pid;
        int r, running_r, held[HELD_MAX] = { -1, -1, -1 };

        m.o = o;
        m.state_dirfd = m.sigfd = m.listen_fd = m.out_fd = m.err_fd = m.in_fd = -1;
        m.init_pid = -1;
        m.rec = RECORDER_NONE;
        m.root = root;
        if (o->ctl_fd >= 0) {
                (void) fcntl(o->ctl_fd, F_SETFL, O_NONBLOCK);
                m.clients[m.n_clients++] = (struct client){ .fd = o->ctl_fd, .is_ctl = true };
        }
        r = setup(&m, &e);
        if (r < 0) {
                snprintf(msg, sizeof(msg), "%d %s", -r, berr_msg(e));
                finish_error(&m, msg);
                unmount_rootfs(o->rootfs);
                return 1;
        }
        for (;;) {
                struct exit_arg ea = { 0 };

                if (first) {
                        /* the recorder's database opens while the CLI prepares; when the start frame
                         * is here already it comes later (run_child), not in the container's way */
                        if (!ctl_readable(&m))
                                start_recorder(&m);
                        loop(&m, 0, true, false); /* until the CLI says start (or goes away) */
                        first = false;
                        if (!m.started) {
                                /* the CLI went away before its start frame: it failed to prepare the
                                 * container, or was killed. Nothing was created and the record stays
                                 * as it is; what the CLI mounted is unmounted below. */
                                autoremove_ok = false;
                                break;
                        }
                }
                /* create and start in one child; the init runs while we record it running */
                r = spawn(&m, msg, sizeof(msg));
                if (r >= 0) {
                        hold_container(o, m.init_pid, held);
                        r = record_running_start(&m, msg, sizeof(msg));
                }
                if (r < 0) {
                        delete_runtime_state(o); /* kills an init that was created, started or not */
                        m.exit_code = 128;
                        if (record_error(&m, msg, &e) < 0)
                                e = berr_free(e);
                        finish_error(&m, msg);
                        break;
                }
                /* the checker is a process with a database connection: only for a container with a check */
                health_pid = o->healthcheck ? health_start(o->db_path, o->id, o->runtime_root, o->runtime) : -1;
                running_r = 0;
                cleaned = false;
                for (;;) {
                        loop(&m, 0, false, true); /* also returns for RUNNING's reply */
                        if (!m.running_pending)
                                break;
                        if (m.init_exited) {
                                /* it ended before its record said running: clean up beside the
                                 * recorder's write, then STARTED, then the output (the loop again) */
                                ea.oom = oom_recorded(o) && count_oom(o);
                                deleted = delete_runtime_state(o);
                                cleaned = true;
                        }
                        running_r = record_running_finish(&m, msg, sizeof(msg));
                        if (running_r < 0)
                                break; /* the container is killed below */
                }
                health_stop(health_pid);
                if (!m.init_exited) {
                        send_signal(&m, SIGKILL); /* the loop ended early: poll failed, or "running" could not be recorded */
                        while (!m.init_exited && waitpid(m.init_pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        m.init_exited = true;
                }
                jsonlog_flush(&m.log);
                m.out_fd = safe_close(m.out_fd);
                m.err_fd = safe_close(m.err_fd);
                m.in_fd = o->tty ? -1 : safe_close(m.in_fd);
                if (!cleaned) {
                        ea.oom = oom_recorded(o) && count_oom(o);
                        deleted = delete_runtime_state(o);
                }
                if (running_r < 0) {
                        m.exit_code = 128;
                        if (record_error(&m, msg, &e) < 0)
                                e = berr_free(e);
                        finish_error(&m, msg);
                        break;
                }
                ea.restarting = monitor_restart_wanted(o->restart, o->max_retries, m.restarts, m.exit_code,
                                                       m.manually_stopped);
                if (ea.restarting) {
                        /* the record may say stopped (berth stop from a CLI that could not reach us) */
                        if (record_exit(&m, &ea, &e) < 0)
                                e = berr_free(e);
                        ea.restarting = !m.manually_stopped && monitor_restart_wanted(o->restart, o->max_retries,
                                                                                      m.restarts, m.exit_code,
                                                                                      m.manually_stopped);
                }
                if (!ea.restarting) {
                        unmount_rootfs(o->rootfs);
                        /* with --rm the record goes away next, unless kernel state of the container is
                         * left: then the record stays, so that `berth rm` can find and retry it */
                        if (!deleted) {
                                autoremove_ok = false;
                                ea.oom = ea.oom || count_oom(o); /* the record stays after all */
                        }
                        if ((!o->autoremove || !autoremove_ok) && record_exit(&m, &ea, &e) < 0)
                                e = berr_free(e); /* the CLI's refresh marks it exited without us */
                        break;
                }
                release_container(held);
                loop(&m, now_ms() + monitor_restart_delay_ms(m.restarts), false, false);
                m.restarts++;
        }
        unmount_rootfs(o->rootfs); /* done already after a normal exit; needed after a failed start */
        if (o->autoremove && autoremove_ok)
                trash = autoremove(&m);
        jsonlog_close(&m.log);
        /* the state dir goes before the exit frame: a client that hears it may start the container
         * again at once, and its new monitor must not lose the directory to our cleanup */
        (void) unlinkat(m.state_dirfd, "attach", 0);
        (void) unlinkat(m.state_dirfd, "monitor.pid", 0);
        (void) rmdir(o->state_dir);
        broadcast_all(&m, MONITOR_EXIT, &m.exit_code, sizeof(int32_t));
        for (size_t i = 0; i < m.n_clients; i++)
                safe_close(m.clients[i].fd); /* clients see EOF now, not when the removal below ends */
        m.n_clients = 0;
        release_container(held);
        if (trash)
                (void) rm_rf_at(AT_FDCWD, trash, NULL); /* a leftover is swept by the next `ps -a` */
        recorder_stop(&m.rec);
        berr_free(e);
        return 0;
}

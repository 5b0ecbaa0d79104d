/* SPDX-License-Identifier: Apache-2.0 */
/* berth logs: the container's json-file log (rotated files oldest first), --tail, --since, --until, -t, -f. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/logs.h"
#include "engine/monitor.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define LOGS_FOLLOW_POLL_MS 100

struct logs_opts {
        bool timestamps, follow;
        int64_t since, until; /* ns; 0: none */
        long tail;            /* -1: all */
};

static int parse_when(const char *s, int64_t *ret)
{
        struct timespec now;
        int64_t v;
        size_t n = strlen(s);

        if (jsonlog_parse_time(s, ret) == 0)
                return 0;
        if (parse_int64(s, 10, &v) == 0) /* a Unix timestamp */
                return __builtin_mul_overflow(v, 1000000000LL, ret) ? -ERANGE : 0;
        if (n >= 2) {
                _cleanup_free_ char *num = xstrndup(s, n - 1);
                int64_t mult = s[n - 1] == 's' ? 1 : s[n - 1] == 'm' ? 60 : s[n - 1] == 'h' ? 3600 : 0;

                if (mult && parse_int64(num, 10, &v) == 0 && v >= 0) {
                        clock_gettime(CLOCK_REALTIME, &now);
                        if (__builtin_mul_overflow(v, mult, &v) || __builtin_sub_overflow(now.tv_sec, v, &v) ||
                            __builtin_mul_overflow(v, 1000000000LL, &v))
                                return -ERANGE;
                        *ret = v + now.tv_nsec;
                        return 0;
                }
        }
        return -EINVAL;
}

static void print_entry(const struct logs_opts *o, const struct jsonlog_entry *e)
{
        FILE *out = e->stream == JSONLOG_STDERR ? stderr : stdout;

        if (o->since && e->time_ns < o->since)
                return;
        if (o->until && e->time_ns > o->until)
                return;
        if (o->timestamps)
                fprintf(out, "%s ", e->time);
        fwrite(e->log, 1, e->len, out);
        fflush(out);
}

/* Reads complete lines from f; a partial last line is left for the next call. */
static void read_lines(FILE *f, const struct logs_opts *o, struct jsonlog_entry **tailbuf, size_t *n_tail)
{
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;

        for (;;) {
                long pos = ftell(f);
                struct jsonlog_entry e;

                len = getline(&line, &cap, f);
                if (len <= 0)
                        break;
                if (line[len - 1] != '\n') {
                        (void) fseek(f, pos, SEEK_SET); /* half-written entry: read it again later */
                        break;
                }
                if (jsonlog_parse_line(line, (size_t) len, &e, NULL) < 0)
                        continue;
                if (tailbuf && o->tail >= 0) {
                        if (o->tail == 0) {
                                jsonlog_entry_done(&e);
                                continue;
                        }
                        if (*n_tail == (size_t) o->tail) {
                                jsonlog_entry_done(&(*tailbuf)[0]);
                                memmove(*tailbuf, *tailbuf + 1, (*n_tail - 1) * sizeof(**tailbuf));
                                (*n_tail)--;
                        }
                        (*tailbuf)[(*n_tail)++] = e;
                        continue;
                }
                print_entry(o, &e);
                jsonlog_entry_done(&e);
        }
        free(line);
        clearerr(f);
}

static int show_logs(struct engine *e, struct engine_container *c, const struct logs_opts *o, struct berr **err)
{
        _cleanup_free_ char *path = engine_container_log_path(e, c->id);
        _cleanup_free_ struct jsonlog_entry *tailbuf = NULL;
        _cleanup_fclose_ FILE *cur = NULL;
        _cleanup_close_ int attach = -1;
        size_t n_tail = 0;
        struct stat st;

        if (o->tail > 0)
                tailbuf = xcalloc((size_t) o->tail, sizeof(*tailbuf));
        if (o->follow)
                attach = engine_attach_connect(e, c->id, NULL); /* before reading: no exit goes unseen */
        for (int i = 100; i >= 1; i--) {
                _cleanup_free_ char *rot = xasprintf("%s.%d", path, i);
                _cleanup_fclose_ FILE *f = fopen(rot, "re");
                if (f)
                        read_lines(f, o, &tailbuf, &n_tail);
        }
        cur = fopen(path, "re");
        if (cur)
                read_lines(cur, o, &tailbuf, &n_tail);
        for (size_t i = 0; i < n_tail; i++) {
                print_entry(o, &tailbuf[i]);
                jsonlog_entry_done(&tailbuf[i]);
        }
        while (attach >= 0) {
                struct pollfd p = { .fd = attach, .events = POLLIN };
                char buf[MONITOR_FRAME_MAX];
                bool done = false;

                if (poll(&p, 1, LOGS_FOLLOW_POLL_MS) > 0) {
                        ssize_t n = recv(attach, buf, sizeof(buf), MSG_DONTWAIT);
                        if (n == 0 || (n > 0 && buf[0] == MONITOR_EXIT) || (n < 0 && errno != EAGAIN))
                                done = true;
                }
                /* a rotation replaced the file: finish the old one, go on with the new one */
                if (!cur || (stat(path, &st) == 0 && fileno(cur) >= 0 &&
                             ({ struct stat cs; fstat(fileno(cur), &cs) == 0 && cs.st_ino != st.st_ino; }))) {
                        if (cur)
                                read_lines(cur, o, NULL, NULL);
                        if (cur)
                                fclose(cur);
                        cur = fopen(path, "re");
                }
                if (cur)
                        read_lines(cur, o, NULL, NULL);
                if (done)
                        break;
        }
        return 0;
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "follow", no_argument, NULL, 'f' },     { "timestamps", no_argument, NULL, 't' },
                { "tail", required_argument, NULL, 'n' }, { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' }, { "details", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(engine_container_freep) struct engine_container *c = NULL;
        struct logs_opts o = { .tail = -1 };
        struct engine *e;
        int ch, r;

        while ((ch = getopt_long(argc, argv, "+ftn:h", opts, NULL)) != -1) {
                switch (ch) {
                case 'f':
                        o.follow = true;
                        break;
                case 't':
                        o.timestamps = true;
                        break;
                case 'n': {
                        int64_t v;
                        if (streq(optarg, "all"))
                                o.tail = -1;
                        else if (parse_int64(optarg, 10, &v) < 0 || v > 1000000)
                                return cli_usage_error("logs", "invalid argument \"%s\" for \"-n, --tail\" flag", optarg);
                        else
                                o.tail = v < 0 ? -1 : (long) v;
                        break;
                }
                case 's':
                        if (parse_when(optarg, &o.since) < 0)
                                return cli_usage_error("logs", "invalid value for \"since\": %s", optarg);
                        break;
                case 'u':
                        if (parse_when(optarg, &o.until) < 0)
                                return cli_usage_error("logs", "invalid value for \"until\": %s", optarg);
                        break;
                case 'd':
                        break;
                case 'h':
                        puts("Usage:  berth logs [OPTIONS] CONTAINER\n\nFetch the logs of a container\n\nOptions:\n"
                             "  -f, --follow         Follow log output\n"
                             "      --since string   Show logs since timestamp or relative (e.g. 42m)\n"
                             "  -n, --tail string    Number of lines to show from the end of the logs (default \"all\")\n"
                             "  -t, --timestamps     Show timestamps\n"
                             "      --until string   Show logs before a timestamp or relative (e.g. 42m)");
                        return 0;
                default:
                        return cli_usage_error("logs", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind != 1)
                return cli_usage_error("logs", "\"logs\" requires exactly 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        r = engine_container_find(e, argv[optind], &c, &err);
        if (r == 0) {
                fprintf(stderr, "Error response from daemon: No such container: %s\n", argv[optind]);
                return EXIT_FAILED;
        }
        if (r < 0 || show_logs(e, c, &o, &err) < 0)
                return cli_error(err);
        return 0;
}

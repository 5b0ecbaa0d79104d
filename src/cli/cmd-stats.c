/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth stats [--no-stream] [--format] [-a] [CONTAINER...]: docker's table of
 * CPU %, memory, network and block I/O and pids. CPU % needs two samples, so
 * every round takes one sample per container, waits, and takes another; a
 * live table is redrawn in place on a terminal and appended otherwise.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "cli/table.h"
#include "engine/control.h"
#include "engine/engine.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

#define STATS_INTERVAL_US 500000

static const struct fmt_field fields[] = {
        {"ID", "CONTAINER ID"}, {"Container", "CONTAINER"},        {"Name", "NAME"},
        {"CPUPerc", "CPU %"},   {"MemUsage", "MEM USAGE / LIMIT"}, {"MemPerc", "MEM %"},
        {"NetIO", "NET I/O"},   {"BlockIO", "BLOCK I/O"},          {"PIDs", "PIDS"},
        {NULL, NULL},
};
#define DEFAULT_TABLE                                                                                                  \
        "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* docker's units.BytesSize: binary units "1.5MiB". */
static const char *bytes_size(double v, char *buf, size_t len)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        size_t i = 0;

        while (v >= 1024 && i + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                i++;
        }
        snprintf(buf, len, "%.4g%s", v, units[i]);
        return buf;
}

struct row {
        char id[16], cpu[16], mem[64], memp[16], net[64], blk[64], pids[24];
        const char *name;
        const char *full_id;
};

static void fill_row(struct row *r, const struct engine_stats *s, double cpu)
{
        char a[24], b[24];
        uint64_t limit = s->mem_limit, host = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);

        /* unlimited is UINT64_MAX from us, the v1 "max" (2^63 - 4096) from runc: docker shows the host's */
        if (limit == 0 || limit > host)
                limit = host;
        snprintf(r->cpu, sizeof(r->cpu), "%.2f%%", cpu);
        snprintf(r->mem, sizeof(r->mem), "%s / %s", bytes_size((double)s->mem_usage, a, sizeof(a)),
                 bytes_size((double)limit, b, sizeof(b)));
        snprintf(r->memp, sizeof(r->memp), "%.2f%%", limit ? (double)s->mem_usage * 100.0 / (double)limit : 0.0);
        snprintf(r->net, sizeof(r->net), "%s / %s", format_size((double)s->net_rx, a, sizeof(a)),
                 format_size((double)s->net_tx, b, sizeof(b)));
        snprintf(r->blk, sizeof(r->blk), "%s / %s", format_size((double)s->blk_read, a, sizeof(a)),
                 format_size((double)s->blk_write, b, sizeof(b)));
        snprintf(r->pids, sizeof(r->pids), "%llu", (unsigned long long)s->pids);
}

static int collect(struct engine *e, struct engine_container **v, size_t n, struct formatter *fm)
{
        struct engine_stats *s0 = xcalloc(n + 1, sizeof(*s0)), *s1 = xcalloc(n + 1, sizeof(*s1));
        bool *ok = xcalloc(n + 1, sizeof(bool));
        uint64_t t0, t1;

        t0 = now_ns();
        for (size_t i = 0; i < n; i++)
                ok[i] = engine_stats_sample(e, v[i], &s0[i], NULL) == 0;
        usleep(STATS_INTERVAL_US);
        t1 = now_ns();
        for (size_t i = 0; i < n; i++) {
                struct row r = {.name = v[i]->name, .full_id = v[i]->id};
                struct engine_stats z = {0};

                if (ok[i] && engine_stats_sample(e, v[i], &s1[i], NULL) == 0)
                        fill_row(&r, &s1[i], engine_stats_cpu_percent(s0[i].cpu_ns, s1[i].cpu_ns, t0, t1));
                else
                        fill_row(&r, &z, 0.0);
                format_short_id(v[i]->id, r.id);
                const char *vals[] = {r.id, r.name, r.name, r.cpu, r.mem, r.memp, r.net, r.blk, r.pids};
                formatter_add(fm, vals, NULL);
        }
        free(s0);
        free(s1);
        free(ok);
        return 0;
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"no-stream", no_argument, NULL, 's'},    {"all", no_argument, NULL, 'a'},
                {"format", required_argument, NULL, 'F'}, {"no-trunc", no_argument, NULL, 'T'},
                {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
        };
        bool no_stream = false, all = false, tty = isatty(STDOUT_FILENO);
        const char *format = NULL;
        struct engine *e;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
                switch (c) {
                case 's':
                        no_stream = true;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'T':
                        break;
                case 'h':
                        puts("Usage:  berth stats [OPTIONS] [CONTAINER...]\n\n"
                             "Display a live stream of container(s) resource usage statistics\n\nOptions:\n"
                             "  -a, --all             Show all containers (default shows just running)\n"
                             "      --format string   Format output using a custom template\n"
                             "      --no-stream       Disable streaming stats and only pull the first result");
                        return 0;
                default:
                        return cli_usage_error("stats", "unknown flag: %s", argv[optind - 1]);
                }
        }
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        for (;;) {
                _cleanup_(formatter_freep) struct formatter *fm = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                struct engine_container **v = NULL;
                size_t n = 0;

                if (formatter_new(format, DEFAULT_TABLE, fields, &fm, &err) < 0)
                        return cli_error(err);
                if (optind < argc) {
                        for (int i = optind; i < argc; i++) {
                                struct engine_container *ctr = NULL;
                                int r = engine_container_find(e, argv[i], &ctr, NULL);
                                if (r <= 0) {
                                        fprintf(stderr, "Error response from daemon: No such container: %s\n", argv[i]);
                                        engine_containers_free(v, n);
                                        return EXIT_FAILED;
                                }
                                v = xreallocarray(v, n + 1, sizeof(*v));
                                v[n++] = ctr;
                        }
                } else if (engine_container_list(e, all, &v, &n, &err) < 0) {
                        return cli_error(err);
                }
                collect(e, v, n, fm);
                engine_containers_free(v, n);
                if (!no_stream && tty)
                        fputs("\033[2J\033[H", stdout);
                formatter_flush(fm, stdout);
                fflush(stdout);
                if (no_stream)
                        break;
        }
        return status;
}

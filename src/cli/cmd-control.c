/* SPDX-License-Identifier: Apache-2.0 */
/* berth pause, unpause, rename, port, update, top and container prune (engine/control.h). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "engine/control.h"
#include "engine/engine.h"
#include "engine/runopts.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"

#define PS_OUTPUT_MAX (16U << 20)

static int pause_one(struct engine *e, struct engine_container *c, void *data, struct berr **err)
{
        int r = engine_pause(e, c, *(const bool *) data, err);

        return r < 0 ? r : 0;
}

static int pause_common(struct cli *cli, int argc, char **argv, bool pause)
{
        const char *cmd = pause ? "pause" : "unpause";
        struct engine *e;

        if (argc < 2)
                return cli_usage_error(cmd, "\"%s\" requires at least 1 argument.", cmd);
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        return cli_each_container(
                e, argv + 1, argc - 1,
                &(struct cli_each){ .act = pause_one, .data = &pause, .err_prefix = CLI_DAEMON_ERROR });
}

int cmd_pause(struct cli *cli, int argc, char **argv)
{
        return pause_common(cli, argc, argv, true);
}

int cmd_unpause(struct cli *cli, int argc, char **argv)
{
        return pause_common(cli, argc, argv, false);
}

int cmd_rename(struct cli *cli, int argc, char **argv)
{
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct engine *e;

        if (argc != 3)
                return cli_usage_error("rename", "\"rename\" requires exactly 2 arguments.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        if (cli_container_find(e, argv[1], &ctr) != 0)
                return EXIT_FAILED;
        if (engine_container_rename(e, ctr->id, argv[2], &err) < 0) {
                fprintf(stderr, "Error response from daemon: %s\n", berr_msg(err));
                return EXIT_FAILED;
        }
        return 0;
}

int cmd_port(struct cli *cli, int argc, char **argv)
{
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        struct json_object *pb = NULL, *hc = NULL;
        struct engine *e;

        if (argc < 2 || argc > 3)
                return cli_usage_error("port", "\"port\" requires at least 1 and at most 2 arguments.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        if (cli_container_find(e, argv[1], &ctr) != 0)
                return EXIT_FAILED;
        /* HostConfig.PortBindings {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}: filled by the network part */
        if (json_object_object_get_ex(ctr->config, "HostConfig", &hc))
                json_object_object_get_ex(hc, "PortBindings", &pb);
        if (pb && json_object_is_type(pb, json_type_object)) {
                bool found = false;
                json_object_object_foreach(pb, port, binds)
                {
                        _cleanup_free_ char *want = NULL;
                        if (argc == 3) {
                                want = strchr(argv[2], '/') ? xstrdup(argv[2]) : xasprintf("%s/tcp", argv[2]);
                                if (!streq(want, port))
                                        continue;
                        }
                        for (size_t i = 0; binds && i < json_object_array_length(binds); i++) {
                                struct json_object *b = json_object_array_get_idx(binds, i), *ip = NULL, *hp = NULL;
                                const char *ips;
                                json_object_object_get_ex(b, "HostIp", &ip);
                                json_object_object_get_ex(b, "HostPort", &hp);
                                ips = ip && *json_object_get_string(ip) ? json_object_get_string(ip) : "0.0.0.0";
                                if (argc == 3)
                                        printf("%s:%s\n", ips, json_object_get_string(hp));
                                else
                                        printf("%s -> %s:%s\n", port, ips, json_object_get_string(hp));
                                found = true;
                        }
                }
                if (argc == 3 && !found) {
                        fprintf(stderr, "Error: No public port '%s' published for %s\n", argv[2], argv[1]);
                        return EXIT_FAILED;
                }
        } else if (argc == 3) {
                fprintf(stderr, "Error: No public port '%s' published for %s\n", argv[2], argv[1]);
                return EXIT_FAILED;
        }
        return 0;
}

static int update_one(struct engine *e, struct engine_container *c, void *data, struct berr **err)
{
        int r = engine_update(e, c, data, err);

        return r < 0 ? r : 0;
}

int cmd_update(struct cli *cli, int argc, char **argv)
{
        enum { U_SWAP = 1000, U_CPUS, U_CPUSET, U_PIDS, U_RESTART };
        static const struct option opts[] = {
                {"memory", required_argument, NULL, 'm'},
                {"memory-swap", required_argument, NULL, U_SWAP},
                {"cpus", required_argument, NULL, U_CPUS},
                {"cpu-shares", required_argument, NULL, 'c'},
                {"cpuset-cpus", required_argument, NULL, U_CPUSET},
                {"pids-limit", required_argument, NULL, U_PIDS},
                {"restart", required_argument, NULL, U_RESTART},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct engine_update u = {0};
        struct engine *e;
        uint64_t v;
        int c;

        while ((c = getopt_long(argc, argv, "+m:c:h", opts, NULL)) != -1) {
                switch (c) {
                case 'm':
                        if (parse_size(optarg, &v) < 0 || v == 0)
                                return cli_usage_error("update", "invalid argument \"%s\" for \"-m, --memory\"",
                                                       optarg);
                        u.memory = (int64_t)v;
                        break;
                case U_SWAP:
                        if (streq(optarg, "-1"))
                                u.memory_swap = -1;
                        else if (parse_size(optarg, &v) < 0 || v == 0)
                                return cli_usage_error("update", "invalid argument \"%s\" for \"--memory-swap\"",
                                                       optarg);
                        else
                                u.memory_swap = (int64_t)v;
                        break;
                case U_CPUS:
                        if (runopts_parse_cpus(optarg, &u.nano_cpus, &err) < 0)
                                return cli_usage_error("update", "%s", berr_msg(err));
                        break;
                case 'c':
                        if (parse_uint64(optarg, 10, &u.cpu_shares) < 0)
                                return cli_usage_error("update", "invalid argument \"%s\" for \"--cpu-shares\"",
                                                       optarg);
                        break;
                case U_CPUSET:
                        u.cpuset_cpus = optarg;
                        break;
                case U_PIDS:
                        if (parse_int64(optarg, 10, &u.pids_limit) < 0)
                                return cli_usage_error("update", "invalid argument \"%s\" for \"--pids-limit\"",
                                                       optarg);
                        if (u.pids_limit <= 0)
                                u.pids_limit = -1;
                        break;
                case U_RESTART:
                        u.restart = optarg;
                        break;
                case 'h':
                        puts("Usage:  berth update [OPTIONS] CONTAINER [CONTAINER...]\n\n"
                             "Update configuration of one or more containers\n\nOptions:\n"
                             "  -c, --cpu-shares int     CPU shares (relative weight)\n"
                             "      --cpus decimal       Number of CPUs\n"
                             "      --cpuset-cpus string CPUs in which to allow execution (0-3, 0,1)\n"
                             "  -m, --memory bytes       Memory limit\n"
                             "      --memory-swap bytes  Swap limit equal to memory plus swap: -1 to enable unlimited "
                             "swap\n"
                             "      --pids-limit int     Tune container pids limit (set -1 for unlimited)\n"
                             "      --restart string     Restart policy to apply when a container exits");
                        return 0;
                default:
                        return cli_usage_error("update", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error("update", "\"update\" requires at least 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        return cli_each_container(e, argv + optind, argc - optind,
                                  &(struct cli_each){ .act = update_one, .data = &u, .err_prefix = CLI_DAEMON_ERROR });
}

/* "10m", "2h", "30s" or a timestamp in seconds: the cut-off time, seconds since the epoch. */
static int parse_until(const char *s, long long *ret)
{
        int64_t v;
        size_t n = strlen(s);
        long long mult = 0;

        if (parse_int64(s, 10, &v) == 0) {
                *ret = v;
                return 0;
        }
        if (n < 2)
                return -EINVAL;
        switch (s[n - 1]) {
        case 's':
                mult = 1;
                break;
        case 'm':
                mult = 60;
                break;
        case 'h':
                mult = 3600;
                break;
        default:
                return -EINVAL;
        }
        {
                _cleanup_free_ char *num = xstrndup(s, n - 1);
                if (parse_int64(num, 10, &v) < 0)
                        return -EINVAL;
        }
        if (__builtin_mul_overflow(v, mult, &v) || __builtin_sub_overflow((int64_t)time(NULL), v, &v))
                return -ERANGE;
        *ret = v;
        return 0;
}

static long long created_secs(const char *rfc3339)
{
        struct tm tm = {0};

        if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        return (long long)timegm(&tm);
}

int cmd_container_prune(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"force", no_argument, NULL, 'f'},
                {"filter", required_argument, NULL, 'F'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct engine_container **v = NULL;
        long long until = 0;
        bool force = false;
        size_t n = 0;
        struct engine *e;
        int c;

        while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'F':
                        if (!startswith(optarg, "until=") || parse_until(optarg + 6, &until) < 0)
                                return cli_usage_error("container prune", "invalid filter '%s'", optarg);
                        break;
                case 'h':
                        puts("Usage:  berth container prune [OPTIONS]\n\nRemove all stopped containers\n\nOptions:\n"
                             "      --filter filter   Provide filter values (e.g. \"until=<timestamp>\")\n"
                             "  -f, --force           Do not prompt for confirmation");
                        return 0;
                default:
                        return cli_usage_error("container prune", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (!force) {
                char line[16];
                fputs("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ",
                      stdout);
                fflush(stdout);
                if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y'))
                        return 0;
        }
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        if (engine_container_list(e, true, &v, &n, &err) < 0)
                return cli_error(err);
        puts("Deleted Containers:");
        for (size_t i = 0; i < n; i++) {
                _cleanup_(berr_freep) struct berr *x = NULL;

                if (v[i]->state != ENGINE_STATE_EXITED && v[i]->state != ENGINE_STATE_CREATED &&
                    v[i]->state != ENGINE_STATE_DEAD)
                        continue;
                if (until && created_secs(v[i]->created) >= until)
                        continue;
                if (engine_remove(e, v[i], false, &x) == 0)
                        puts(v[i]->id);
        }
        puts("\nTotal reclaimed space: 0B");
        engine_containers_free(v, n);
        return 0;
}

/* Runs ps (procps) with args and returns its output. */
static int run_ps(char **args, char **ret, struct berr **err)
{
        int p[2], status;
        size_t len;
        pid_t pid;
        int r;

        if (pipe2(p, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        pid = fork();
        if (pid < 0)
                return berr_sys(err, "fork");
        if (pid == 0) {
                dup2(p[1], 1);
                execvp("ps", args);
                _exit(127);
        }
        close(p[1]);
        r = read_all(p[0], PS_OUTPUT_MAX, ret, &len, err);
        close(p[0]);
        while (waitpid(pid, &status, 0) < 0)
                ;
        if (r < 0)
                return r;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berr_set(err, EIO, "ps failed (exit status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
}

int cmd_top(struct cli *cli, int argc, char **argv)
{
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(strv_freep) char **args = NULL;
        _cleanup_free_ char *out = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        char *save = NULL, *line;
        int pid_col = -1;
        size_t n = 0;
        struct engine *e;

        if (argc < 2)
                return cli_usage_error("top", "\"top\" requires at least 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        if (cli_container_find(e, argv[1], &ctr) != 0)
                return EXIT_FAILED;
        if (engine_pids(e, ctr, &pids, &n, &err) < 0)
                return cli_error(err);
        strv_push(&args, "ps");
        if (argc > 2)
                for (int i = 2; i < argc; i++)
                        strv_push(&args, argv[i]);
        else
                strv_push(&args, "-ef");
        if (run_ps(args, &out, &err) < 0)
                return cli_error(err);
        /* docker's filter: keep the header and the rows whose PID column is one of the container's */
        for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                _cleanup_(strv_freep) char **f = strv_split(line, " \t");
                if (pid_col < 0) {
                        for (size_t i = 0; f && f[i]; i++)
                                if (streq(f[i], "PID"))
                                        pid_col = (int)i;
                        if (pid_col < 0) {
                                fputs("Error: Couldn't find PID field in ps output\n", stderr);
                                return EXIT_FAILED;
                        }
                        puts(line);
                        continue;
                }
                if ((size_t)pid_col >= strv_length(f))
                        continue;
                for (size_t i = 0; i < n; i++) {
                        int v;
                        if (parse_int(f[pid_col], &v) == 0 && v == pids[i]) {
                                puts(line);
                                break;
                        }
                }
        }
        return 0;
}

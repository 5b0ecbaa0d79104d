/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth run / create / start: docker's flags become the container's Config
 * and HostConfig (engine/runopts.c checks the values), the engine records
 * and starts it, and in the foreground the CLI is an attach client of the
 * monitor: it copies the container's output, feeds its stdin, forwards
 * signals (--sig-proxy) and terminal size changes, and exits with the
 * container's exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/volume.h"
#include "engine/monitor.h"
#include "engine/runopts.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"

struct engine *cli_engine(struct cli *cli)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct store *s;

        if (cli->engine)
                return cli->engine;
        s = cli_store(cli);
        if (!s)
                return NULL;
        if (engine_open(s, cli->runroot, &cli->engine, &err) < 0) {
                cli_error(err);
                return NULL;
        }
        return cli->engine;
}

void cli_release_store(struct cli *cli)
{
        cli->engine = engine_free(cli->engine);
        cli->store = store_close(cli->store);
}

int cli_container_inspect_json(struct cli *cli, const char *what, struct json_object **ret)
{
        _cleanup_(engine_container_freep) struct engine_container *c = NULL;
        struct engine *e = cli_engine(cli);

        if (!e || engine_container_find(e, what, &c, NULL) <= 0)
                return 0;
        *ret = engine_inspect_json(e, c);
        return 1;
}

static const struct option run_options[] = {
        { "detach", no_argument, NULL, 'd' },
        { "interactive", no_argument, NULL, 'i' },
        { "tty", no_argument, NULL, 't' },
        { "rm", no_argument, NULL, OPT_RM },
        { "name", required_argument, NULL, OPT_NAME },
        { "env", required_argument, NULL, 'e' },
        { "env-file", required_argument, NULL, OPT_ENV_FILE },
        { "workdir", required_argument, NULL, 'w' },
        { "user", required_argument, NULL, 'u' },
        { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
        { "hostname", required_argument, NULL, 'h' },
        { "read-only", no_argument, NULL, OPT_READ_ONLY },
        { "memory", required_argument, NULL, 'm' },
        { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
        { "cpus", required_argument, NULL, OPT_CPUS },
        { "cpu-shares", required_argument, NULL, 'c' },
        { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
        { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
        { "ulimit", required_argument, NULL, OPT_ULIMIT },
        { "cap-add", required_argument, NULL, OPT_CAP_ADD },
        { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
        { "privileged", no_argument, NULL, OPT_PRIVILEGED },
        { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
        { "device", required_argument, NULL, OPT_DEVICE },
        { "sysctl", required_argument, NULL, OPT_SYSCTL },
        { "shm-size", required_argument, NULL, OPT_SHM_SIZE },
        { "oom-score-adj", required_argument, NULL, OPT_OOM_SCORE_ADJ },
        { "network", required_argument, NULL, OPT_NETWORK },
        { "net", required_argument, NULL, OPT_NETWORK },
        { "init", no_argument, NULL, OPT_INIT },
        { "restart", required_argument, NULL, OPT_RESTART },
        { "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
        { "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
        { "label", required_argument, NULL, 'l' },
        { "log-opt", required_argument, NULL, OPT_LOG_OPT },
        { "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
        { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
        { "group-add", required_argument, NULL, OPT_GROUP_ADD },
        { "tmpfs", required_argument, NULL, OPT_TMPFS },
        { "volume", required_argument, NULL, 'v' },
        { "mount", required_argument, NULL, OPT_MOUNT },
        { "health-cmd", required_argument, NULL, OPT_HEALTH_CMD },
        { "health-interval", required_argument, NULL, OPT_HEALTH_INTERVAL },
        { "health-retries", required_argument, NULL, OPT_HEALTH_RETRIES },
        { "health-timeout", required_argument, NULL, OPT_HEALTH_TIMEOUT },
        { "health-start-period", required_argument, NULL, OPT_HEALTH_START_PERIOD },
        { "no-healthcheck", no_argument, NULL, OPT_NO_HEALTHCHECK },
        { "runtime", required_argument, NULL, OPT_RUNTIME },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
};

static void run_usage(const char *cmd)
{
        printf("Usage:  berth %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
               "%s\n\nOptions:\n"
               "  -d, --detach                Run container in background and print container ID\n"
               "  -i, --interactive           Keep STDIN open even if not attached\n"
               "  -t, --tty                   Allocate a pseudo-TTY\n"
               "      --rm                    Automatically remove the container when it exits\n"
               "      --name string           Assign a name to the container\n"
               "  -e, --env list              Set environment variables\n"
               "      --env-file list         Read in a file of environment variables\n"
               "  -w, --workdir string        Working directory inside the container\n"
               "  -u, --user string           Username or UID (format: <name|uid>[:<group|gid>])\n"
               "      --entrypoint string     Overwrite the default ENTRYPOINT of the image\n"
               "  -h, --hostname string       Container host name\n"
               "      --read-only             Mount the container's root filesystem as read only\n"
               "  -m, --memory bytes          Memory limit\n"
               "      --memory-swap bytes     Swap limit equal to memory plus swap: '-1' to enable unlimited swap\n"
               "      --cpus decimal          Number of CPUs\n"
               "  -c, --cpu-shares int        CPU shares (relative weight)\n"
               "      --cpuset-cpus string    CPUs in which to allow execution (0-3, 0,1)\n"
               "      --pids-limit int        Tune container pids limit (set -1 for unlimited)\n"
               "      --ulimit ulimit         Ulimit options\n"
               "      --cap-add list          Add Linux capabilities\n"
               "      --cap-drop list         Drop Linux capabilities\n"
               "      --privileged            Give extended privileges to this container\n"
               "      --security-opt list     Security Options (seccomp=FILE|unconfined, no-new-privileges)\n"
               "      --device list           Add a host device to the container\n"
               "      --sysctl map            Sysctl options\n"
               "      --shm-size bytes        Size of /dev/shm\n"
               "      --oom-score-adj int     Tune host's OOM preferences (-1000 to 1000)\n"
               "      --network string        Connect a container to a network (none, host)\n"
               "      --init                  Run an init inside the container that forwards signals and reaps "
               "processes\n"
               "      --restart string        Restart policy to apply when a container exits (default \"no\")\n"
               "      --stop-signal string    Signal to stop the container\n"
               "      --stop-timeout int      Timeout (in seconds) to stop a container\n"
               "  -l, --label list            Set meta data on a container\n"
               "      --log-opt list          Log driver options (max-size, max-file)\n"
               "      --sig-proxy             Proxy received signals to the process (default true)\n"
               "      --group-add list        Add additional groups to join\n"
               "      --tmpfs list            Mount a tmpfs directory\n"
               "  -v, --volume list           Bind mount a volume (HOST:CONTAINER[:ro])\n"
               "      --mount mount           Attach a filesystem mount to the container\n"
               "      --health-cmd string     Command to run to check health\n"
               "      --health-interval duration  Time between running the check (ms|s|m|h) (default 0s)\n"
               "      --health-retries int    Consecutive failures needed to report unhealthy\n"
               "      --health-timeout duration   Maximum time to allow one check to run (ms|s|m|h) (default 0s)\n"
               "      --health-start-period duration  Start period for the container to initialize\n"
               "      --no-healthcheck        Disable any container-specified HEALTHCHECK\n"
               "      --runtime string        Path of an OCI runtime (crun, runc) to use instead of the built-in one\n",
               cmd, streq(cmd, "create") ? "Create a new container" : "Create and run a new container from an image");
}

struct run_cli {
        struct runopts ro;
        bool detach, sig_proxy;
};

static void run_cli_done(struct run_cli *rc)
{
        runopts_done(&rc->ro);
}

static int parse_run(const char *cmd, int argc, char **argv, struct run_cli *rc, struct berr **err)
{
        int c, r = 0;

        rc->sig_proxy = true;
        while ((c = getopt_long(argc, argv, "+dith:e:w:u:m:c:l:v:", run_options, NULL)) != -1) {
                switch (c) {
                case 'd':
                        rc->detach = true;
                        break;
                case OPT_HELP:
                        run_usage(cmd);
                        return 1;
                case OPT_SIG_PROXY:
                        rc->sig_proxy = !optarg || streq(optarg, "true") || streq(optarg, "1");
                        break;
                case '?':
                        return berr_set(err, EINVAL, "unknown flag: %s", argv[optind - 1]);
                default:
                        r = runopts_apply(&rc->ro, c, optarg, err);
                        if (r < 0)
                                return r;
                }
        }
        if (optind >= argc)
                return berr_set(err, EINVAL, "\"%s\" requires at least 1 argument.", cmd);
        rc->ro.image = argv[optind];
        rc->ro.cmd = argv + optind + 1;
        rc->ro.n_cmd = (size_t) (argc - optind - 1);
        return runopts_finish(&rc->ro, rc->detach, err);
}

static void start_opts_for(struct engine_start_opts *so, bool attach, bool with_stdin, bool tty)
{
        struct winsize ws;

        *so = (struct engine_start_opts){ .attach_stdin = attach && with_stdin, .attach_stdout = attach,
                                          .attach_stderr = attach };
        if (tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
                so->rows = ws.ws_row;
                so->cols = ws.ws_col;
        }
}

static int do_run(struct cli *cli, int argc, char **argv, bool start)
{
        const char *cmd = start ? "run" : "create";
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(run_cli_done) struct run_cli rc = { 0 };
        _cleanup_(engine_container_freep) struct engine_container *c = NULL;
        struct engine_create_opts co = { 0 };
        struct engine_start_opts so;
        struct engine *e;
        int r, fd, code;

        r = parse_run(cmd, argc, argv, &rc, &err);
        if (r > 0)
                return 0;
        if (r < 0) {
                fprintf(stderr, "berth: %s\nSee 'berth %s --help'.\n", berr_msg(err), cmd);
                return EXIT_USAGE;
        }
        e = cli_engine(cli);
        if (!e)
                return EXIT_USAGE;
        co.image = rc.ro.image;
        co.name = rc.ro.name;
        co.config = runopts_to_config(&rc.ro);
        r = engine_create(e, &co, &c, &err);
        if (co.config)
                json_object_put(co.config);
        if (r < 0) {
                fprintf(stderr, "berth: Error: %s\n", berr_msg(err));
                return EXIT_USAGE;
        }
        if (!start) {
                puts(c->id);
                return 0;
        }
        start_opts_for(&so, !rc.detach, rc.ro.interactive, rc.ro.tty);
        fd = engine_start(e, c, &so, &err);
        if (fd < 0) {
                code = engine_start_error_exit_code(err);
                fprintf(stderr, "berth: Error: %s\n", berr_msg(err));
                if (rc.ro.autoremove) {
                        _cleanup_(berr_freep) struct berr *e2 = NULL;
                        if (engine_remove(e, c, true, &e2) < 0)
                                fprintf(stderr, "berth: Error: %s\n", berr_msg(e2));
                        else
                                engine_volumes_remove_anonymous(e, c);
                }
                return code;
        }
        if (rc.detach) {
                close(fd);
                puts(c->id);
                return 0;
        }
        fflush(stdout);
        /* not needed while the container runs: closed now, not on the way out (0.4 ms) */
        cli_release_store(cli);
        code = cli_attach_loop(fd, rc.ro.interactive, rc.ro.tty, rc.sig_proxy, NULL);
        close(fd);
        /* docker's --rm takes them too; in-use ones stay */
        if (rc.ro.autoremove && code >= 0 && volume_config_has_anonymous(c->config) && (e = cli_engine(cli)))
                engine_volumes_remove_anonymous(e, c);
        if (code < 0) {
                /* the monitor went away without an exit frame: the record knows (or refresh repairs it) */
                e = cli_engine(cli);
                if (!e)
                        return EXIT_USAGE; /* cli_engine said why */
                if (engine_wait(e, c, &code, &err) < 0) {
                        fprintf(stderr, "berth: Error: %s\n", berr_msg(err));
                        return EXIT_USAGE;
                }
        }
        return code;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
        return do_run(cli, argc, argv, true);
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
        return do_run(cli, argc, argv, false);
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "attach", no_argument, NULL, 'a' },
                { "interactive", no_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        bool attach = false, interactive = false;
        struct engine *e;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "+aih", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        attach = true;
                        break;
                case 'i':
                        interactive = true;
                        break;
                case 'h':
                        puts("Usage:  berth start [OPTIONS] CONTAINER [CONTAINER...]\n\nStart one or more stopped "
                             "containers\n\nOptions:\n  -a, --attach        Attach STDOUT/STDERR and forward signals\n"
                             "  -i, --interactive   Attach container's STDIN");
                        return 0;
                default:
                        return cli_usage_error("start", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error("start", "\"start\" requires at least 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        for (int i = optind; i < argc; i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;
                _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
                struct engine_start_opts so;
                bool tty;
                int fd, r = engine_container_find(e, argv[i], &ctr, &err);

                if (r == 0) {
                        fprintf(stderr, "Error: No such container: %s\n", argv[i]);
                        status = EXIT_FAILED;
                        continue;
                }
                if (r < 0) {
                        status = cli_error(err);
                        continue;
                }
                tty = json_object_get_boolean(json_object_object_get(json_object_object_get(ctr->config, "Config"),
                                                                     "Tty"));
                start_opts_for(&so, attach, interactive, tty);
                fd = engine_start(e, ctr, &so, &err);
                if (fd == -EALREADY) {
                        if (!attach)
                                puts(argv[i]);
                        continue;
                }
                if (fd < 0) {
                        status = cli_error(err);
                        continue;
                }
                if (attach) {
                        int code;
                        fflush(stdout);
                        code = cli_attach_loop(fd, interactive, tty, true, NULL);
                        close(fd);
                        if (code < 0 && engine_wait(e, ctr, &code, &err) < 0)
                                return cli_error(err);
                        return code;
                }
                close(fd);
                puts(argv[i]);
        }
        return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth stop / restart: the stop signal (the image's STOPSIGNAL by default), then SIGKILL after -t seconds. */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

struct stop_opts {
        int sig, timeout;
        bool restart;
};

static int stop_one(struct engine *e, struct engine_container *c, void *data, struct berr **err)
{
        const struct stop_opts *o = data;
        int r = engine_stop(e, c, o->sig, o->timeout, err);

        if (r >= 0 && o->restart) {
                r = engine_start(e, c, NULL, err);
                if (r >= 0)
                        close(r);
        }
        return r < 0 ? r : 0;
}

static int stop_or_restart(struct cli *cli, int argc, char **argv, bool restart)
{
        static const struct option opts[] = {
                { "time", required_argument, NULL, 't' }, { "timeout", required_argument, NULL, 't' },
                { "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *cmd = restart ? "restart" : "stop";
        struct stop_opts o = { .timeout = -1, .restart = restart };
        struct engine *e;
        int c;

        while ((c = getopt_long(argc, argv, "+t:s:h", opts, NULL)) != -1) {
                switch (c) {
                case 't':
                        if (parse_int(optarg, &o.timeout) < 0)
                                return cli_usage_error(cmd, "invalid argument \"%s\" for \"-t, --time\" flag", optarg);
                        break;
                case 's':
                        if (parse_signal(optarg, &o.sig) < 0)
                                return cli_usage_error(cmd, "invalid signal: %s", optarg);
                        break;
                case 'h':
                        printf("Usage:  berth %s [OPTIONS] CONTAINER [CONTAINER...]\n\n%s one or more containers\n\n"
                               "Options:\n  -s, --signal string   Signal to send to the container\n"
                               "  -t, --time int        Seconds to wait before killing the container\n",
                               cmd, restart ? "Restart" : "Stop");
                        return 0;
                default:
                        return cli_usage_error(cmd, "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error(cmd, "\"%s\" requires at least 1 argument.", cmd);
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        return cli_each_container(e, argv + optind, argc - optind,
                                  &(struct cli_each){ .act = stop_one, .data = &o, .err_prefix = "Error" });
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
        return stop_or_restart(cli, argc, argv, false);
}

int cmd_restart(struct cli *cli, int argc, char **argv)
{
        return stop_or_restart(cli, argc, argv, true);
}

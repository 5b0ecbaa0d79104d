/* SPDX-License-Identifier: Apache-2.0 */
/* berth kill [-s SIGNAL]: a signal (SIGKILL by default) to the container's init, through its monitor. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

static int kill_one(struct engine *e, struct engine_container *c, void *data, struct berr **err)
{
        int r = engine_kill(e, c, *(const int *) data, err);

        return r < 0 ? r : 0;
}

int cmd_kill(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
        };
        int c, sig = SIGKILL;
        struct engine *e;

        while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
                switch (c) {
                case 's':
                        if (parse_signal(optarg, &sig) < 0)
                                return cli_usage_error("kill", "invalid signal: %s", optarg);
                        break;
                case 'h':
                        puts("Usage:  berth kill [OPTIONS] CONTAINER [CONTAINER...]\n\nKill one or more running "
                             "containers\n\nOptions:\n  -s, --signal string   Signal to send to the container");
                        return 0;
                default:
                        return cli_usage_error("kill", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error("kill", "\"kill\" requires at least 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        return cli_each_container(e, argv + optind, argc - optind,
                                  &(struct cli_each){ .act = kill_one, .data = &sig, .err_prefix = "Error" });
}

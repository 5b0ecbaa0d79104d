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

int cmd_kill(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
        };
        int c, sig = SIGKILL, status = 0;
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
        for (int i = optind; i < argc; i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;
                _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
                int r = engine_container_find(e, argv[i], &ctr, &err);

                if (r == 0) {
                        fprintf(stderr, "Error response from daemon: No such container: %s\n", argv[i]);
                        status = EXIT_FAILED;
                        continue;
                }
                if (r >= 0)
                        r = engine_kill(e, ctr, sig, &err);
                if (r < 0) {
                        status = cli_error(err);
                        continue;
                }
                puts(argv[i]);
        }
        return status;
}

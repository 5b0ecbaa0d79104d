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

static int stop_or_restart(struct cli *cli, int argc, char **argv, bool restart)
{
        static const struct option opts[] = {
                { "time", required_argument, NULL, 't' }, { "timeout", required_argument, NULL, 't' },
                { "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *cmd = restart ? "restart" : "stop";
        int c, timeout = -1, sig = 0, status = 0;
        struct engine *e;

        while ((c = getopt_long(argc, argv, "+t:s:h", opts, NULL)) != -1) {
                switch (c) {
                case 't':
                        if (parse_int(optarg, &timeout) < 0)
                                return cli_usage_error(cmd, "invalid argument \"%s\" for \"-t, --time\" flag", optarg);
                        break;
                case 's':
                        if (parse_signal(optarg, &sig) < 0)
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
                        r = engine_stop(e, ctr, sig, timeout, &err);
                if (r >= 0 && restart) {
                        int fd = engine_start(e, ctr, NULL, &err);
                        if (fd >= 0)
                                close(fd);
                        r = fd;
                }
                if (r < 0) {
                        status = cli_error(err);
                        continue;
                }
                puts(argv[i]);
        }
        return status;
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
        return stop_or_restart(cli, argc, argv, false);
}

int cmd_restart(struct cli *cli, int argc, char **argv)
{
        return stop_or_restart(cli, argc, argv, true);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth rm [-f]: removes containers (their record, directory, mounts and runtime state). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_rm(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "force", no_argument, NULL, 'f' }, { "volumes", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },  { NULL, 0, NULL, 0 },
        };
        bool force = false;
        int c, status = 0;
        struct engine *e;

        while ((c = getopt_long(argc, argv, "+fvh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'v':
                        break; /* anonymous volumes do not exist yet: nothing to remove */
                case 'h':
                        puts("Usage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers\n\n"
                             "Options:\n  -f, --force     Force the removal of a running container (uses SIGKILL)\n"
                             "  -v, --volumes   Remove anonymous volumes associated with the container");
                        return 0;
                default:
                        return cli_usage_error("rm", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return cli_usage_error("rm", "\"rm\" requires at least 1 argument.");
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
                        r = engine_remove(e, ctr, force, &err);
                if (r < 0) {
                        fprintf(stderr, "Error response from daemon: %s\n", berr_msg(err));
                        status = EXIT_FAILED;
                        continue;
                }
                puts(argv[i]);
        }
        return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth wait: blocks until each container stops and prints its exit code. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_wait(struct cli *cli, int argc, char **argv)
{
        struct engine *e;
        int status = 0;

        if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
                puts("Usage:  berth wait CONTAINER [CONTAINER...]\n\nBlock until one or more containers stop, then "
                     "print their exit codes");
                return 0;
        }
        if (argc < 2)
                return cli_usage_error("wait", "\"wait\" requires at least 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        for (int i = 1; i < argc; i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;
                _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
                int code = 0, r = engine_container_find(e, argv[i], &ctr, &err);

                if (r == 0) {
                        fprintf(stderr, "Error response from daemon: No such container: %s\n", argv[i]);
                        status = EXIT_FAILED;
                        continue;
                }
                if (r >= 0)
                        r = engine_wait(e, ctr, &code, &err);
                if (r < 0) {
                        status = cli_error(err);
                        continue;
                }
                printf("%d\n", code);
                fflush(stdout);
        }
        return status;
}

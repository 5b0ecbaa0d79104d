/* SPDX-License-Identifier: Apache-2.0 */
/* berth wait: blocks until each container stops and prints its exit code. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

static int wait_one(struct engine *e, struct engine_container *c, void *data, struct berr **err)
{
        int code = 0, r = engine_wait(e, c, &code, err);

        (void) data;
        if (r < 0)
                return r;
        printf("%d\n", code);
        fflush(stdout);
        return 1;
}

int cmd_wait(struct cli *cli, int argc, char **argv)
{
        struct engine *e;

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
        return cli_each_container(e, argv + 1, argc - 1,
                                  &(struct cli_each){ .act = wait_one, .err_prefix = "Error" });
}

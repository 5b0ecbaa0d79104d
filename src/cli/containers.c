/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the container commands share: finding a named container with docker's
 * messages, and the loop of the commands that act on each named container
 * (kill, rm, stop, restart, pause, unpause, update, wait).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "lib/cleanup.h"
#include "lib/error.h"

static int find_or_report(struct engine *e, const char *what, const char *err_prefix,
                          struct engine_container **ret)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        int r = engine_container_find(e, what, ret, &err);

        if (r < 0) {
                fprintf(stderr, "%s: %s\n", err_prefix, berr_msg(err));
                return EXIT_FAILED;
        }
        if (r == 0) {
                fprintf(stderr, "Error response from daemon: No such container: %s\n", what);
                return EXIT_FAILED;
        }
        return 0;
}

int cli_container_find(struct engine *e, const char *what, struct engine_container **ret)
{
        return find_or_report(e, what, CLI_DAEMON_ERROR, ret);
}

int cli_each_container(struct engine *e, char *const *names, int n, const struct cli_each *each)
{
        int status = 0;

        for (; n > 0; names++, n--) {
                _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
                _cleanup_(berr_freep) struct berr *err = NULL;
                int r;

                if (find_or_report(e, *names, each->err_prefix, &ctr) != 0) {
                        status = EXIT_FAILED;
                        continue;
                }
                r = each->act(e, ctr, each->data, &err);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", each->err_prefix, berr_msg(err));
                        status = EXIT_FAILED;
                        continue;
                }
                if (r == 0)
                        puts(*names);
        }
        return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth cp [-a] [-L] CONTAINER:SRC DEST|- and SRC|- CONTAINER:DEST (engine/fsops.h does the copying). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/fsops.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

/* "name:path" names a container unless it starts with '/' or '.' (docker's rule for local paths). */
static char *split_container(const char *arg, const char **ret_path)
{
        const char *colon = strchr(arg, ':');

        if (!colon || arg[0] == '/' || arg[0] == '.' || colon == arg)
                return NULL;
        *ret_path = colon + 1;
        return xstrndup(arg, (size_t)(colon - arg));
}

int cmd_cp(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"archive", no_argument, NULL, 'a'},
                {"follow-link", no_argument, NULL, 'L'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *from = NULL, *to = NULL;
        struct engine_cp_opts o = {0};
        const char *fpath = NULL, *tpath = NULL;
        struct engine *e;
        int c, r;

        while ((c = getopt_long(argc, argv, "+aLqh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        o.archive = true;
                        break;
                case 'L':
                        o.follow_link = true;
                        break;
                case 'q':
                        break;
                case 'h':
                        puts("Usage:  berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                             "\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\n"
                             "Copy files/folders between a container and the local filesystem\n\nOptions:\n"
                             "  -a, --archive       Archive mode (copy all uid/gid information)\n"
                             "  -L, --follow-link   Always follow symbol link in SRC_PATH");
                        return 0;
                default:
                        return cli_usage_error("cp", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind != 2)
                return cli_usage_error("cp", "\"cp\" requires exactly 2 arguments.");
        from = split_container(argv[optind], &fpath);
        to = split_container(argv[optind + 1], &tpath);
        if ((from && to) || (!from && !to))
                return cli_usage_error("cp", "copying between containers is not supported; one of the paths must "
                                             "name a container (CONTAINER:PATH)");
        if ((from && !*fpath) || (to && !*tpath))
                return cli_usage_error("cp", "the container path must not be empty");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        r = engine_container_find(e, from ? from : to, &ctr, &err);
        if (r < 0)
                return cli_error(err);
        if (r == 0) {
                fprintf(stderr, "Error response from daemon: No such container: %s\n", from ? from : to);
                return EXIT_FAILED;
        }
        if (from)
                r = engine_cp_from(e, ctr, fpath, argv[optind + 1], STDOUT_FILENO, &o, &err);
        else
                r = engine_cp_to(e, ctr, argv[optind], tpath, STDIN_FILENO, &o, &err);
        if (r < 0)
                return cli_error(err);
        return 0;
}

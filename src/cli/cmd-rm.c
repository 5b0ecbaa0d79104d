/* SPDX-License-Identifier: Apache-2.0 */
/* berth rm [-f]: removes containers (their record, directory, mounts and runtime state). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/volume.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

struct rm_opts {
        bool force, volumes;
};

static int rm_one(struct engine *e, struct engine_container *c, void *data, struct berr **err)
{
        const struct rm_opts *o = data;
        int r = engine_remove(e, c, o->force, err);

        if (r < 0)
                return r;
        if (o->volumes)
                engine_volumes_remove_anonymous(e, c);
        return 0;
}

int cmd_rm(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "force", no_argument, NULL, 'f' }, { "volumes", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },  { NULL, 0, NULL, 0 },
        };
        struct rm_opts o = { 0 };
        struct engine *e;
        int c;

        while ((c = getopt_long(argc, argv, "+fvh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        o.force = true;
                        break;
                case 'v':
                        o.volumes = true;
                        break;
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
        return cli_each_container(e, argv + optind, argc - optind,
                                  &(struct cli_each){ .act = rm_one, .data = &o, .err_prefix = CLI_DAEMON_ERROR });
}

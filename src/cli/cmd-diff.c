/* SPDX-License-Identifier: Apache-2.0 */
/* berth diff, export and commit: a container's file system changes (engine/fsops.h). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/fsops.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_diff(struct cli *cli, int argc, char **argv)
{
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct engine *e;
        int r;

        if (argc == 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                puts("Usage:  berth diff CONTAINER\n\nInspect changes to files or directories on a container's "
                     "filesystem");
                return 0;
        }
        if (argc != 2)
                return cli_usage_error("diff", "\"diff\" requires exactly 1 argument.");
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        r = cli_container_find(e, argv[1], &ctr);
        if (r != 0)
                return r;
        if (engine_diff(e, ctr, stdout, &err) < 0)
                return cli_error(err);
        return 0;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_close_ int fd = -1;
        const char *output = NULL;
        struct engine *e;
        int c, r;

        while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        puts("Usage:  berth export [OPTIONS] CONTAINER\n\nExport a container's filesystem as a tar "
                             "archive\n\nOptions:\n  -o, --output string   Write to a file, instead of STDOUT");
                        return 0;
                default:
                        return cli_usage_error("export", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind != 1)
                return cli_usage_error("export", "\"export\" requires exactly 1 argument.");
        if (!output && isatty(STDOUT_FILENO)) {
                fputs("Error: cowardly refusing to save to a terminal. Use the -o flag or redirect\n", stderr);
                return EXIT_FAILED;
        }
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        r = cli_container_find(e, argv[optind], &ctr);
        if (r != 0)
                return r;
        if (output) {
                fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0) {
                        berr_sys(&err, "open '%s'", output);
                        return cli_error(err);
                }
        }
        if (engine_export(e, ctr, fd >= 0 ? fd : STDOUT_FILENO, &err) < 0) {
                if (output)
                        (void)unlink(output);
                return cli_error(err);
        }
        return 0;
}

int cmd_commit(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"author", required_argument, NULL, 'a'},  {"change", required_argument, NULL, 'c'},
                {"message", required_argument, NULL, 'm'}, {"pause", optional_argument, NULL, 'p'},
                {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
        };
        _cleanup_(engine_container_freep) struct engine_container *ctr = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(strv_freep) char **changes = NULL;
        _cleanup_free_ char *id = NULL, *tag = NULL;
        struct engine_commit_opts o = {.pause = true};
        struct engine *e;
        int c, r;

        while ((c = getopt_long(argc, argv, "+a:c:m:ph", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        o.author = optarg;
                        break;
                case 'c':
                        strv_push(&changes, optarg);
                        break;
                case 'm':
                        o.message = optarg;
                        break;
                case 'p':
                        o.pause = !optarg || streq(optarg, "true");
                        break;
                case 'h':
                        puts("Usage:  berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\n"
                             "Create a new image from a container's changes\n\nOptions:\n"
                             "  -a, --author string    Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")\n"
                             "  -c, --change list      Apply Dockerfile instruction to the created image\n"
                             "  -m, --message string   Commit message\n"
                             "  -p, --pause            Pause container during commit (default true)");
                        return 0;
                default:
                        return cli_usage_error("commit", "unknown flag: %s", argv[optind - 1]);
                }
        }
        if (argc - optind < 1 || argc - optind > 2)
                return cli_usage_error("commit", "\"commit\" requires at least 1 and at most 2 arguments.");
        if (argc - optind == 2) {
                _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
                if (image_ref_parse(argv[optind + 1], &ref, &err) < 0)
                        return cli_error(err);
                if (ref->digest)
                        return fprintf(stderr, "Error: refusing to create a tag with a digest reference\n"),
                               EXIT_FAILED;
                tag = image_ref_name_tag(ref);
                o.tag = tag;
        }
        o.changes = changes;
        e = cli_engine(cli);
        if (!e)
                return EXIT_FAILED;
        r = cli_container_find(e, argv[optind], &ctr);
        if (r != 0)
                return r;
        if (engine_commit(e, ctr, &o, &id, &err) < 0)
                return cli_error(err);
        puts(id);
        return 0;
}

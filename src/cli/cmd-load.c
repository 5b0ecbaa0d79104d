/* SPDX-License-Identifier: Apache-2.0 */
/* berth load [-i FILE] [-q]: docker-archive or OCI archive/layout, from a file, a directory or stdin. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "image/archive.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

static void on_file(void *userdata, const char *name, uint64_t done, uint64_t total)
{
        progress_update(userdata, "Loading layer", done, total);
}

int cmd_load(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"input", required_argument, NULL, 'i'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {"platform", required_argument, NULL, 'P'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_close_ int fd = -1;
        struct image_load_result res = {0};
        const char *input = NULL;
        struct progress bar;
        struct image_progress prog = {.file = on_file, .userdata = &bar};
        bool quiet = false;
        struct store *s;
        int c, r;

        while ((c = getopt_long(argc, argv, "i:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'P':
                        break; /* the host's platform is selected */
                case 'h':
                        puts("Usage:  berth load [OPTIONS]\n\nLoad an image from a tar archive or STDIN\n\nOptions:\n"
                             "  -i, --input string   Read from tar archive file (or an OCI layout directory), instead "
                             "of STDIN\n"
                             "  -q, --quiet          Suppress the load output");
                        return 0;
                default:
                        return cli_usage_error("load", "invalid option");
                }
        }
        if (optind < argc)
                return cli_usage_error("load", "\"load\" accepts no arguments.");
        if (input && !streq(input, "-")) {
                fd = open(input, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        berr_sys(&err, "open '%s'", input);
                        return cli_error(err);
                }
        } else {
                if (isatty(0)) {
                        fprintf(stderr, "Error: requested load from stdin, but stdin is empty\n");
                        return EXIT_FAILED;
                }
                fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
        }
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        /* On a terminal, progress goes where docker puts it: stdout. */
        progress_init(&bar, stdout, quiet);
        r = image_load(s, fd, &prog, &res, &err);
        progress_done(&bar);
        if (r < 0) {
                berr_wrap(&err, "load");
                return cli_error(err);
        }
        for (size_t i = 0; res.lines && res.lines[i]; i++)
                puts(res.lines[i]);
        image_load_result_clear(&res);
        return 0;
}

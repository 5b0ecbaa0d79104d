/* SPDX-License-Identifier: Apache-2.0 */
/* berth save [-o FILE] IMAGE...: a docker-archive (docker 25+ layout) of the images. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "image/archive.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_save(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"output", required_argument, NULL, 'o'},
                {"help", no_argument, NULL, 'h'},
                {"platform", required_argument, NULL, 'P'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(strv_freep) char **ids = NULL;
        _cleanup_free_ char ***tags = NULL;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        const char *output = NULL;
        size_t n = 0;
        struct store *s;
        int c, r;

        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'P':
                        break;
                case 'h':
                        puts("Usage:  berth save [OPTIONS] IMAGE [IMAGE...]\n\n"
                             "Save one or more images to a tar archive (streamed to STDOUT by default)\n\nOptions:\n"
                             "  -o, --output string   Write to a file, instead of STDOUT");
                        return 0;
                default:
                        return cli_usage_error("save", "invalid option");
                }
        }
        if (optind >= argc)
                return cli_usage_error("save", "\"save\" requires at least 1 argument.");
        if (!output && isatty(1)) {
                fprintf(stderr, "Error: cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
                return EXIT_FAILED;
        }
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        tags = xcalloc((size_t)(argc - optind) + 1, sizeof(char **));
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *id = NULL, *tag = NULL;
                size_t k;

                r = image_resolve(s, argv[i], &id, &tag, &err);
                if (r == 0) {
                        fprintf(stderr, "Error: No such image: %s\n", argv[i]);
                        r = EXIT_FAILED;
                        goto out;
                }
                if (r < 0) {
                        r = cli_error(err);
                        goto out;
                }
                /* One archive entry per image, with every tag named on the command line. */
                for (k = 0; k < n && !streq(ids[k], id); k++)
                        ;
                if (k == n) {
                        strv_push(&ids, id);
                        n++;
                }
                if (tag && !strv_contains(tags[k], tag))
                        strv_push(&tags[k], tag);
        }
        if (output) {
                tmp = xasprintf("%s.berth-tmp", output);
                fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0) {
                        berr_sys(&err, "open '%s'", tmp);
                        r = cli_error(err);
                        goto out;
                }
        } else
                fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
        r = image_save(s, ids, tags, fd, &err);
        if (r >= 0 && output && (fsync(fd) < 0 || rename(tmp, output) < 0))
                r = berr_sys(&err, "write '%s'", output);
        if (r < 0) {
                if (tmp)
                        (void)unlink(tmp); /* nothing half-written stays behind */
                r = cli_error(err);
                goto out;
        }
        r = 0;
out:
        for (size_t k = 0; tags && k <= n; k++)
                strv_free(tags[k]);
        return r;
}

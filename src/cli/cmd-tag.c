/* SPDX-License-Identifier: Apache-2.0 */
/* berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "image/image.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_tag(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(image_ref_freep) struct image_ref *target = NULL;
        _cleanup_free_ char *id = NULL, *tag = NULL;
        struct store *s;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                if (c == 'h') {
                        puts("Usage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
                             "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
                        return 0;
                }
                return cli_usage_error("tag", "invalid option");
        }
        if (argc - optind != 2)
                return cli_usage_error("tag", "\"tag\" requires exactly 2 arguments.");
        if (image_ref_parse(argv[optind + 1], &target, &err) < 0)
                return cli_error(err);
        if (target->digest)
                return fprintf(stderr, "Error: refusing to create a tag with a digest reference\n"), EXIT_FAILED;
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        r = image_resolve(s, argv[optind], &id, NULL, &err);
        if (r == 0)
                return fprintf(stderr, "Error: No such image: %s\n", argv[optind]), EXIT_FAILED;
        tag = image_ref_name_tag(target);
        if (r < 0 || image_tag(s, id, tag, &err) < 0)
                return cli_error(err);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth rmi / berth image rm: docker's "Untagged:" and "Deleted:" lines, and its conflicts. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "image/image.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_rmi(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"force", no_argument, NULL, 'f'},
                {"no-prune", no_argument, NULL, 'n'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        bool force = false;
        struct store *s;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'n':
                        break; /* no parent images to keep */
                case 'h':
                        puts("Usage:  berth rmi [OPTIONS] IMAGE [IMAGE...]\n\nRemove one or more images\n\nOptions:\n"
                             "  -f, --force      Force removal of the image\n"
                             "      --no-prune   Do not delete untagged parents");
                        return 0;
                default:
                        return cli_usage_error("rmi", "invalid option");
                }
        }
        if (optind >= argc)
                return cli_usage_error("rmi", "\"rmi\" requires at least 1 argument.");
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        for (int i = optind; i < argc; i++) {
                _cleanup_(berr_freep) struct berr *err = NULL;
                _cleanup_free_ char *id = NULL, *tag = NULL;
                struct image_remove_result res = {0};
                int r = image_resolve(s, argv[i], &id, &tag, &err);

                if (r == 0) {
                        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
                        _cleanup_free_ char *shown = NULL;
                        if (image_ref_parse(argv[i], &ref, NULL) >= 0)
                                shown = image_ref_familiar_string(ref);
                        fprintf(stderr, "Error: No such image: %s\n", shown ? shown : argv[i]);
                        status = EXIT_FAILED;
                        continue;
                }
                if (r > 0)
                        r = image_remove(s, id, tag, force, &res, &err);
                if (r < 0) {
                        status = cli_error(err);
                        image_remove_result_clear(&res);
                        continue;
                }
                for (size_t k = 0; res.untagged && res.untagged[k]; k++) {
                        _cleanup_free_ char *fam = image_ref_familiarize(res.untagged[k]);
                        printf("Untagged: %s\n", fam);
                }
                for (size_t k = 0; res.deleted && res.deleted[k]; k++)
                        printf("Deleted: %s\n", res.deleted[k]);
                image_remove_result_clear(&res);
        }
        return status;
}

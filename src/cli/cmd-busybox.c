/* SPDX-License-Identifier: Apache-2.0 */
/* berth busybox-image [--busybox PATH] [NAME]: the offline base image (default busybox:latest). */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "image/image.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_busybox_image(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"busybox", required_argument, NULL, 'b'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
        _cleanup_free_ char *id = NULL, *tag = NULL, *fam = NULL;
        const char *path = BUSYBOX_DEFAULT_PATH;
        bool quiet = false;
        struct store *s;
        int c;

        while ((c = getopt_long(argc, argv, "b:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'b':
                        path = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        puts("Usage:  berth busybox-image [OPTIONS] [NAME[:TAG]]\n\n"
                             "Create an image (default busybox:latest) from the host's static busybox\n\nOptions:\n"
                             "      --busybox PATH   The static busybox binary (default " BUSYBOX_DEFAULT_PATH ")\n"
                             "  -q, --quiet          Print only the image ID");
                        return 0;
                default:
                        return cli_usage_error("busybox-image", "invalid option");
                }
        }
        if (argc - optind > 1)
                return cli_usage_error("busybox-image", "\"busybox-image\" requires at most 1 argument.");
        if (image_ref_parse(optind < argc ? argv[optind] : "busybox:latest", &ref, &err) < 0)
                return cli_error(err);
        if (ref->digest)
                return fprintf(stderr, "Error: refusing to create a tag with a digest reference\n"), EXIT_FAILED;
        tag = image_ref_name_tag(ref);
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        if (busybox_image_create(s, path, tag, &id, &err) < 0) {
                berr_wrap(&err, "busybox image");
                return cli_error(err);
        }
        fam = image_ref_familiar_string(ref);
        if (quiet)
                puts(id);
        else
                printf("Loaded image: %s\n%s\n", fam, id);
        return 0;
}

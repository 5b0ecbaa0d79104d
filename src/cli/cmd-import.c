/* SPDX-License-Identifier: Apache-2.0 */
/* berth import [-c CHANGE]... [-m MSG] file|- [REPOSITORY[:TAG]] */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "image/image.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

int cmd_import(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"change", required_argument, NULL, 'c'},
                {"message", required_argument, NULL, 'm'},
                {"platform", required_argument, NULL, 'P'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(strv_freep) char **changes = NULL, **tags = NULL;
        _cleanup_free_ char *id = NULL;
        _cleanup_close_ int fd = -1;
        struct image_import_opts o = {0};
        const char *message = NULL, *src;
        struct store *s;
        int c;

        while ((c = getopt_long(argc, argv, "c:m:h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        strv_push(&changes, optarg);
                        break;
                case 'm':
                        message = optarg;
                        break;
                case 'P':
                        break;
                case 'h':
                        puts("Usage:  berth import [OPTIONS] file|- [REPOSITORY[:TAG]]\n\n"
                             "Import the contents from a tarball to create a filesystem image\n\nOptions:\n"
                             "  -c, --change list      Apply Dockerfile instruction to the created image\n"
                             "  -m, --message string   Set commit message for imported image");
                        return 0;
                default:
                        return cli_usage_error("import", "invalid option");
                }
        }
        if (argc - optind < 1 || argc - optind > 2)
                return cli_usage_error("import", "\"import\" requires at least 1 and at most 2 arguments.");
        src = argv[optind];
        if (optind + 1 < argc) {
                _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
                if (image_ref_parse(argv[optind + 1], &ref, &err) < 0)
                        return cli_error(err);
                if (ref->digest)
                        return fprintf(stderr, "Error: refusing to create a tag with a digest reference\n"),
                               EXIT_FAILED;
                strv_push_take(&tags, image_ref_name_tag(ref));
        }
        if (streq(src, "-"))
                fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
        else {
                fd = open(src, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        berr_sys(&err, "open '%s'", src);
                        return cli_error(err);
                }
        }
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        o.changes = changes;
        o.message = message;
        o.source = src;
        o.tags = tags;
        if (image_import(s, fd, &o, &id, &err) < 0) {
                berr_wrap(&err, "import '%s'", src);
                return cli_error(err);
        }
        puts(id);
        return 0;
}

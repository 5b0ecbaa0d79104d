/* SPDX-License-Identifier: Apache-2.0 */
/* berth image prune [-a] [-f] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "image/image.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

static bool confirm(const char *warning)
{
        char line[16];

        fprintf(stdout, "%s\nAre you sure you want to continue? [y/N] ", warning);
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

int cmd_image_prune(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"all", no_argument, NULL, 'a'},
                {"force", no_argument, NULL, 'f'},
                {"filter", required_argument, NULL, 'F'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct image_remove_result res = {0};
        bool all = false, force = false;
        uint64_t reclaimed = 0;
        char size[32];
        struct store *s;
        int c;

        while ((c = getopt_long(argc, argv, "afh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'F':
                        return cli_usage_error("image prune", "--filter is not supported yet");
                case 'h':
                        puts("Usage:  berth image prune [OPTIONS]\n\nRemove unused images\n\nOptions:\n"
                             "  -a, --all     Remove all unused images, not just dangling ones\n"
                             "  -f, --force   Do not prompt for confirmation");
                        return 0;
                default:
                        return cli_usage_error("image prune", "invalid option");
                }
        }
        if (optind < argc)
                return cli_usage_error("image prune", "\"image prune\" accepts no arguments.");
        if (!force &&
            !confirm(all ? "WARNING! This will remove all images without at least one container associated to them."
                         : "WARNING! This will remove all dangling images."))
                return 0;
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        if (image_prune(s, all, &res, &reclaimed, &err) < 0)
                return cli_error(err);
        if (res.untagged || res.deleted) {
                puts("Deleted Images:");
                for (size_t k = 0; res.untagged && res.untagged[k]; k++) {
                        _cleanup_free_ char *fam = image_ref_familiarize(res.untagged[k]);
                        printf("untagged: %s\n", fam);
                }
                for (size_t k = 0; res.deleted && res.deleted[k]; k++)
                        printf("deleted: %s\n", res.deleted[k]);
                puts("");
        }
        printf("Total reclaimed space: %s\n", format_size((double)reclaimed, size, sizeof(size)));
        image_remove_result_clear(&res);
        return 0;
}

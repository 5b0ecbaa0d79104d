/* SPDX-License-Identifier: Apache-2.0 */
/* berth system df [-v] [--format], and the "berth system" group. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "cli/table.h"
#include "image/image.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

enum { D_TYPE, D_TOTAL, D_ACTIVE, D_SIZE, D_RECLAIMABLE, _D_MAX };

static const struct fmt_field fields[] = {
        [D_TYPE] = {"Type", "TYPE"},
        [D_TOTAL] = {"TotalCount", "TOTAL"},
        [D_ACTIVE] = {"Active", "ACTIVE"},
        [D_SIZE] = {"Size", "SIZE"},
        [D_RECLAIMABLE] = {"Reclaimable", "RECLAIMABLE"},
        [_D_MAX] = {NULL, NULL},
};

static void verbose_images(struct store *s, struct image_info *v, size_t n)
{
        struct table *t = table_new();

        puts("Images space usage:\n");
        table_add_line(t, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS");
        for (size_t i = 0; i < n; i++) {
                uint64_t shared = 0, unique = 0;
                char id[16], since[64], size[32], sh[32], un[32];

                (void)image_layer_usage(s, v[i].id, &shared, &unique, NULL); /* zeros on failure */
                /* One row per tag, as docker prints it; "<none>" for an untagged image. */
                for (size_t k = 0; k == 0 || v[i].tags[k]; k++) {
                        _cleanup_free_ char *repo = NULL, *tag = NULL, *line = NULL;

                        if (v[i].tags[k]) {
                                _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
                                if (image_ref_parse(v[i].tags[k], &ref, NULL) >= 0) {
                                        repo = image_ref_familiar_name(ref);
                                        tag = xstrdup(ref->tag);
                                }
                        }
                        line = xasprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%zu", repo ? repo : "<none>",
                                         tag ? tag : "<none>", format_short_id(v[i].id, id),
                                         format_since(v[i].created_secs, since, sizeof(since)),
                                         format_size((double)v[i].size, size, sizeof(size)),
                                         format_size((double)shared, sh, sizeof(sh)),
                                         format_size((double)unique, un, sizeof(un)), v[i].n_holders);
                        table_add_line(t, line);
                        if (!v[i].tags[k])
                                break;
                }
        }
        table_flush(t, stdout);
        table_free(t);
        puts("\nContainers space usage:\n\nCONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   "
             "STATUS    NAMES\n"
             "\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n"
             "\nBuild cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED");
}

int cmd_system_df(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"verbose", no_argument, NULL, 'v'},
                {"format", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(formatter_freep) struct formatter *f = NULL;
        struct image_info *v = NULL;
        const char *format = NULL;
        bool verbose = false;
        uint64_t total = 0, reclaim = 0;
        size_t n = 0, active = 0;
        struct store *s;
        int c;

        while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
                switch (c) {
                case 'v':
                        verbose = true;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        puts("Usage:  berth system df [OPTIONS]\n\nShow berth disk usage\n\nOptions:\n"
                             "      --format string   Format output using a custom template\n"
                             "  -v, --verbose         Show detailed information on space usage");
                        return 0;
                default:
                        return cli_usage_error("system df", "invalid option");
                }
        }
        if (formatter_new(format, "table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}\\t{{.Size}}\\t{{.Reclaimable}}",
                          fields, &f, &err) < 0)
                return cli_error(err);
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        if (image_list(s, &v, &n, &err) < 0)
                return cli_error(err);
        if (verbose) {
                verbose_images(s, v, n);
                image_infos_free(v, n);
                return 0;
        }
        /* Shared layers count once in the total. */
        for (size_t i = 0; i < n; i++) {
                uint64_t shared = 0, unique = 0;
                (void)image_layer_usage(s, v[i].id, &shared, &unique, NULL);
                total += unique;
                if (v[i].n_holders > 0)
                        active++;
                else
                        reclaim += unique;
        }
        total += image_shared_layers_size(s);
        {
                char tc[32], ac[32], sz[32], rc[32], rcp[64];
                const char *row[_D_MAX];

                snprintf(tc, sizeof(tc), "%zu", n);
                snprintf(ac, sizeof(ac), "%zu", active);
                format_size((double)reclaim, rc, sizeof(rc));
                snprintf(rcp, sizeof(rcp), "%s (%d%%)", rc, total ? (int)(reclaim * 100 / total) : 0);
                row[D_TYPE] = "Images";
                row[D_TOTAL] = tc;
                row[D_ACTIVE] = ac;
                row[D_SIZE] = format_size((double)total, sz, sizeof(sz));
                row[D_RECLAIMABLE] = rcp;
                formatter_add(f, row, NULL);
                const char *zero[_D_MAX] = {"Containers", "0", "0", "0B", "0B"};
                formatter_add(f, zero, NULL);
                zero[D_TYPE] = "Local Volumes";
                formatter_add(f, zero, NULL);
                zero[D_TYPE] = "Build Cache";
                formatter_add(f, zero, NULL);
        }
        formatter_flush(f, stdout);
        image_infos_free(v, n);
        return 0;
}

int cmd_system(struct cli *cli, int argc, char **argv)
{
        static const struct cli_command sub[] = {
                {"df", cmd_system_df, "Show berth disk usage"},
                {NULL, NULL, NULL},
        };

        return cli_dispatch(cli, "system", sub, argc - 1, argv + 1);
}

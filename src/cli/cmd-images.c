/* SPDX-License-Identifier: Apache-2.0 */
/* berth images / berth image ls, and the "berth image" command group. */
#include <fnmatch.h>
#include <getopt.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/format.h"
#include "cli/table.h"
#include "image/config.h"
#include "image/image.h"
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

enum {
        F_REPOSITORY,
        F_TAG,
        F_DIGEST,
        F_ID,
        F_CREATED_SINCE,
        F_CREATED_AT,
        F_SIZE,
        F_CONTAINERS,
        F_SHARED,
        F_UNIQUE,
        F_VIRTUAL,
        _F_MAX
};

static const struct fmt_field fields[] = {
        [F_REPOSITORY] = {"Repository", "REPOSITORY"},
        [F_TAG] = {"Tag", "TAG"},
        [F_DIGEST] = {"Digest", "DIGEST"},
        [F_ID] = {"ID", "IMAGE ID"},
        [F_CREATED_SINCE] = {"CreatedSince", "CREATED"},
        [F_CREATED_AT] = {"CreatedAt", "CREATED AT"},
        [F_SIZE] = {"Size", "SIZE"},
        [F_CONTAINERS] = {"Containers", "CONTAINERS"},
        [F_SHARED] = {"SharedSize", "SHARED SIZE"},
        [F_UNIQUE] = {"UniqueSize", "UNIQUE SIZE"},
        [F_VIRTUAL] = {"VirtualSize", "SIZE"},
        [_F_MAX] = {NULL, NULL},
};

static void help(void)
{
        puts("Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
             "List images\n\n"
             "Options:\n"
             "  -a, --all             Show all images (default hides intermediate images)\n"
             "      --digests         Show digests\n"
             "  -f, --filter filter   Filter output (dangling=, label=, before=, since=, reference=)\n"
             "      --format string   Format output using a custom template:\n"
             "                        'table':            Print output in table format with column headers (default)\n"
             "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
             "                        'json':             Print in JSON format\n"
             "                        'TEMPLATE':         Print output using the given Go template\n"
             "      --no-trunc        Don't truncate output\n"
             "  -q, --quiet           Only show image IDs");
}

/* Splits a normalised "name:tag" into familiar repository and tag. */
static void split_tag(const char *full, char **repo, char **tag)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;

        if (image_ref_parse(full, &ref, NULL) < 0 || !ref->tag) {
                *repo = xstrdup(full);
                *tag = xstrdup("<none>");
                return;
        }
        *repo = image_ref_familiar_name(ref);
        *tag = xstrdup(ref->tag);
}

/* The filter argument: a repository, with or without tag. */
static bool matches(const char *filter, const char *repo, const char *tag)
{
        _cleanup_(image_ref_freep) struct image_ref *want = NULL, *have = NULL;
        _cleanup_free_ char *hn = NULL, *wn = NULL, *fulltag = NULL;

        if (!filter)
                return true;
        if (image_ref_parse_normalized(filter, &want, NULL) < 0 || streq(tag, "<none>"))
                return false;
        fulltag = xasprintf("%s:%s", repo, tag);
        if (image_ref_parse(fulltag, &have, NULL) < 0)
                return false;
        wn = image_ref_name(want);
        hn = image_ref_name(have);
        return streq(wn, hn) && (!want->tag || streq(want->tag, have->tag));
}

/* docker's image filters: dangling=, label=KEY[=VALUE], before=IMAGE, since=IMAGE (per image) and
 * reference=PATTERN (per tag). */
struct filters {
        int dangling; /* -1: any */
        char **labels;
        int64_t before, since; /* created_secs bounds, 0: none */
        char **references;
};

static int parse_filter(struct store *s, const char *f, struct filters *flt, struct berr **err)
{
        const char *v;

        if ((v = startswith(f, "dangling="))) {
                if (!streq(v, "true") && !streq(v, "false"))
                        return berr_set(err, EINVAL, "invalid filter 'dangling=%s'", v);
                flt->dangling = streq(v, "true");
        } else if ((v = startswith(f, "label=")))
                strv_push(&flt->labels, v);
        else if ((v = startswith(f, "reference=")))
                strv_push(&flt->references, v);
        else if ((v = startswith(f, "before=")) || (v = startswith(f, "since="))) {
                _cleanup_free_ char *id = NULL;
                _cleanup_(image_info_freep) struct image_info *im = NULL;
                int r = image_resolve(s, v, &id, NULL, err);

                if (r == 0)
                        return berr_set(err, ENOENT, "No such image: %s", v);
                if (r < 0 || image_get(s, id, &im, err) <= 0)
                        return r < 0 ? r : -ENOENT;
                if (f[0] == 'b')
                        flt->before = im->created_secs;
                else
                        flt->since = im->created_secs;
        } else
                return berr_set(err, EINVAL, "invalid filter '%s'", f);
        return 0;
}

static bool labels_match(struct store *s, const char *id, char **labels)
{
        _cleanup_(image_config_freep) struct image_config *cfg = NULL;
        struct json_object *lab = NULL, *v = NULL;

        if (!labels)
                return true;
        if (image_read_config(s, id, &cfg, NULL, NULL, NULL) < 0 || !cfg->config ||
            !json_object_object_get_ex(cfg->config, "Labels", &lab) || !json_object_is_type(lab, json_type_object))
                return false;
        for (size_t i = 0; labels[i]; i++) {
                _cleanup_free_ char *key = xstrdup(labels[i]);
                char *eq = strchr(key, '=');

                if (eq)
                        *eq++ = 0;
                if (!json_object_object_get_ex(lab, key, &v))
                        return false;
                if (eq && !streq_ptr(json_object_get_string(v), eq))
                        return false;
        }
        return true;
}

static bool reference_match(char **patterns, const char *repo, const char *tag)
{
        _cleanup_free_ char *full = xasprintf("%s:%s", repo, tag);

        for (size_t i = 0; patterns && patterns[i]; i++)
                if (fnmatch(patterns[i], strchr(patterns[i], ':') ? full : repo, 0) == 0)
                        return true;
        return !patterns;
}

static void add_row(struct formatter *f, const struct image_info *im, const char *repo, const char *tag, bool no_trunc)
{
        char id[16], since[64], at[64], size[32];
        const char *v[_F_MAX] = {0};

        v[F_REPOSITORY] = repo;
        v[F_TAG] = tag;
        v[F_DIGEST] = "<none>";
        v[F_ID] = no_trunc ? im->id : format_short_id(im->id, id);
        v[F_CREATED_SINCE] = format_since(im->created_secs, since, sizeof(since));
        v[F_CREATED_AT] = format_time_utc(im->created_secs, at, sizeof(at));
        v[F_SIZE] = v[F_VIRTUAL] = format_size((double)im->size, size, sizeof(size));
        v[F_CONTAINERS] = "N/A";
        v[F_SHARED] = v[F_UNIQUE] = "N/A";
        formatter_add(f, v, NULL);
}

int cmd_images(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"all", no_argument, NULL, 'a'},          {"digests", no_argument, NULL, 'd'},
                {"format", required_argument, NULL, 'f'}, {"no-trunc", no_argument, NULL, 'n'},
                {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
                {"filter", required_argument, NULL, 'F'}, {NULL, 0, NULL, 0},
        };
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(formatter_freep) struct formatter *f = NULL;
        struct image_info *v = NULL;
        _cleanup_(strv_freep) char **filter_args = NULL;
        struct filters flt = {.dangling = -1};
        const char *format = NULL;
        bool quiet = false, digests = false, no_trunc = false;
        struct store *s;
        size_t n = 0;
        int c;

        while ((c = getopt_long(argc, argv, "aqhf:", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        break; /* no intermediate images exist: -a shows the same */
                case 'd':
                        digests = true;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'n':
                        no_trunc = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'F':
                        strv_push(&filter_args, optarg);
                        break;
                case 'h':
                        help();
                        return 0;
                default:
                        return cli_usage_error("images", "invalid option");
                }
        }
        if (argc - optind > 1)
                return cli_usage_error("images", "\"images\" requires at most 1 argument.");
        if (quiet && !format)
                format = "{{.ID}}";
        if (formatter_new(
                    format,
                    digests ? "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}"
                            : "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}",
                    fields, &f, &err) < 0)
                return cli_error(err);
        s = cli_store(cli);
        if (!s)
                return EXIT_FAILED;
        for (size_t i = 0; filter_args && filter_args[i]; i++)
                if (parse_filter(s, filter_args[i], &flt, &err) < 0) {
                        strv_free(flt.labels);
                        strv_free(flt.references);
                        return cli_error(err);
                }
        if (image_list(s, &v, &n, &err) < 0)
                return cli_error(err);
        for (size_t i = 0; i < n; i++) {
                bool dangling = !v[i].tags[0];

                if ((flt.dangling >= 0 && flt.dangling != dangling) ||
                    (flt.before && v[i].created_secs >= flt.before) || (flt.since && v[i].created_secs <= flt.since) ||
                    !labels_match(s, v[i].id, flt.labels))
                        continue;
                if (dangling) {
                        if (optind >= argc && !flt.references)
                                add_row(f, &v[i], "<none>", "<none>", no_trunc);
                        continue;
                }
                for (size_t k = 0; v[i].tags[k]; k++) {
                        _cleanup_free_ char *repo = NULL, *tag = NULL;

                        split_tag(v[i].tags[k], &repo, &tag);
                        if ((optind < argc && !matches(argv[optind], repo, tag)) ||
                            !reference_match(flt.references, repo, tag))
                                continue;
                        add_row(f, &v[i], repo, tag, no_trunc);
                }
        }
        formatter_flush(f, stdout);
        image_infos_free(v, n);
        strv_free(flt.labels);
        strv_free(flt.references);
        return 0;
}

static int cmd_image_ls(struct cli *cli, int argc, char **argv)
{
        return cmd_images(cli, argc, argv);
}

int cmd_image(struct cli *cli, int argc, char **argv)
{
        static const struct cli_command sub[] = {
                {"history", cmd_history, "Show the history of an image"},
                {"import", cmd_import, "Import the contents from a tarball to create a filesystem image"},
                {"inspect", cmd_image_inspect, "Display detailed information on one or more images"},
                {"list", cmd_image_ls, "List images"},
                {"load", cmd_load, "Load an image from a tar archive or STDIN"},
                {"ls", cmd_image_ls, "List images"},
                {"prune", cmd_image_prune, "Remove unused images"},
                {"rm", cmd_rmi, "Remove one or more images"},
                {"save", cmd_save, "Save one or more images to a tar archive"},
                {"tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
                {NULL, NULL, NULL},
        };

        return cli_dispatch(cli, "image", sub, argc - 1, argv + 1);
}

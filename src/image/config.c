/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image configuration documents: bounded parsing and checking of the fields
 * Berth relies on (rootfs.diff_ids above all, since they name the layers), a
 * typed look at the container defaults so a hostile config fails here rather
 * than in the engine, and the chain IDs that key unpacked layers.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "image/config.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

struct image_config *image_config_free(struct image_config *c)
{
        if (!c)
                return NULL;
        json_object_put(c->root);
        strv_free(c->diff_ids);
        for (size_t i = 0; i < c->n_history; i++) {
                free(c->history[i].created);
                free(c->history[i].created_by);
                free(c->history[i].author);
                free(c->history[i].comment);
        }
        free(c->history);
        free(c);
        return NULL;
}

/* The container defaults: each known field must have the type docker gives it. */
static int check_container_config(struct json_object *cfg, struct berr **err)
{
        static const char *const strvs[] = {"Env", "Cmd", "Entrypoint", "OnBuild", "Shell"};
        static const char *const strs[] = {"User", "WorkingDir", "StopSignal", "Hostname", "Domainname", "Image"};
        static const char *const objs[] = {"ExposedPorts", "Volumes", "Healthcheck"};
        struct json_object *o;
        char **v = NULL, **labels = NULL;
        const char *s;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(strvs); i++) {
                r = json_get_strv(cfg, strvs[i], strvs[i], &v, err);
                v = strv_free(v);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(strs); i++) {
                r = json_get_string(cfg, strs[i], strs[i], &s, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(objs); i++) {
                r = json_get_object(cfg, objs[i], objs[i], &o, err);
                if (r < 0)
                        return r;
        }
        r = json_get_string_map(cfg, "Labels", "Labels", &labels, err);
        strv_free(labels);
        return r < 0 ? r : 0;
}

static int parse_history(struct image_config *c, struct json_object *arr, struct berr **err)
{
        size_t n = json_object_array_length(arr);
        int r;

        if (n > CONFIG_MAX_HISTORY)
                return berr_set(err, EINVAL, "history: %zu entries, more than the limit of %d", n, CONFIG_MAX_HISTORY);
        c->history = xcalloc(n ? n : 1, sizeof(*c->history));
        for (size_t i = 0; i < n; i++) {
                struct json_object *h = json_object_array_get_idx(arr, i);
                struct image_history *e = &c->history[i];
                const char *fields[4] = {NULL};
                static const char *const names[4] = {"created", "created_by", "author", "comment"};

                c->n_history = i + 1;
                if (!json_object_is_type(h, json_type_object))
                        return berr_set(err, EINVAL, "history[%zu]: expected object", i);
                for (int k = 0; k < 4; k++) {
                        r = json_get_string(h, names[k], names[k], &fields[k], err);
                        if (r < 0)
                                return berr_wrap(err, "history[%zu]", i);
                }
                r = json_get_bool(h, "empty_layer", "empty_layer", &e->empty_layer, err);
                if (r < 0)
                        return berr_wrap(err, "history[%zu]", i);
                e->created = xstrdup(fields[0]);
                e->created_by = xstrdup(fields[1]);
                e->author = xstrdup(fields[2]);
                e->comment = xstrdup(fields[3]);
        }
        return 0;
}

static int parse_rootfs(struct image_config *c, struct json_object *root, struct berr **err)
{
        struct json_object *rootfs = NULL;
        const char *type = NULL;
        int r;

        r = json_get_object(root, "rootfs", "rootfs", &rootfs, err);
        if (r < 0)
                return r;
        if (r == 0)
                return berr_set(err, EINVAL, "rootfs: missing");
        r = json_get_string(rootfs, "type", "rootfs.type", &type, err);
        if (r < 0)
                return r;
        if (!type || !streq(type, "layers"))
                return berr_set(err, EINVAL, "rootfs.type: expected \"layers\"");
        r = json_get_strv(rootfs, "diff_ids", "rootfs.diff_ids", &c->diff_ids, err);
        if (r < 0)
                return r;
        if (r == 0)
                c->diff_ids = xzalloc(sizeof(char *));
        c->n_diff_ids = strv_length(c->diff_ids);
        if (c->n_diff_ids > CONFIG_MAX_LAYERS)
                return berr_set(err, EINVAL, "rootfs.diff_ids: %zu layers, more than the limit of %d", c->n_diff_ids,
                                CONFIG_MAX_LAYERS);
        for (size_t i = 0; i < c->n_diff_ids; i++)
                if (!digest_is_sha256(c->diff_ids[i]))
                        return berr_set(err, EINVAL, "rootfs.diff_ids[%zu]: invalid digest '%.80s'", i, c->diff_ids[i]);
        return 0;
}

int image_config_parse(const char *data, size_t len, struct image_config **ret, struct berr **err)
{
        _cleanup_(image_config_freep) struct image_config *c = xzalloc(sizeof(*c));
        struct json_object *hist = NULL;
        int r;

        if (len > CONFIG_MAX_BYTES)
                return berr_set(err, EFBIG, "image config larger than %u bytes", CONFIG_MAX_BYTES);
        r = json_parse_buf(data, len, &c->root, err);
        if (r < 0)
                return berr_wrap(err, "image config");
        if (!json_object_is_type(c->root, json_type_object))
                return berr_set(err, EINVAL, "image config: expected a JSON object");
        if ((r = json_get_string(c->root, "architecture", "architecture", &c->architecture, err)) < 0 ||
            (r = json_get_string(c->root, "os", "os", &c->os, err)) < 0 ||
            (r = json_get_string(c->root, "variant", "variant", &c->variant, err)) < 0 ||
            (r = json_get_string(c->root, "created", "created", &c->created, err)) < 0 ||
            (r = json_get_string(c->root, "author", "author", &c->author, err)) < 0 ||
            (r = json_get_object(c->root, "config", "config", &c->config, err)) < 0 ||
            (r = json_get_array(c->root, "history", "history", &hist, err)) < 0)
                return berr_wrap(err, "image config");
        if (c->created) {
                int64_t t;
                if (parse_rfc3339(c->created, &t) < 0)
                        return berr_set(err, EINVAL, "image config: created: invalid time '%.64s'", c->created);
        }
        r = parse_rootfs(c, c->root, err);
        if (r >= 0 && c->config)
                r = check_container_config(c->config, err);
        if (r >= 0 && hist)
                r = parse_history(c, hist, err);
        if (r < 0)
                return berr_wrap(err, "image config");
        *ret = TAKE_PTR(c);
        return 0;
}

char **image_chain_ids(char *const *diff_ids, size_t n)
{
        char **v = xcalloc(n + 1, sizeof(char *));

        for (size_t i = 0; i < n; i++) {
                char buf[DIGEST_STRING_MAX];

                if (i == 0) {
                        v[i] = xstrdup(diff_ids[0]);
                        continue;
                }
                _cleanup_free_ char *s = xasprintf("%s %s", v[i - 1], diff_ids[i]);
                v[i] = xstrdup(digest_sha256_buf(s, strlen(s), buf));
        }
        return v;
}

/* n digits at *p into *ret; advances *p. */
static bool take_digits(const char **p, int n, int *ret)
{
        int v = 0;

        for (int i = 0; i < n; i++, (*p)++) {
                if (**p < '0' || **p > '9')
                        return false;
                v = v * 10 + (**p - '0');
        }
        *ret = v;
        return true;
}

/* One of the characters of set at *p; advances *p. */
static bool take_one_of(const char **p, const char *set)
{
        if (!**p || !strchr(set, **p))
                return false;
        (*p)++;
        return true;
}

/* RFC 3339 as Go's time.Parse takes it (fixed widths), by hand: strptime and timegm load the local
 * time zone on their first call, a file read in every `berth run`. */
int parse_rfc3339(const char *s, int64_t *ret)
{
        const char *p = s;
        int y, mo, d, h, mi, sec;
        int64_t t;

        if (!take_digits(&p, 4, &y) || !take_one_of(&p, "-") || !take_digits(&p, 2, &mo) || !take_one_of(&p, "-") ||
            !take_digits(&p, 2, &d) || !take_one_of(&p, "Tt") || !take_digits(&p, 2, &h) || !take_one_of(&p, ":") ||
            !take_digits(&p, 2, &mi) || !take_one_of(&p, ":") || !take_digits(&p, 2, &sec))
                return -EINVAL;
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        t = utc_days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 + mi * 60 + sec;
        if (*p == 'Z' || *p == 'z')
                p++;
        else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
                int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = (p[4] - '0') * 10 + (p[5] - '0');
                if (oh < 0 || oh > 23 || om < 0 || om > 59)
                        return -EINVAL;
                t += (*p == '+' ? -1 : 1) * (oh * 3600 + om * 60);
                p += 6;
        } else
                return -EINVAL;
        if (*p)
                return -EINVAL;
        *ret = t;
        return 0;
}

char *format_rfc3339(int64_t secs)
{
        time_t t = (time_t)secs;
        struct tm tm;
        char buf[64];

        gmtime_r(&t, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return xstrdup(buf);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Go-template subset for --format, enough for what docker users type:
 * field references, json, upper/lower, and the table/json shortcuts. The
 * template is parsed once into literal and field segments and checked
 * against the command's fields, so a typo fails before any output.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cli/format.h"
#include "cli/table.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

#define FORMAT_MAX_LEN      4096
#define FORMAT_MAX_SEGMENTS 256

enum seg_kind { SEG_TEXT, SEG_FIELD, SEG_JSON_FIELD, SEG_JSON_ALL, SEG_UPPER, SEG_LOWER, SEG_NEWLINE };

struct segment {
        enum seg_kind kind;
        char *text; /* SEG_TEXT */
        int field;  /* index into fields */
};

struct formatter {
        const struct fmt_field *fields;
        size_t n_fields;
        struct segment *segs;
        size_t n_segs;
        bool table;
        struct table *tab;
        char **lines; /* non-table output */
};

static int field_index(const struct formatter *f, const char *name)
{
        for (size_t i = 0; i < f->n_fields; i++)
                if (streq(f->fields[i].name, name))
                        return (int)i;
        return -1;
}

static void add_seg(struct formatter *f, enum seg_kind k, char *text, int field)
{
        f->segs = xreallocarray(f->segs, f->n_segs + 1, sizeof(*f->segs));
        f->segs[f->n_segs++] = (struct segment){k, text, field};
}

/* One action between {{ and }}. */
static int parse_action(struct formatter *f, const char *a, struct berr **err)
{
        _cleanup_(strv_freep) char **w = strv_split(a, " \t");
        size_t n = strv_length(w);
        const char *arg;
        int idx;

        if (n == 0)
                return berr_set(err, EINVAL, "template: empty action");
        if (n == 1 && streq(w[0], "println")) {
                add_seg(f, SEG_NEWLINE, NULL, -1);
                return 0;
        }
        if (n == 2 && streq(w[0], "json") && streq(w[1], ".")) {
                add_seg(f, SEG_JSON_ALL, NULL, -1);
                return 0;
        }
        if (n == 1 && streq(w[0], ".")) {
                add_seg(f, SEG_JSON_ALL, NULL, -1);
                return 0;
        }
        arg = n == 1 ? w[0] : n == 2 ? w[1] : NULL;
        if (!arg || arg[0] != '.' || !arg[1])
                return berr_set(err, EINVAL, "template: unsupported action '{{%s}}'", a);
        idx = field_index(f, arg + 1);
        if (idx < 0)
                return berr_set(err, EINVAL, "template: can't evaluate field %s", arg + 1);
        if (n == 1)
                add_seg(f, SEG_FIELD, NULL, idx);
        else if (streq(w[0], "json"))
                add_seg(f, SEG_JSON_FIELD, NULL, idx);
        else if (streq(w[0], "upper"))
                add_seg(f, SEG_UPPER, NULL, idx);
        else if (streq(w[0], "lower"))
                add_seg(f, SEG_LOWER, NULL, idx);
        else
                return berr_set(err, EINVAL, "template: function \"%s\" not defined", w[0]);
        return 0;
}

static int parse_template(struct formatter *f, const char *t, struct berr **err)
{
        _cleanup_free_ char *text = xmalloc(strlen(t) + 1);
        size_t tl = 0;
        int r;

        while (*t) {
                if (f->n_segs >= FORMAT_MAX_SEGMENTS)
                        return berr_set(err, EINVAL, "template: too long");
                if (t[0] == '{' && t[1] == '{') {
                        const char *end = strstr(t + 2, "}}");
                        _cleanup_free_ char *a = NULL;

                        if (!end)
                                return berr_set(err, EINVAL, "template: unclosed action");
                        if (tl) {
                                add_seg(f, SEG_TEXT, xstrndup(text, tl), -1);
                                tl = 0;
                        }
                        a = xstrndup(t + 2, (size_t)(end - t - 2));
                        r = parse_action(f, a, err);
                        if (r < 0)
                                return r;
                        t = end + 2;
                        continue;
                }
                if (t[0] == '\\' && (t[1] == 't' || t[1] == 'n')) {
                        text[tl++] = t[1] == 't' ? '\t' : '\n';
                        t += 2;
                        continue;
                }
                text[tl++] = *t++;
        }
        if (tl)
                add_seg(f, SEG_TEXT, xstrndup(text, tl), -1);
        return 0;
}

int formatter_new(const char *format, const char *default_table, const struct fmt_field *fields, struct formatter **ret,
                  struct berr **err)
{
        _cleanup_(formatter_freep) struct formatter *f = xzalloc(sizeof(*f));
        const char *t;
        int r;

        f->fields = fields;
        while (fields[f->n_fields].name)
                f->n_fields++;
        if (!format || !*format || streq(format, "table"))
                format = default_table;
        if (strlen(format) > FORMAT_MAX_LEN)
                return berr_set(err, EINVAL, "--format: too long");
        if (streq(format, "json"))
                format = "{{json .}}";
        t = startswith(format, "table");
        if (t && (*t == ' ' || *t == '\t' || *t == 0)) {
                f->table = true;
                f->tab = table_new();
                while (*t == ' ')
                        t++;
        } else
                t = format;
        r = parse_template(f, t, err);
        if (r < 0)
                return r;
        if (f->table) {
                /* The header row: each field replaced by its header. */
                _cleanup_free_ char *h = xstrdup("");
                for (size_t i = 0; i < f->n_segs; i++) {
                        const char *piece = f->segs[i].kind == SEG_TEXT ? f->segs[i].text
                                            : f->segs[i].field >= 0     ? fields[f->segs[i].field].header
                                                                        : "";
                        char *n = xasprintf("%s%s", h, piece);
                        free(h);
                        h = n;
                }
                table_add_line(f->tab, h);
        }
        *ret = TAKE_PTR(f);
        return 0;
}

struct formatter *formatter_free(struct formatter *f)
{
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n_segs; i++)
                free(f->segs[i].text);
        free(f->segs);
        table_free(f->tab);
        strv_free(f->lines);
        free(f);
        return NULL;
}

bool formatter_is_table(const struct formatter *f)
{
        return f->table;
}

static void append(char **s, const char *piece)
{
        char *n = xasprintf("%s%s", *s, piece ? piece : "");
        free(*s);
        *s = n;
}

void formatter_add(struct formatter *f, const char *const *values, struct json_object *obj)
{
        _cleanup_free_ char *line = xstrdup("");

        for (size_t i = 0; i < f->n_segs; i++) {
                const struct segment *s = &f->segs[i];
                const char *v = s->field >= 0 ? values[s->field] : NULL;

                switch (s->kind) {
                case SEG_TEXT:
                        append(&line, s->text);
                        break;
                case SEG_FIELD:
                        append(&line, v);
                        break;
                case SEG_NEWLINE:
                        append(&line, "\n");
                        break;
                case SEG_UPPER:
                case SEG_LOWER: {
                        _cleanup_free_ char *c = xstrdup(v ? v : "");
                        for (char *p = c; *p; p++)
                                *p = (char)(s->kind == SEG_UPPER ? toupper((unsigned char)*p)
                                                                 : tolower((unsigned char)*p));
                        append(&line, c);
                        break;
                }
                case SEG_JSON_FIELD: {
                        _cleanup_json_ struct json_object *o = json_object_new_string(v ? v : "");
                        _cleanup_free_ char *j = json_dump(o, false);
                        append(&line, j);
                        break;
                }
                case SEG_JSON_ALL: {
                        _cleanup_json_ struct json_object *own = NULL;
                        _cleanup_free_ char *j = NULL;
                        if (!obj) {
                                own = json_new_object();
                                for (size_t k = 0; k < f->n_fields; k++)
                                        json_add_string(own, f->fields[k].name, values[k] ? values[k] : "");
                        }
                        j = json_dump(obj ? obj : own, false);
                        append(&line, j);
                        break;
                }
                }
        }
        if (f->table)
                table_add_line(f->tab, line);
        else
                strv_push(&f->lines, line);
}

void formatter_flush(struct formatter *f, FILE *out)
{
        if (f->table) {
                table_flush(f->tab, out);
                return;
        }
        for (size_t i = 0; f->lines && f->lines[i]; i++) {
                fputs(f->lines[i], out);
                fputc('\n', out);
        }
        f->lines = strv_free(f->lines);
}

static void json_indent(struct json_object *o, int depth, char **out)
{
        enum json_type t = json_object_get_type(o);
        char pad[256];
        int n = depth * 4 + 4 < (int)sizeof(pad) - 1 ? depth * 4 + 4 : (int)sizeof(pad) - 1;

        memset(pad, ' ', (size_t)n);
        pad[n] = 0;
        if (t == json_type_array) {
                size_t len = json_object_array_length(o);
                if (len == 0) {
                        append(out, "[]");
                        return;
                }
                append(out, "[\n");
                for (size_t i = 0; i < len; i++) {
                        append(out, pad);
                        json_indent(json_object_array_get_idx(o, i), depth + 1, out);
                        append(out, i + 1 < len ? ",\n" : "\n");
                }
                pad[n - 4 > 0 ? n - 4 : 0] = 0;
                append(out, pad);
                append(out, "]");
        } else if (t == json_type_object) {
                size_t len = (size_t)json_object_object_length(o), i = 0;
                if (len == 0) {
                        append(out, "{}");
                        return;
                }
                append(out, "{\n");
                json_object_object_foreach(o, key, val)
                {
                        _cleanup_json_ struct json_object *k = json_object_new_string(key);
                        append(out, pad);
                        append(out, json_object_to_json_string_ext(k, JSON_C_TO_STRING_NOSLASHESCAPE));
                        append(out, ": ");
                        json_indent(val, depth + 1, out);
                        append(out, ++i < len ? ",\n" : "\n");
                }
                pad[n - 4 > 0 ? n - 4 : 0] = 0;
                append(out, pad);
                append(out, "}");
        } else
                append(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

char *format_json_indent(struct json_object *o)
{
        char *out = xstrdup("");

        json_indent(o, 0, &out);
        return out;
}

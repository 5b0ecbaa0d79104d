/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The --format option of the docker CLI: a small subset of Go templates.
 *   "table"          the command's default table
 *   "table TEMPLATE" a table with a header row made from the fields' headers
 *   "json"           one JSON object per line ({{json .}})
 *   TEMPLATE         text with {{.Field}}, {{json .Field}}, {{json .}}, {{upper .Field}},
 *                    {{lower .Field}}, {{println}}; "\t" and "\n" as typed are tab and newline
 * Fields are declared by the command; an unknown field is an error before any output.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

struct berr;

struct fmt_field {
        const char *name;   /* "Repository" */
        const char *header; /* "REPOSITORY" */
};

struct formatter;

/* format: what the user gave (NULL or "" or "table": default_table). fields: NULL-name-terminated. */
int formatter_new(const char *format, const char *default_table, const struct fmt_field *fields, struct formatter **ret,
                  struct berr **err);
struct formatter *formatter_free(struct formatter *f);
static inline void formatter_freep(struct formatter **p)
{
        if (*p)
                formatter_free(*p);
}
/* True when the output is a table (header and alignment). */
bool formatter_is_table(const struct formatter *f);
/* One record: values[i] belongs to fields[i] (NULL prints ""). obj: the record as JSON for
 * {{json .}}, borrowed (may be NULL: built from the fields). */
void formatter_add(struct formatter *f, const char *const *values, struct json_object *obj);
/* Prints everything (tables are aligned once all rows are known). */
void formatter_flush(struct formatter *f, FILE *out);

/* JSON as docker's CLI prints it (Go's json.MarshalIndent with four spaces: "[]" and "{}" when
 * empty, no escaping of '/'). Owned. */
char *format_json_indent(struct json_object *o);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * JSON on top of json-c (a mature, maintained DOM library packaged by every
 * distribution). These helpers add what untrusted input needs: a size and
 * depth limit, no trailing garbage, and typed getters whose errors name the
 * field.
 *
 * Getters return 0 when the key is absent (or null), 1 when found, and
 * -EINVAL with an error naming `what` when the value has the wrong type or
 * range. Returned strings and objects are borrowed from the parent.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;

#define JSON_MAX_DEPTH 64

static inline void json_object_putp(struct json_object **p)
{
        if (*p)
                json_object_put(*p);
}
#define _cleanup_json_ __attribute__((cleanup(json_object_putp)))

/* Parses exactly one JSON value from data[0..len). Owned result. */
int json_parse_buf(const char *data, size_t len, struct json_object **ret, struct berr **err);

int json_get_object(struct json_object *o, const char *key, const char *what, struct json_object **ret,
                    struct berr **err);
int json_get_array(struct json_object *o, const char *key, const char *what, struct json_object **ret,
                   struct berr **err);
int json_get_string(struct json_object *o, const char *key, const char *what, const char **ret, struct berr **err);
int json_get_bool(struct json_object *o, const char *key, const char *what, bool *ret, struct berr **err);
int json_get_int64(struct json_object *o, const char *key, const char *what, int64_t *ret, struct berr **err);
int json_get_uint64(struct json_object *o, const char *key, const char *what, uint64_t *ret, struct berr **err);
int json_get_uint32(struct json_object *o, const char *key, const char *what, uint32_t *ret, struct berr **err);
int json_get_int32(struct json_object *o, const char *key, const char *what, int32_t *ret, struct berr **err);
/* An array of strings, as an owned strv (an empty array gives an empty strv). */
int json_get_strv(struct json_object *o, const char *key, const char *what, char ***ret, struct berr **err);
/* An object of string values, as an owned strv of alternating keys and values. */
int json_get_string_map(struct json_object *o, const char *key, const char *what, char ***ret, struct berr **err);

/* Value checks for array elements. */
int json_as_string(struct json_object *v, const char *what, const char **ret, struct berr **err);
int json_as_uint64(struct json_object *v, const char *what, uint64_t *ret, struct berr **err);
int json_as_int64(struct json_object *v, const char *what, int64_t *ret, struct berr **err);

/* Builders that abort on OOM, for output documents. */
struct json_object *json_new_object(void);
struct json_object *json_new_array(void);
void json_add_string(struct json_object *o, const char *key, const char *value); /* NULL value: skipped */
void json_add_int(struct json_object *o, const char *key, int64_t value);
void json_add_bool(struct json_object *o, const char *key, bool value);
void json_add(struct json_object *o, const char *key, struct json_object *value); /* takes value */
void json_append(struct json_object *a, struct json_object *value);             /* takes value */
struct json_object *json_strv_new(char *const *v);
/* Element count of an array; 0 for NULL or any other type. json-c's json_object_array_length()
 * asserts on a non-array, and a record or image config read back from disk may have any shape. */
size_t json_array_len(struct json_object *a);
/* Lenient lookups for records Berth wrote itself: NULL when o is NULL, the key is missing or null,
 * or (json_field_string) the value is not a string. */
struct json_object *json_field(struct json_object *o, const char *key);
const char *json_field_string(struct json_object *o, const char *key);

/* Serialised text, owned. pretty: two-space indentation. No escaping of '/'. */
char *json_dump(struct json_object *o, bool pretty);

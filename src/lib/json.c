/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed, bounded access to JSON documents from outside. json-c does the
 * parsing; this file makes every type mismatch an error that names the field,
 * so a hostile config.json or manifest gets "process.args: expected array of
 * strings", not a crash.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"

int json_parse_buf(const char *data, size_t len, struct json_object **ret, struct berr **err)
{
        struct json_tokener *tok;
        struct json_object *o;
        enum json_tokener_error jerr;
        size_t consumed;

        if (len > INT_MAX)
                return berr_set(err, EFBIG, "JSON document too large");
        if (memchr(data, 0, len))
                return berr_set(err, EINVAL, "invalid JSON: NUL byte in document");
        tok = json_tokener_new_ex(JSON_MAX_DEPTH);
        if (!tok)
                abort();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        o = json_tokener_parse_ex(tok, data, (int) len);
        jerr = json_tokener_get_error(tok);
        consumed = (size_t) json_tokener_get_parse_end(tok);
        if (!o && jerr == json_tokener_continue) {
                json_tokener_free(tok);
                return berr_set(err, EINVAL, "invalid JSON: unexpected end of document");
        }
        if (!o || jerr != json_tokener_success) {
                int r = berr_set(err, EINVAL, "invalid JSON at offset %zu: %s", consumed,
                                 json_tokener_error_desc(jerr));
                json_tokener_free(tok);
                json_object_put(o);
                return r;
        }
        json_tokener_free(tok);
        for (size_t i = consumed; i < len; i++)
                if (!strchr(" \t\r\n", data[i])) {
                        json_object_put(o);
                        return berr_set(err, EINVAL, "invalid JSON: trailing data at offset %zu", i);
                }
        *ret = o;
        return 0;
}

static int get_typed(struct json_object *o, const char *key, const char *what, enum json_type type,
                     const char *type_name, struct json_object **ret, struct berr **err)
{
        struct json_object *v = NULL;

        if (!o || !json_object_object_get_ex(o, key, &v) || !v || json_object_get_type(v) == json_type_null)
                return 0;
        if (json_object_get_type(v) != type)
                return berr_set(err, EINVAL, "%s: expected %s", what ? what : key, type_name);
        *ret = v;
        return 1;
}

int json_get_object(struct json_object *o, const char *key, const char *what, struct json_object **ret,
                    struct berr **err)
{
        return get_typed(o, key, what, json_type_object, "object", ret, err);
}

int json_get_array(struct json_object *o, const char *key, const char *what, struct json_object **ret,
                   struct berr **err)
{
        return get_typed(o, key, what, json_type_array, "array", ret, err);
}

int json_get_string(struct json_object *o, const char *key, const char *what, const char **ret, struct berr **err)
{
        struct json_object *v = NULL;
        int r = get_typed(o, key, what, json_type_string, "string", &v, err);
        if (r > 0)
                *ret = json_object_get_string(v);
        return r;
}

int json_get_bool(struct json_object *o, const char *key, const char *what, bool *ret, struct berr **err)
{
        struct json_object *v = NULL;
        int r = get_typed(o, key, what, json_type_boolean, "boolean", &v, err);
        if (r > 0)
                *ret = json_object_get_boolean(v);
        return r;
}

int json_as_int64(struct json_object *v, const char *what, int64_t *ret, struct berr **err)
{
        int64_t x;

        if (json_object_get_type(v) != json_type_int)
                return berr_set(err, EINVAL, "%s: expected integer", what);
        errno = 0;
        x = json_object_get_int64(v);
        /* json-c saturates out-of-range values and reports it through errno, or via uint64 */
        if (errno == ERANGE || (x == INT64_MAX && json_object_get_uint64(v) > (uint64_t) INT64_MAX))
                return berr_set(err, ERANGE, "%s: integer out of range", what);
        *ret = x;
        return 0;
}

int json_as_uint64(struct json_object *v, const char *what, uint64_t *ret, struct berr **err)
{
        if (json_object_get_type(v) != json_type_int)
                return berr_set(err, EINVAL, "%s: expected integer", what);
        if (json_object_get_int64(v) < 0)
                return berr_set(err, ERANGE, "%s: must not be negative", what);
        errno = 0;
        *ret = json_object_get_uint64(v);
        if (errno == ERANGE)
                return berr_set(err, ERANGE, "%s: integer out of range", what);
        return 0;
}

int json_get_int64(struct json_object *o, const char *key, const char *what, int64_t *ret, struct berr **err)
{
        struct json_object *v = NULL;
        int r = get_typed(o, key, what, json_type_int, "integer", &v, err);
        if (r <= 0)
                return r;
        r = json_as_int64(v, what ? what : key, ret, err);
        return r < 0 ? r : 1;
}

int json_get_uint64(struct json_object *o, const char *key, const char *what, uint64_t *ret, struct berr **err)
{
        struct json_object *v = NULL;
        int r = get_typed(o, key, what, json_type_int, "integer", &v, err);
        if (r <= 0)
                return r;
        r = json_as_uint64(v, what ? what : key, ret, err);
        return r < 0 ? r : 1;
}

int json_get_uint32(struct json_object *o, const char *key, const char *what, uint32_t *ret, struct berr **err)
{
        uint64_t v;
        int r = json_get_uint64(o, key, what, &v, err);
        if (r <= 0)
                return r;
        if (v > UINT32_MAX)
                return berr_set(err, ERANGE, "%s: integer out of range", what ? what : key);
        *ret = (uint32_t) v;
        return 1;
}

int json_get_int32(struct json_object *o, const char *key, const char *what, int32_t *ret, struct berr **err)
{
        int64_t v;
        int r = json_get_int64(o, key, what, &v, err);
        if (r <= 0)
                return r;
        if (v < INT32_MIN || v > INT32_MAX)
                return berr_set(err, ERANGE, "%s: integer out of range", what ? what : key);
        *ret = (int32_t) v;
        return 1;
}

int json_as_string(struct json_object *v, const char *what, const char **ret, struct berr **err)
{
        if (json_object_get_type(v) != json_type_string)
                return berr_set(err, EINVAL, "%s: expected string", what);
        *ret = json_object_get_string(v);
        return 0;
}

int json_get_strv(struct json_object *o, const char *key, const char *what, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **v = NULL;
        struct json_object *a;
        size_t n;
        int r = json_get_array(o, key, what, &a, err);

        if (r <= 0)
                return r;
        n = json_object_array_length(a);
        v = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i);
                if (json_object_get_type(e) != json_type_string)
                        return berr_set(err, EINVAL, "%s[%zu]: expected string", what ? what : key, i);
                v[i] = xstrdup(json_object_get_string(e));
        }
        *ret = TAKE_PTR(v);
        return 1;
}

int json_get_string_map(struct json_object *o, const char *key, const char *what, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **v = NULL;
        struct json_object *m;
        int r = json_get_object(o, key, what, &m, err);

        if (r <= 0)
                return r;
        v = xcalloc(1, sizeof(char *));
        json_object_object_foreach(m, k, val)
        {
                if (json_object_get_type(val) != json_type_string)
                        return berr_set(err, EINVAL, "%s.%s: expected string", what ? what : key, k);
                strv_push(&v, k);
                strv_push(&v, json_object_get_string(val));
        }
        *ret = TAKE_PTR(v);
        return 1;
}

struct json_object *json_new_object(void)
{
        struct json_object *o = json_object_new_object();
        if (!o)
                abort();
        return o;
}

struct json_object *json_new_array(void)
{
        struct json_object *o = json_object_new_array();
        if (!o)
                abort();
        return o;
}

void json_add(struct json_object *o, const char *key, struct json_object *value)
{
        if (json_object_object_add(o, key, value) < 0)
                abort();
}

void json_add_string(struct json_object *o, const char *key, const char *value)
{
        if (value)
                json_add(o, key, json_object_new_string(value));
}

void json_add_int(struct json_object *o, const char *key, int64_t value)
{
        json_add(o, key, json_object_new_int64(value));
}

void json_add_bool(struct json_object *o, const char *key, bool value)
{
        json_add(o, key, json_object_new_boolean(value));
}

void json_append(struct json_object *a, struct json_object *value)
{
        if (json_object_array_add(a, value) < 0)
                abort();
}

size_t json_array_len(struct json_object *a)
{
        return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

struct json_object *json_strv_new(char *const *v)
{
        struct json_object *a = json_new_array();
        for (; v && *v; v++)
                json_append(a, json_object_new_string(*v));
        return a;
}

char *json_dump(struct json_object *o, bool pretty)
{
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE | (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                                             : JSON_C_TO_STRING_PLAIN);
        const char *s = json_object_to_json_string_ext(o, flags);
        if (!s)
                abort();
        return xstrdup(s);
}

struct json_object *json_field(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

const char *json_field_string(struct json_object *o, const char *key)
{
        struct json_object *v = json_field(o, key);

        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

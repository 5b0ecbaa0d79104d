/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json (OCI runtime-spec 1.2, Linux parts) into a validated struct
 * oci_spec. Every value is type- and range-checked here and every error
 * names the field path ("process.rlimits[2].type: unknown rlimit ..."), so
 * the code that applies the spec can trust what it gets. Unknown keys are
 * ignored for forward compatibility, as runc does; unknown capability names
 * are dropped with a debug message, also as runc does.
 *
 * Paths are checked lexically only (absolute, cleaned); resolving them
 * safely inside the rootfs is left to mounts.c and path.h. Cross-field
 * rules (user mappings need a user namespace, ...) run after parsing, in
 * validate_spec().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/spec.h"

#define FIELD_MAX 192 /* longest field path we build, e.g. "linux.seccomp.syscalls[4095].args[5].valueTwo" */

typedef struct json_object jobj;

/* Appends s to the field path in buf (length *n), truncating at FIELD_MAX. */
static void field_append(char *buf, size_t *n, const char *s)
{
        size_t l = strnlen(s, FIELD_MAX - 1 - *n);

        memcpy(buf + *n, s, l);
        *n += l;
        buf[*n] = 0;
}

/* "parent.key", or "key" at the top level. buf must not be parent. */
static const char *fld(char *buf, const char *parent, const char *key)
{
        size_t n = 0;

        buf[0] = 0;
        if (parent && *parent) {
                field_append(buf, &n, parent);
                field_append(buf, &n, ".");
        }
        field_append(buf, &n, key);
        return buf;
}

/* "parent[i]"; buf must not be parent. */
static const char *idx(char *buf, const char *parent, size_t i)
{
        char num[24];
        size_t n = 0;

        (void)snprintf(num, sizeof(num), "[%zu]", i); /* at most 22 bytes */
        buf[0] = 0;
        field_append(buf, &n, parent);
        field_append(buf, &n, num);
        return buf;
}

static int bad(struct berr **err, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(struct berr **err, const char *what, const char *fmt, ...)
{
        _cleanup_free_ char *m = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                abort();
        va_end(ap);
        return berr_set(err, EINVAL, "%s: %s", what, m);
}

/* json-c keeps "\u0000" inside strings; a C consumer would see a shorter value than the one validated. */
static int check_string(jobj *v, const char *what, struct berr **err)
{
        const char *s = json_object_get_string(v);

        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return bad(err, what, "NUL character in string");
        return 0;
}

static int get_str(jobj *o, const char *parent, const char *key, const char **ret, struct berr **err)
{
        char what[FIELD_MAX];
        jobj *v = NULL;
        const char *s;
        int r;

        r = json_get_string(o, key, fld(what, parent, key), &s, err);
        if (r <= 0)
                return r;
        (void)json_object_object_get_ex(o, key, &v); /* found just above */
        if (check_string(v, what, err) < 0)
                return -EINVAL;
        *ret = s;
        return 1;
}

static int get_strdup(jobj *o, const char *parent, const char *key, char **ret, struct berr **err)
{
        const char *s = NULL;
        int r = get_str(o, parent, key, &s, err);

        if (r > 0) {
                free(*ret);
                *ret = xstrdup(s);
        }
        return r;
}

static int get_bool(jobj *o, const char *parent, const char *key, bool *ret, struct berr **err)
{
        char what[FIELD_MAX];
        return json_get_bool(o, key, fld(what, parent, key), ret, err);
}

static int get_u32(jobj *o, const char *parent, const char *key, uint32_t *ret, struct berr **err)
{
        char what[FIELD_MAX];
        return json_get_uint32(o, key, fld(what, parent, key), ret, err);
}

static int get_i32(jobj *o, const char *parent, const char *key, int32_t *ret, struct berr **err)
{
        char what[FIELD_MAX];
        return json_get_int32(o, key, fld(what, parent, key), ret, err);
}

static int get_u64(jobj *o, const char *parent, const char *key, uint64_t *ret, struct berr **err)
{
        char what[FIELD_MAX];
        return json_get_uint64(o, key, fld(what, parent, key), ret, err);
}

static int get_i64(jobj *o, const char *parent, const char *key, int64_t *ret, struct berr **err)
{
        char what[FIELD_MAX];
        return json_get_int64(o, key, fld(what, parent, key), ret, err);
}

/* The object parent.key, with its field path left in what (FIELD_MAX bytes) for the caller's errors. */
static int get_obj_at(jobj *o, const char *parent, const char *key, char *what, jobj **ret, struct berr **err)
{
        return json_get_object(o, key, fld(what, parent, key), ret, err);
}

static int get_obj(jobj *o, const char *parent, const char *key, jobj **ret, struct berr **err)
{
        char what[FIELD_MAX];
        return get_obj_at(o, parent, key, what, ret, err);
}

/*
 * Optional scalar members read from one JSON object by a table: each entry names
 * the key, where its value goes and where its has_<member> flag goes. The value
 * type comes from the member's C type, so a table cannot read into the wrong width.
 */
enum opt_type {
        OPT_I64,
        OPT_U64,
        OPT_U32,
        OPT_U16,
        OPT_BOOL,
};

struct opt_field {
        const char *key;
        enum opt_type type;
        size_t off, has_off;
};

/* clang-format off */
#define OPT_FIELD(st, key, member)                                                                                     \
        {                                                                                                              \
                key,                                                                                                   \
                        _Generic(((st *)0)->member,                                                                    \
                                int64_t: OPT_I64,                                                                      \
                                uint64_t: OPT_U64,                                                                     \
                                uint32_t: OPT_U32,                                                                     \
                                uint16_t: OPT_U16,                                                                     \
                                bool: OPT_BOOL),                                                                       \
                        offsetof(st, member), offsetof(st, has_##member)                                               \
        }
/* clang-format on */

static int get_opt_field(jobj *o, const char *parent, const struct opt_field *f, void *base, struct berr **err)
{
        char *p = (char *)base + f->off;
        char fw[FIELD_MAX];
        uint32_t v = 0;
        int r;

        switch (f->type) {
        case OPT_I64:
                r = get_i64(o, parent, f->key, (int64_t *)p, err);
                break;
        case OPT_U64:
                r = get_u64(o, parent, f->key, (uint64_t *)p, err);
                break;
        case OPT_U32:
                r = get_u32(o, parent, f->key, (uint32_t *)p, err);
                break;
        case OPT_U16: /* blkio weights: read as a uint32_t, then checked */
                r = get_u32(o, parent, f->key, &v, err);
                if (r > 0 && v > UINT16_MAX)
                        return bad(err, fld(fw, parent, f->key), "%u is out of range", v);
                if (r >= 0)
                        *(uint16_t *)p = (uint16_t)v;
                break;
        case OPT_BOOL:
        default:
                r = get_bool(o, parent, f->key, (bool *)p, err);
                break;
        }
        if (r < 0)
                return r;
        *(bool *)((char *)base + f->has_off) = r > 0;
        return 0;
}

static int get_opt_fields(jobj *o, const char *parent, const struct opt_field *f, size_t n, void *base,
                          struct berr **err)
{
        for (size_t i = 0; i < n; i++)
                if (get_opt_field(o, parent, &f[i], base, err) < 0)
                        return -EINVAL;
        return 0;
}

/* An array, at most SPEC_MAX_ITEMS long; its length in *ret_n. */
static int get_arr(jobj *o, const char *parent, const char *key, jobj **ret, size_t *ret_n, struct berr **err)
{
        char what[FIELD_MAX];
        size_t n;
        int r;

        *ret_n = 0;
        r = json_get_array(o, key, fld(what, parent, key), ret, err);
        if (r <= 0)
                return r;
        n = json_object_array_length(*ret);
        if (n > SPEC_MAX_ITEMS)
                return bad(err, what, "too many entries (%zu, at most %d)", n, SPEC_MAX_ITEMS);
        *ret_n = n;
        return 1;
}

/* Element i of an array of objects. */
static int elem_obj(jobj *a, size_t i, const char *what, jobj **ret, struct berr **err)
{
        jobj *e = json_object_array_get_idx(a, i);

        if (!e || json_object_get_type(e) != json_type_object)
                return bad(err, what, "expected object");
        *ret = e;
        return 0;
}

typedef int (*elem_parser)(jobj *e, const char *ew, size_t i, void *elem, struct berr **err);

/*
 * The array of objects parent.key into *ret (n elements of size bytes each,
 * owned by the caller from the start): each element is counted in *ret_n, then
 * parsed by fn(element, "parent.key[i]", i, &(*ret)[i]), so that what
 * fn has filled in is freed with the rest when it fails. 0 when absent too.
 */
static int get_obj_array(jobj *o, const char *parent, const char *key, size_t size, void **ret, size_t *ret_n,
                         elem_parser fn, struct berr **err)
{
        char what[FIELD_MAX], ew[FIELD_MAX];
        jobj *a, *e = NULL;
        size_t n;
        int r;

        r = get_arr(o, parent, key, &a, &n, err);
        if (r <= 0)
                return r;
        fld(what, parent, key);
        *ret = xcalloc(n ? n : 1, size);
        for (size_t i = 0; i < n; i++) {
                (*ret_n)++;
                if (elem_obj(a, i, idx(ew, what, i), &e, err) < 0 || fn(e, ew, i, (char *)*ret + i * size, err) < 0)
                        return -EINVAL;
        }
        return 0;
}

static int get_strv(jobj *o, const char *parent, const char *key, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **v = NULL;
        char what[FIELD_MAX], ew[FIELD_MAX];
        size_t n;
        jobj *a;
        int r;

        r = get_arr(o, parent, key, &a, &n, err);
        if (r <= 0)
                return r;
        fld(what, parent, key);
        v = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                jobj *e = json_object_array_get_idx(a, i);
                const char *s;

                if (json_as_string(e, idx(ew, what, i), &s, err) < 0)
                        return -EINVAL;
                if (check_string(e, ew, err) < 0)
                        return -EINVAL;
                v[i] = xstrdup(s);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(v);
        return 1;
}

/* An object of string values, as alternating keys and values; keys must not be empty. */
static int get_map(jobj *o, const char *parent, const char *key, char ***ret, struct berr **err)
{
        _cleanup_(strv_freep) char **v = NULL;
        char what[FIELD_MAX];
        size_t n = 0;
        jobj *m;
        int r;

        r = get_obj(o, parent, key, &m, err);
        if (r <= 0)
                return r;
        fld(what, parent, key);
        if ((size_t)json_object_object_length(m) > SPEC_MAX_ITEMS)
                return bad(err, what, "too many entries (at most %d)", SPEC_MAX_ITEMS);
        v = xcalloc(2 * (size_t)json_object_object_length(m) + 1, sizeof(char *));
        json_object_object_foreach(m, k, val)
        {
                if (!*k)
                        return bad(err, what, "empty key");
                if (!val || json_object_get_type(val) != json_type_string)
                        return berr_set(err, EINVAL, "%s.%s: expected string", what, k);
                if (check_string(val, what, err) < 0)
                        return -EINVAL;
                v[n++] = xstrdup(k);
                v[n++] = xstrdup(json_object_get_string(val));
        }
        strv_free(*ret);
        *ret = TAKE_PTR(v);
        return 1;
}

/* An absolute path, lexically cleaned, into *ret (which s may be). */
static int clean_abs_path(const char *s, const char *what, char **ret, struct berr **err)
{
        char *c;

        if (!s || s[0] != '/')
                return bad(err, what, "'%s' is not an absolute path", s ? s : "");
        c = path_clean(s);
        free(*ret);
        *ret = c;
        return 0;
}

static int check_abs_strv(char **v, const char *what, struct berr **err)
{
        char ew[FIELD_MAX];
        size_t i = 0;

        for (char **p = v; p && *p; p++, i++)
                if ((*p)[0] != '/')
                        return bad(err, idx(ew, what, i), "'%s' is not an absolute path", *p);
        return 0;
}

/* ---- process ---- */

static int parse_user(jobj *o, const char *parent, struct oci_user *u, struct berr **err)
{
        char what[FIELD_MAX], gw[FIELD_MAX], ew[FIELD_MAX];
        jobj *a;
        size_t n;
        int r;

        fld(what, parent, "user");
        if (get_u32(o, what, "uid", &u->uid, err) < 0 || get_u32(o, what, "gid", &u->gid, err) < 0)
                return -EINVAL;
        r = get_u32(o, what, "umask", &u->umask, err);
        if (r < 0)
                return r;
        u->has_umask = r > 0;
        if (u->has_umask && u->umask > 0777)
                return bad(err, fld(ew, what, "umask"), "%#o is not a file mode mask", u->umask);
        r = get_arr(o, what, "additionalGids", &a, &n, err);
        if (r < 0)
                return r;
        if (r == 0)
                return 0;
        fld(gw, what, "additionalGids");
        u->additional_gids = xcalloc(n ? n : 1, sizeof(uint32_t));
        for (size_t i = 0; i < n; i++) {
                uint64_t g;
                if (json_as_uint64(json_object_array_get_idx(a, i), idx(ew, gw, i), &g, err) < 0)
                        return -EINVAL;
                if (g > UINT32_MAX)
                        return bad(err, ew, "gid out of range");
                u->additional_gids[i] = (uint32_t)g;
                u->n_additional_gids++;
        }
        return 0;
}

static int parse_capabilities(jobj *o, const char *parent, struct oci_capabilities *caps, struct berr **err)
{
        static const char *const set_keys[_OCI_CAP_SET_MAX] = {
                [OCI_CAP_BOUNDING] = "bounding",       [OCI_CAP_EFFECTIVE] = "effective",
                [OCI_CAP_INHERITABLE] = "inheritable", [OCI_CAP_PERMITTED] = "permitted",
                [OCI_CAP_AMBIENT] = "ambient",
        };
        char what[FIELD_MAX];
        jobj *c;
        int r;

        r = get_obj(o, parent, "capabilities", &c, err);
        if (r <= 0)
                return r;
        caps->present = true;
        fld(what, parent, "capabilities");
        for (int s = 0; s < _OCI_CAP_SET_MAX; s++) {
                _cleanup_(strv_freep) char **names = NULL;

                r = get_strv(c, what, set_keys[s], &names, err);
                if (r < 0)
                        return r;
                for (char **p = names; p && *p; p++) {
                        int cap = oci_capability_from_string(*p);
                        if (cap < 0) {
                                /* runc warns and carries on, so configs written for newer kernels still run */
                                log_debug("%s.%s: unknown capability '%s', ignoring", what, set_keys[s], *p);
                                continue;
                        }
                        caps->sets[s] |= UINT64_C(1) << cap;
                }
        }
        return 0;
}

static int parse_rlimit(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_rlimit *rl = elem;
        const struct oci_rlimit *earlier = rl - i; /* the array's start */
        const char *type = NULL;
        char fw[FIELD_MAX];
        int r;

        r = get_str(e, ew, "type", &type, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, ew, "type"), "required");
        rl->type = oci_rlimit_from_string(type);
        if (rl->type < 0)
                return bad(err, fld(fw, ew, "type"), "unknown rlimit '%s'", type);
        for (size_t j = 0; j < i; j++)
                if (earlier[j].type == rl->type)
                        return bad(err, fld(fw, ew, "type"), "duplicate rlimit '%s'", type);
        if (get_u64(e, ew, "hard", &rl->hard, err) < 0 || get_u64(e, ew, "soft", &rl->soft, err) < 0)
                return -EINVAL;
        if (rl->soft > rl->hard)
                return bad(err, ew, "soft limit %" PRIu64 " exceeds hard limit %" PRIu64, rl->soft, rl->hard);
        return 0;
}

static int parse_rlimits(jobj *o, const char *parent, struct oci_process *p, struct berr **err)
{
        return get_obj_array(o, parent, "rlimits", sizeof(struct oci_rlimit), (void **)&p->rlimits, &p->n_rlimits,
                             parse_rlimit, err);
}

static int parse_io_priority(jobj *o, const char *parent, struct oci_io_priority *io, struct berr **err)
{
        char what[FIELD_MAX], fw[FIELD_MAX];
        const char *cls = NULL;
        int32_t prio = 0;
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "ioPriority", what, &x, err);
        if (r <= 0)
                return r;
        r = get_str(x, what, "class", &cls, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, what, "class"), "required");
        io->class = oci_ioprio_class_from_string(cls);
        if (io->class < 0)
                return bad(err, fld(fw, what, "class"), "unknown I/O priority class '%s'", cls);
        if (get_i32(x, what, "priority", &prio, err) < 0)
                return -EINVAL;
        /* ioprio_set(2): levels 0 (highest) to 7 for the RT and BE classes */
        if (prio < 0 || prio > 7)
                return bad(err, fld(fw, what, "priority"), "%d is out of range 0..7", prio);
        io->priority = prio;
        io->present = true;
        return 0;
}

static int parse_scheduler(jobj *o, const char *parent, struct oci_scheduler *s, struct berr **err)
{
        _cleanup_(strv_freep) char **flags = NULL;
        char what[FIELD_MAX], fw[FIELD_MAX];
        const char *policy = NULL;
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "scheduler", what, &x, err);
        if (r <= 0)
                return r;
        r = get_str(x, what, "policy", &policy, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, what, "policy"), "required");
        s->policy = oci_sched_policy_from_string(policy);
        if (s->policy < 0)
                return bad(err, fld(fw, what, "policy"), "unknown scheduler policy '%s'", policy);
        if (get_i32(x, what, "nice", &s->nice, err) < 0 || get_i32(x, what, "priority", &s->priority, err) < 0 ||
            get_u64(x, what, "runtime", &s->runtime, err) < 0 || get_u64(x, what, "deadline", &s->deadline, err) < 0 ||
            get_u64(x, what, "period", &s->period, err) < 0)
                return -EINVAL;
        if (s->nice < -20 || s->nice > 19)
                return bad(err, fld(fw, what, "nice"), "%d is out of range -20..19", s->nice);
        if (s->priority < 0 || s->priority > 99)
                return bad(err, fld(fw, what, "priority"), "%d is out of range 0..99", s->priority);
        if (get_strv(x, what, "flags", &flags, err) < 0)
                return -EINVAL;
        fld(fw, what, "flags");
        for (size_t i = 0; flags && flags[i]; i++) {
                char ew[FIELD_MAX];
                int f = oci_sched_flag_from_string(flags[i]);
                if (f < 0)
                        return bad(err, idx(ew, fw, i), "unknown scheduler flag '%s'", flags[i]);
                s->flags |= (unsigned)f;
        }
        s->present = true;
        return 0;
}

/* A cpu list as in cpuset.cpus: "0-3,7". */
static int check_cpu_list(const char *s, const char *what, struct berr **err)
{
        if (!*s)
                return bad(err, what, "empty cpu list");
        for (const char *c = s; *c; c++)
                if (!strchr("0123456789,-", *c))
                        return bad(err, what, "invalid cpu list '%s'", s);
        return 0;
}

static int parse_exec_cpu_affinity(jobj *o, const char *parent, struct oci_process *p, struct berr **err)
{
        char what[FIELD_MAX], fw[FIELD_MAX];
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "execCPUAffinity", what, &x, err);
        if (r <= 0)
                return r;
        r = get_strdup(x, what, "initial", &p->exec_cpu_affinity_initial, err);
        if (r < 0 || (r > 0 && check_cpu_list(p->exec_cpu_affinity_initial, fld(fw, what, "initial"), err) < 0))
                return -EINVAL;
        r = get_strdup(x, what, "final", &p->exec_cpu_affinity_final, err);
        if (r < 0 || (r > 0 && check_cpu_list(p->exec_cpu_affinity_final, fld(fw, what, "final"), err) < 0))
                return -EINVAL;
        return 0;
}

static int check_env(char **env, const char *what, struct berr **err)
{
        char ew[FIELD_MAX];

        for (size_t i = 0; env && env[i]; i++) {
                const char *eq = strchr(env[i], '=');
                if (!eq)
                        return bad(err, idx(ew, what, i), "'%s' is not of the form NAME=VALUE", env[i]);
                if (eq == env[i])
                        return bad(err, idx(ew, what, i), "empty variable name");
        }
        return 0;
}

static int parse_process_obj(jobj *o, const char *what, struct oci_process *p, struct berr **err)
{
        char fw[FIELD_MAX];
        jobj *x;
        int r;

        if (get_bool(o, what, "terminal", &p->terminal, err) < 0)
                return -EINVAL;
        r = get_obj(o, what, "consoleSize", &x, err);
        if (r < 0)
                return r;
        if (r > 0) {
                fld(fw, what, "consoleSize");
                if (get_u32(x, fw, "height", &p->console_height, err) < 0 ||
                    get_u32(x, fw, "width", &p->console_width, err) < 0)
                        return -EINVAL;
                p->has_console_size = true;
        }
        r = get_obj(o, what, "user", &x, err);
        if (r < 0)
                return r;
        if (r > 0 && parse_user(x, what, &p->user, err) < 0)
                return -EINVAL;
        if (get_strv(o, what, "args", &p->args, err) < 0)
                return -EINVAL;
        if (!p->args || !p->args[0])
                return bad(err, fld(fw, what, "args"), "must not be empty");
        if (get_strv(o, what, "env", &p->env, err) < 0 || check_env(p->env, fld(fw, what, "env"), err) < 0)
                return -EINVAL;
        r = get_strdup(o, what, "cwd", &p->cwd, err);
        if (r < 0)
                return r;
        fld(fw, what, "cwd");
        if (r == 0)
                return bad(err, fw, "required");
        if (clean_abs_path(p->cwd, fw, &p->cwd, err) < 0)
                return -EINVAL;
        if (parse_capabilities(o, what, &p->capabilities, err) < 0 || parse_rlimits(o, what, p, err) < 0)
                return -EINVAL;
        if (get_bool(o, what, "noNewPrivileges", &p->no_new_privileges, err) < 0 ||
            get_strdup(o, what, "apparmorProfile", &p->apparmor_profile, err) < 0 ||
            get_strdup(o, what, "selinuxLabel", &p->selinux_label, err) < 0)
                return -EINVAL;
        {
                int32_t adj = 0;
                r = get_i32(o, what, "oomScoreAdj", &adj, err);
                if (r < 0)
                        return r;
                if (r > 0 && (adj < -1000 || adj > 1000))
                        return bad(err, fld(fw, what, "oomScoreAdj"), "%d is out of range -1000..1000", adj);
                p->has_oom_score_adj = r > 0;
                p->oom_score_adj = adj;
        }
        if (parse_io_priority(o, what, &p->io_priority, err) < 0 || parse_scheduler(o, what, &p->scheduler, err) < 0 ||
            parse_exec_cpu_affinity(o, what, p, err) < 0)
                return -EINVAL;
        return 0;
}

void oci_process_done(struct oci_process *p)
{
        if (!p)
                return;
        free(p->user.additional_gids);
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        free(p->exec_cpu_affinity_initial);
        free(p->exec_cpu_affinity_final);
        memset(p, 0, sizeof(*p));
}

/* ---- mounts ---- */

static int parse_id_mappings(jobj *o, const char *parent, const char *key, struct oci_id_mapping **ret, size_t *ret_n,
                             struct berr **err)
{
        char what[FIELD_MAX], ew[FIELD_MAX], fw[FIELD_MAX];
        _cleanup_free_ struct oci_id_mapping *m = NULL;
        jobj *a, *e = NULL;
        size_t n;
        int r;

        r = get_arr(o, parent, key, &a, &n, err);
        if (r <= 0)
                return r;
        fld(what, parent, key);
        if (n > SPEC_MAX_ID_MAPPINGS)
                return bad(err, what, "too many mappings (%zu, the kernel takes at most %d)", n, SPEC_MAX_ID_MAPPINGS);
        m = xcalloc(n ? n : 1, sizeof(*m));
        for (size_t i = 0; i < n; i++) {
                if (elem_obj(a, i, idx(ew, what, i), &e, err) < 0)
                        return -EINVAL;
                if (get_u32(e, ew, "containerID", &m[i].container_id, err) < 0 ||
                    get_u32(e, ew, "hostID", &m[i].host_id, err) < 0 || get_u32(e, ew, "size", &m[i].size, err) < 0)
                        return -EINVAL;
                if (m[i].size == 0)
                        return bad(err, fld(fw, ew, "size"), "must be greater than 0");
                /* the last id of the range must still be a uint32_t (user_namespaces(7)) */
                if ((uint64_t)m[i].container_id + m[i].size - 1 > UINT32_MAX)
                        return bad(err, ew, "containerID + size overflows 32 bits");
                if ((uint64_t)m[i].host_id + m[i].size - 1 > UINT32_MAX)
                        return bad(err, ew, "hostID + size overflows 32 bits");
        }
        free(*ret);
        *ret = TAKE_PTR(m);
        *ret_n = n;
        return 1;
}

static void mount_done(struct oci_mount *m)
{
        free(m->destination);
        free(m->type);
        free(m->source);
        strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

static int parse_mount(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_mount *m = elem;
        const char *dest = NULL;
        char fw[FIELD_MAX];
        int r;

        r = get_str(e, ew, "destination", &dest, err);
        if (r < 0)
                return r;
        fld(fw, ew, "destination");
        if (r == 0)
                return bad(err, fw, "required");
        if (clean_abs_path(dest, fw, &m->destination, err) < 0)
                return -EINVAL;
        if (get_strdup(e, ew, "type", &m->type, err) < 0 || get_strdup(e, ew, "source", &m->source, err) < 0 ||
            get_strv(e, ew, "options", &m->options, err) < 0)
                return -EINVAL;
        if (parse_id_mappings(e, ew, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err) < 0 ||
            parse_id_mappings(e, ew, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err) < 0)
                return -EINVAL;
        if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
                return bad(err, ew, "uidMappings and gidMappings must be given together");
        return 0;
}

static int parse_mounts(jobj *o, struct oci_spec *spec, struct berr **err)
{
        return get_obj_array(o, "", "mounts", sizeof(struct oci_mount), (void **)&spec->mounts, &spec->n_mounts,
                             parse_mount, err);
}

/* ---- hooks ---- */

static int parse_hook(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_hook *hk = elem;
        char fw[FIELD_MAX];
        int32_t t = 0;
        int r;

        r = get_strdup(e, ew, "path", &hk->path, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, ew, "path"), "required");
        if (hk->path[0] != '/')
                return bad(err, fld(fw, ew, "path"), "'%s' is not an absolute path", hk->path);
        if (get_strv(e, ew, "args", &hk->args, err) < 0 || get_strv(e, ew, "env", &hk->env, err) < 0 ||
            check_env(hk->env, fld(fw, ew, "env"), err) < 0)
                return -EINVAL;
        r = get_i32(e, ew, "timeout", &t, err);
        if (r < 0)
                return r;
        if (r > 0 && t <= 0)
                return bad(err, fld(fw, ew, "timeout"), "must be greater than 0, not %d", t);
        hk->has_timeout = r > 0;
        hk->timeout = t;
        return 0;
}

static int parse_hooks(jobj *o, struct oci_spec *spec, struct berr **err)
{
        jobj *h;
        int r;

        r = get_obj(o, "", "hooks", &h, err);
        if (r <= 0)
                return r;
        for (int k = 0; k < _OCI_HOOK_MAX; k++)
                if (get_obj_array(h, "hooks", oci_hook_kind_to_string(k), sizeof(struct oci_hook),
                                  (void **)&spec->hooks.hooks[k], &spec->hooks.n_hooks[k], parse_hook, err) < 0)
                        return -EINVAL;
        return 0;
}

static void hooks_done(struct oci_hooks *h)
{
        for (int k = 0; k < _OCI_HOOK_MAX; k++) {
                for (size_t i = 0; i < h->n_hooks[k]; i++) {
                        free(h->hooks[k][i].path);
                        strv_free(h->hooks[k][i].args);
                        strv_free(h->hooks[k][i].env);
                }
                free(h->hooks[k]);
        }
}

/* ---- linux.namespaces, devices, time offsets, personality ---- */

static int parse_namespace(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_namespace *ns = elem;
        const struct oci_namespace *earlier = ns - i; /* the array's start */
        const char *type = NULL;
        char fw[FIELD_MAX];
        int r;

        r = get_str(e, ew, "type", &type, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, ew, "type"), "required");
        ns->type = oci_namespace_type_from_string(type);
        if ((int)ns->type < 0)
                return bad(err, fld(fw, ew, "type"), "unknown namespace type '%s'", type);
        for (size_t j = 0; j < i; j++)
                if (earlier[j].type == ns->type)
                        return bad(err, fld(fw, ew, "type"), "duplicate namespace '%s'", type);
        r = get_strdup(e, ew, "path", &ns->path, err);
        if (r < 0)
                return r;
        if (r > 0 && ns->path[0] != '/')
                return bad(err, fld(fw, ew, "path"), "'%s' is not an absolute path", ns->path);
        return 0;
}

static int parse_namespaces(jobj *o, const char *parent, struct oci_linux *l, struct berr **err)
{
        return get_obj_array(o, parent, "namespaces", sizeof(struct oci_namespace), (void **)&l->namespaces,
                             &l->n_namespaces, parse_namespace, err);
}

static int parse_time_offsets(jobj *o, const char *parent, struct oci_linux *l, struct berr **err)
{
        char what[FIELD_MAX], cw[FIELD_MAX];
        jobj *t;
        int r;

        r = get_obj_at(o, parent, "timeOffsets", what, &t, err);
        if (r <= 0)
                return r;
        json_object_object_foreach(t, clock, val)
        {
                struct oci_time_offset *off;
                char fw[FIELD_MAX];

                if (streq(clock, "monotonic"))
                        off = &l->time_monotonic;
                else if (streq(clock, "boottime"))
                        off = &l->time_boottime;
                else
                        return bad(err, what, "unknown clock '%s' (monotonic or boottime)", clock);
                fld(cw, what, clock);
                if (!val || json_object_get_type(val) != json_type_object)
                        return bad(err, cw, "expected object");
                if (get_i64(val, cw, "secs", &off->secs, err) < 0 ||
                    get_u32(val, cw, "nanosecs", &off->nanosecs, err) < 0)
                        return -EINVAL;
                if (off->nanosecs >= 1000000000u)
                        return bad(err, fld(fw, cw, "nanosecs"), "must be below 1000000000");
                off->present = true;
        }
        return 0;
}

static int parse_device(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        /* fileMode is checked before uid and gid are read */
        static const struct opt_field fields[] = {
                OPT_FIELD(struct oci_device, "fileMode", file_mode),
                OPT_FIELD(struct oci_device, "uid", uid),
                OPT_FIELD(struct oci_device, "gid", gid),
        };
        struct oci_device *d = elem;
        const char *type = NULL;
        int rmaj, rmin;
        char fw[FIELD_MAX];
        int r;

        r = get_str(e, ew, "type", &type, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, ew, "type"), "required");
        if (strlen(type) != 1 || !strchr("cbup", type[0]))
                return bad(err, fld(fw, ew, "type"), "unknown device type '%s' (c, b, u or p)", type);
        d->type = type[0];
        r = get_strdup(e, ew, "path", &d->path, err);
        if (r < 0)
                return r;
        fld(fw, ew, "path");
        if (r == 0)
                return bad(err, fw, "required");
        if (clean_abs_path(d->path, fw, &d->path, err) < 0)
                return -EINVAL;
        rmaj = get_i64(e, ew, "major", &d->major, err);
        rmin = rmaj < 0 ? 0 : get_i64(e, ew, "minor", &d->minor, err);
        if (rmaj < 0 || rmin < 0)
                return -EINVAL;
        if (d->type != 'p' && (rmaj == 0 || rmin == 0))
                return bad(err, fld(fw, ew, rmaj == 0 ? "major" : "minor"), "required for device type '%c'", d->type);
        /* makedev(3) takes 32-bit major and minor numbers (12 and 20 bits in the kernel) */
        if (d->major < 0 || d->major > UINT32_MAX)
                return bad(err, fld(fw, ew, "major"), "%" PRId64 " is out of range", d->major);
        if (d->minor < 0 || d->minor > UINT32_MAX)
                return bad(err, fld(fw, ew, "minor"), "%" PRId64 " is out of range", d->minor);
        if (get_opt_field(e, ew, &fields[0], d, err) < 0)
                return -EINVAL;
        if (d->has_file_mode && (d->file_mode & ~07777u))
                return bad(err, fld(fw, ew, "fileMode"), "%#o has bits beyond permissions", d->file_mode);
        if (get_opt_fields(e, ew, &fields[1], ELEMENTSOF(fields) - 1, d, err) < 0)
                return -EINVAL;
        return 0;
}

static int parse_devices(jobj *o, const char *parent, struct oci_linux *l, struct berr **err)
{
        return get_obj_array(o, parent, "devices", sizeof(struct oci_device), (void **)&l->devices, &l->n_devices,
                             parse_device, err);
}

static int parse_personality(jobj *o, const char *parent, struct oci_personality *p, struct berr **err)
{
        char what[FIELD_MAX], fw[FIELD_MAX];
        const char *domain = NULL;
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "personality", what, &x, err);
        if (r <= 0)
                return r;
        r = get_str(x, what, "domain", &domain, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, what, "domain"), "required");
        if (streq(domain, "LINUX"))
                p->domain = PER_LINUX;
        else if (streq(domain, "LINUX32"))
                p->domain = PER_LINUX32;
        else
                return bad(err, fld(fw, what, "domain"), "unknown personality domain '%s' (LINUX or LINUX32)", domain);
        if (get_strv(x, what, "flags", &p->flags, err) < 0)
                return -EINVAL;
        p->present = true;
        return 0;
}

static int parse_rootfs_propagation(jobj *o, const char *parent, struct oci_linux *l, struct berr **err)
{
        static const struct {
                const char *name;
                unsigned long flags;
        } table[] = {
                {"shared", MS_SHARED},
                {"slave", MS_SLAVE},
                {"private", MS_PRIVATE},
                {"unbindable", MS_UNBINDABLE},
                {"rshared", MS_SHARED | MS_REC},
                {"rslave", MS_SLAVE | MS_REC},
                {"rprivate", MS_PRIVATE | MS_REC},
                {"runbindable", MS_UNBINDABLE | MS_REC},
        };
        char fw[FIELD_MAX];
        const char *s = NULL;
        int r;

        r = get_str(o, parent, "rootfsPropagation", &s, err);
        if (r <= 0 || !*s) /* "" is what Go marshals for "unset" */
                return r;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].name, s)) {
                        l->rootfs_propagation = table[i].flags;
                        return 0;
                }
        return bad(err, fld(fw, parent, "rootfsPropagation"), "unknown propagation '%s'", s);
}

/* ---- linux.resources ---- */

static int parse_device_rule(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_device_rule *d = elem;
        const char *type = NULL, *access = NULL;
        char fw[FIELD_MAX];
        int r;

        r = get_bool(e, ew, "allow", &d->allow, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, fld(fw, ew, "allow"), "required");
        d->type = 'a';
        r = get_str(e, ew, "type", &type, err);
        if (r < 0)
                return r;
        if (r > 0 && *type) {
                if (strlen(type) != 1 || !strchr("acb", type[0]))
                        return bad(err, fld(fw, ew, "type"), "unknown device type '%s' (a, c or b)", type);
                d->type = type[0];
        }
        d->major = d->minor = -1;
        if (get_i64(e, ew, "major", &d->major, err) < 0 || get_i64(e, ew, "minor", &d->minor, err) < 0)
                return -EINVAL;
        if (d->major < -1 || d->major > UINT32_MAX)
                return bad(err, fld(fw, ew, "major"), "%" PRId64 " is out of range", d->major);
        if (d->minor < -1 || d->minor > UINT32_MAX)
                return bad(err, fld(fw, ew, "minor"), "%" PRId64 " is out of range", d->minor);
        r = get_str(e, ew, "access", &access, err);
        if (r < 0)
                return r;
        if (r > 0) {
                size_t len = strlen(access);
                if (len > 3)
                        return bad(err, fld(fw, ew, "access"), "'%s' is not a subset of 'rwm'", access);
                for (size_t j = 0; j < len; j++)
                        if (!strchr("rwm", access[j]) || memchr(access, access[j], j))
                                return bad(err, fld(fw, ew, "access"), "'%s' is not a subset of 'rwm'", access);
                memcpy(d->access, access, len + 1);
        }
        return 0;
}

static int parse_device_rules(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        return get_obj_array(o, parent, "devices", sizeof(struct oci_device_rule), (void **)&res->devices,
                             &res->n_devices, parse_device_rule, err);
}

static int parse_memory(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        static const struct opt_field fields[] = {
                OPT_FIELD(struct oci_memory, "limit", limit),
                OPT_FIELD(struct oci_memory, "reservation", reservation),
                OPT_FIELD(struct oci_memory, "swap", swap),
                OPT_FIELD(struct oci_memory, "kernel", kernel),
                OPT_FIELD(struct oci_memory, "kernelTCP", kernel_tcp),
                OPT_FIELD(struct oci_memory, "swappiness", swappiness),
                OPT_FIELD(struct oci_memory, "disableOOMKiller", disable_oom_killer),
                OPT_FIELD(struct oci_memory, "useHierarchy", use_hierarchy),
        };
        struct oci_memory *m = &res->memory;
        char what[FIELD_MAX], fw[FIELD_MAX];
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "memory", what, &x, err);
        if (r <= 0)
                return r;
        if (get_opt_fields(x, what, fields, ELEMENTSOF(fields), m, err) < 0)
                return -EINVAL;
        if (get_bool(x, what, "checkBeforeUpdate", &m->check_before_update, err) < 0)
                return -EINVAL;
        if (m->has_swappiness && m->swappiness > 100)
                return bad(err, fld(fw, what, "swappiness"), "%" PRIu64 " is out of range 0..100", m->swappiness);
        if (m->has_limit && m->limit < -1)
                return bad(err, fld(fw, what, "limit"), "must be -1 (unlimited) or a byte count");
        if (m->has_swap && m->swap < -1)
                return bad(err, fld(fw, what, "swap"), "must be -1 (unlimited) or a byte count");
        res->has_memory = true;
        return 0;
}

static int parse_cpu(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        static const struct opt_field fields[] = {
                OPT_FIELD(struct oci_cpu, "shares", shares),
                OPT_FIELD(struct oci_cpu, "quota", quota),
                OPT_FIELD(struct oci_cpu, "burst", burst),
                OPT_FIELD(struct oci_cpu, "period", period),
                OPT_FIELD(struct oci_cpu, "realtimeRuntime", realtime_runtime),
                OPT_FIELD(struct oci_cpu, "realtimePeriod", realtime_period),
                OPT_FIELD(struct oci_cpu, "idle", idle),
        };
        struct oci_cpu *c = &res->cpu;
        char what[FIELD_MAX], fw[FIELD_MAX];
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "cpu", what, &x, err);
        if (r <= 0)
                return r;
        if (get_opt_fields(x, what, fields, ELEMENTSOF(fields), c, err) < 0)
                return -EINVAL;
        if (get_strdup(x, what, "cpus", &c->cpus, err) < 0 || get_strdup(x, what, "mems", &c->mems, err) < 0)
                return -EINVAL;
        if (c->cpus && *c->cpus && check_cpu_list(c->cpus, fld(fw, what, "cpus"), err) < 0)
                return -EINVAL;
        if (c->mems && *c->mems && check_cpu_list(c->mems, fld(fw, what, "mems"), err) < 0)
                return -EINVAL;
        if (c->has_idle && c->idle != 0 && c->idle != 1)
                return bad(err, fld(fw, what, "idle"), "must be 0 or 1");
        res->has_cpu = true;
        return 0;
}

/*
 * The required major and minor numbers of a blockIO device entry; with rate_key,
 * a required rate too (read before any of them is found missing).
 */
static int get_blkio_device(jobj *e, const char *ew, int64_t *major, int64_t *minor, const char *rate_key,
                            uint64_t *rate, struct berr **err)
{
        char fw[FIELD_MAX];
        int rm, rn, rr = 1;

        rm = get_i64(e, ew, "major", major, err);
        rn = rm < 0 ? -EINVAL : get_i64(e, ew, "minor", minor, err);
        if (rate_key)
                rr = rn < 0 ? -EINVAL : get_u64(e, ew, rate_key, rate, err);
        if (rm < 0 || rn < 0 || rr < 0)
                return -EINVAL;
        if (rm == 0 || rn == 0 || rr == 0)
                return bad(err, fld(fw, ew, rm == 0 ? "major" : rn == 0 ? "minor" : rate_key), "required");
        if (*major < 0 || *major > UINT32_MAX || *minor < 0 || *minor > UINT32_MAX)
                return bad(err, ew, "device number out of range");
        return 0;
}

static int parse_weight_device(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        static const struct opt_field fields[] = {
                OPT_FIELD(struct oci_weight_device, "weight", weight),
                OPT_FIELD(struct oci_weight_device, "leafWeight", leaf_weight),
        };
        struct oci_weight_device *w = elem;

        if (get_blkio_device(e, ew, &w->major, &w->minor, NULL, NULL, err) < 0)
                return -EINVAL;
        return get_opt_fields(e, ew, fields, ELEMENTSOF(fields), w, err);
}

static int parse_throttle_device(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_throttle_device *t = elem;

        return get_blkio_device(e, ew, &t->major, &t->minor, "rate", &t->rate, err);
}

static int parse_block_io(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        static const char *const throttle_keys[_OCI_THROTTLE_MAX] = {
                [OCI_THROTTLE_READ_BPS] = "throttleReadBpsDevice",
                [OCI_THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
                [OCI_THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
                [OCI_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
        };
        static const struct opt_field fields[] = {
                OPT_FIELD(struct oci_block_io, "weight", weight),
                OPT_FIELD(struct oci_block_io, "leafWeight", leaf_weight),
        };
        struct oci_block_io *b = &res->block_io;
        char what[FIELD_MAX];
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "blockIO", what, &x, err);
        if (r <= 0)
                return r;
        res->has_block_io = true;
        if (get_opt_fields(x, what, fields, ELEMENTSOF(fields), b, err) < 0 ||
            get_obj_array(x, what, "weightDevice", sizeof(struct oci_weight_device), (void **)&b->weight_devices,
                          &b->n_weight_devices, parse_weight_device, err) < 0)
                return -EINVAL;
        for (int k = 0; k < _OCI_THROTTLE_MAX; k++)
                if (get_obj_array(x, what, throttle_keys[k], sizeof(struct oci_throttle_device),
                                  (void **)&b->throttle[k], &b->n_throttle[k], parse_throttle_device, err) < 0)
                        return -EINVAL;
        return 0;
}

static int parse_hugepage_limit(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_hugepage_limit *h = elem;
        char fw[FIELD_MAX];
        int r;

        r = get_strdup(e, ew, "pageSize", &h->page_size, err);
        if (r < 0)
                return r;
        if (r == 0 || !*h->page_size)
                return bad(err, fld(fw, ew, "pageSize"), "required");
        /* becomes part of a cgroup file name (hugetlb.<size>.limit_in_bytes) */
        for (const char *c = h->page_size; *c; c++)
                if (!strchr("0123456789KMGBkmgb", *c))
                        return bad(err, fld(fw, ew, "pageSize"), "invalid page size '%s'", h->page_size);
        if (get_u64(e, ew, "limit", &h->limit, err) < 0)
                return -EINVAL;
        return 0;
}

static int parse_hugepages(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        return get_obj_array(o, parent, "hugepageLimits", sizeof(struct oci_hugepage_limit),
                             (void **)&res->hugepage_limits, &res->n_hugepage_limits, parse_hugepage_limit, err);
}

static int parse_net_priority(jobj *e, const char *ew, size_t i, void *elem, struct berr **err)
{
        struct oci_net_priority *p = elem;
        char fw[FIELD_MAX];
        int r;

        r = get_strdup(e, ew, "name", &p->name, err);
        if (r < 0)
                return r;
        if (r == 0 || !*p->name)
                return bad(err, fld(fw, ew, "name"), "required");
        return get_u32(e, ew, "priority", &p->priority, err);
}

static int parse_network(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        static const struct opt_field class_id = OPT_FIELD(struct oci_resources, "classID", class_id);
        char what[FIELD_MAX];
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "network", what, &x, err);
        if (r <= 0)
                return r;
        res->has_network = true;
        if (get_opt_field(x, what, &class_id, res, err) < 0)
                return -EINVAL;
        return get_obj_array(x, what, "priorities", sizeof(struct oci_net_priority), (void **)&res->net_priorities,
                             &res->n_net_priorities, parse_net_priority, err);
}

static int parse_rdma(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        _cleanup_(strv_freep) char **v = NULL;
        char what[FIELD_MAX];
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "rdma", what, &x, err);
        if (r <= 0)
                return r;
        if ((size_t)json_object_object_length(x) > SPEC_MAX_ITEMS)
                return bad(err, what, "too many entries (at most %d)", SPEC_MAX_ITEMS);
        v = xcalloc(1, sizeof(char *));
        json_object_object_foreach(x, dev, val)
        {
                char dw[FIELD_MAX];
                uint32_t handles = 0, objects = 0;
                int rh, ro;

                /* the device name is written to rdma.max as the first word of a line */
                if (!*dev || strpbrk(dev, " \t\n/") || strlen(dev) > 64)
                        return bad(err, what, "invalid device name '%.64s'", dev);
                fld(dw, what, dev);
                if (!val || json_object_get_type(val) != json_type_object)
                        return bad(err, dw, "expected object");
                rh = get_u32(val, dw, "hcaHandles", &handles, err);
                ro = rh < 0 ? -EINVAL : get_u32(val, dw, "hcaObjects", &objects, err);
                if (rh < 0 || ro < 0)
                        return -EINVAL;
                if (rh == 0 && ro == 0)
                        continue;
                strv_push(&v, dev);
                if (rh > 0 && ro > 0)
                        strv_push_take(&v, xasprintf("hca_handle=%u hca_object=%u", handles, objects));
                else if (rh > 0)
                        strv_push_take(&v, xasprintf("hca_handle=%u", handles));
                else
                        strv_push_take(&v, xasprintf("hca_object=%u", objects));
        }
        res->rdma = TAKE_PTR(v);
        return 0;
}

static int parse_unified(jobj *o, const char *parent, struct oci_resources *res, struct berr **err)
{
        char what[FIELD_MAX];
        int r;

        r = get_map(o, parent, "unified", &res->unified, err);
        if (r <= 0)
                return r;
        fld(what, parent, "unified");
        /* keys name files in the container's cgroup directory: never anything else */
        for (char **p = res->unified; *p; p += 2)
                if (strchr(p[0], '/') || streq(p[0], ".") || streq(p[0], ".."))
                        return bad(err, what, "'%s' is not a cgroup file name", p[0]);
        return 0;
}

static int parse_resources_obj(jobj *o, const char *what, struct oci_resources *res, struct berr **err)
{
        char fw[FIELD_MAX];
        jobj *x;
        int r;

        if (parse_device_rules(o, what, res, err) < 0 || parse_memory(o, what, res, err) < 0 ||
            parse_cpu(o, what, res, err) < 0)
                return -EINVAL;
        r = get_obj(o, what, "pids", &x, err);
        if (r < 0)
                return r;
        if (r > 0) {
                r = get_i64(x, fld(fw, what, "pids"), "limit", &res->pids_limit, err);
                if (r < 0)
                        return r;
                res->has_pids = r > 0;
        }
        if (parse_block_io(o, what, res, err) < 0 || parse_hugepages(o, what, res, err) < 0 ||
            parse_network(o, what, res, err) < 0 || parse_rdma(o, what, res, err) < 0 ||
            parse_unified(o, what, res, err) < 0)
                return -EINVAL;
        return 0;
}

void oci_resources_done(struct oci_resources *r)
{
        if (!r)
                return;
        free(r->devices);
        free(r->cpu.cpus);
        free(r->cpu.mems);
        free(r->block_io.weight_devices);
        for (int k = 0; k < _OCI_THROTTLE_MAX; k++)
                free(r->block_io.throttle[k]);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->n_net_priorities; i++)
                free(r->net_priorities[i].name);
        free(r->net_priorities);
        strv_free(r->rdma);
        strv_free(r->unified);
        memset(r, 0, sizeof(*r));
}

/* ---- linux.seccomp ---- */

static bool errno_ret_allowed(enum oci_seccomp_action a)
{
        return a == OCI_SECCOMP_ERRNO || a == OCI_SECCOMP_TRACE;
}

static int parse_action(jobj *o, const char *parent, const char *key, bool required, enum oci_seccomp_action *ret,
                        struct berr **err)
{
        char fw[FIELD_MAX];
        const char *s = NULL;
        int r;

        r = get_str(o, parent, key, &s, err);
        if (r < 0)
                return r;
        if (r == 0)
                return required ? bad(err, fld(fw, parent, key), "required") : 0;
        *ret = oci_seccomp_action_from_string(s);
        if ((int)*ret < 0)
                return bad(err, fld(fw, parent, key), "unknown seccomp action '%s'", s);
        return 1;
}

static int check_names(char **v, const char *const *known, const char *what, const char *kind, struct berr **err)
{
        char ew[FIELD_MAX];

        for (size_t i = 0; v && v[i]; i++) {
                bool found = false;
                for (const char *const *k = known; *k && !found; k++)
                        found = streq(*k, v[i]);
                if (!found)
                        return bad(err, idx(ew, what, i), "unknown seccomp %s '%s'", kind, v[i]);
        }
        return 0;
}

static int parse_seccomp_args(jobj *o, const char *parent, struct oci_seccomp_rule *rule, struct berr **err)
{
        char what[FIELD_MAX], ew[FIELD_MAX], fw[FIELD_MAX];
        jobj *a, *e = NULL;
        size_t n;
        int r;

        r = get_arr(o, parent, "args", &a, &n, err);
        if (r <= 0)
                return r;
        fld(what, parent, "args");
        rule->args = xcalloc(n ? n : 1, sizeof(struct oci_seccomp_arg));
        for (size_t i = 0; i < n; i++) {
                struct oci_seccomp_arg *arg = &rule->args[rule->n_args++];
                const char *op = NULL;
                uint32_t index = 0;

                if (elem_obj(a, i, idx(ew, what, i), &e, err) < 0)
                        return -EINVAL;
                r = get_u32(e, ew, "index", &index, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        return bad(err, fld(fw, ew, "index"), "required");
                if (index > 5)
                        return bad(err, fld(fw, ew, "index"), "%u is out of range 0..5", index);
                arg->index = index;
                if (get_u64(e, ew, "value", &arg->value, err) < 0 ||
                    get_u64(e, ew, "valueTwo", &arg->value_two, err) < 0)
                        return -EINVAL;
                r = get_str(e, ew, "op", &op, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        return bad(err, fld(fw, ew, "op"), "required");
                arg->op = oci_seccomp_op_from_string(op);
                if ((int)arg->op < 0)
                        return bad(err, fld(fw, ew, "op"), "unknown seccomp operator '%s'", op);
        }
        return 0;
}

static int parse_seccomp_rules(jobj *o, const char *parent, struct oci_seccomp *sc, bool *uses_notify,
                               struct berr **err)
{
        char what[FIELD_MAX], ew[FIELD_MAX], fw[FIELD_MAX];
        jobj *a, *e = NULL;
        size_t n;
        int r;

        r = get_arr(o, parent, "syscalls", &a, &n, err);
        if (r <= 0)
                return r;
        fld(what, parent, "syscalls");
        sc->rules = xcalloc(n ? n : 1, sizeof(struct oci_seccomp_rule));
        for (size_t i = 0; i < n; i++) {
                struct oci_seccomp_rule *rule = &sc->rules[sc->n_rules++];

                if (elem_obj(a, i, idx(ew, what, i), &e, err) < 0)
                        return -EINVAL;
                if (get_strv(e, ew, "names", &rule->names, err) < 0)
                        return -EINVAL;
                if (!rule->names || !rule->names[0])
                        return bad(err, fld(fw, ew, "names"), "must not be empty");
                for (size_t j = 0; rule->names[j]; j++)
                        if (!*rule->names[j]) {
                                char nw[FIELD_MAX];
                                return bad(err, idx(nw, fld(fw, ew, "names"), j), "empty syscall name");
                        }
                if (parse_action(e, ew, "action", true, &rule->action, err) < 0)
                        return -EINVAL;
                if (rule->action == OCI_SECCOMP_NOTIFY)
                        *uses_notify = true;
                r = get_u32(e, ew, "errnoRet", &rule->errno_ret, err);
                if (r < 0)
                        return r;
                rule->has_errno_ret = r > 0;
                if (rule->has_errno_ret && !errno_ret_allowed(rule->action))
                        return bad(err, fld(fw, ew, "errnoRet"), "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
                if (parse_seccomp_args(e, ew, rule, err) < 0)
                        return -EINVAL;
        }
        return 0;
}

static void seccomp_free(struct oci_seccomp *sc)
{
        if (!sc)
                return;
        strv_free(sc->architectures);
        strv_free(sc->flags);
        free(sc->listener_path);
        free(sc->listener_metadata);
        for (size_t i = 0; i < sc->n_rules; i++) {
                strv_free(sc->rules[i].names);
                free(sc->rules[i].args);
        }
        free(sc->rules);
        free(sc);
}

static int parse_seccomp(jobj *o, const char *parent, struct oci_linux *l, struct berr **err)
{
        char what[FIELD_MAX], fw[FIELD_MAX];
        struct oci_seccomp *sc;
        bool uses_notify = false;
        jobj *x;
        int r;

        r = get_obj_at(o, parent, "seccomp", what, &x, err);
        if (r <= 0)
                return r;
        sc = l->seccomp = xzalloc(sizeof(*sc));
        if (parse_action(x, what, "defaultAction", true, &sc->default_action, err) < 0)
                return -EINVAL;
        /* a filter that sends every syscall to the agent cannot even send the listener fd (runc refuses it too) */
        if (sc->default_action == OCI_SECCOMP_NOTIFY)
                return bad(err, fld(fw, what, "defaultAction"), "SCMP_ACT_NOTIFY cannot be the default action");
        r = get_u32(x, what, "defaultErrnoRet", &sc->default_errno_ret, err);
        if (r < 0)
                return r;
        sc->has_default_errno_ret = r > 0;
        if (sc->has_default_errno_ret && !errno_ret_allowed(sc->default_action))
                return bad(err, fld(fw, what, "defaultErrnoRet"), "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
        if (get_strv(x, what, "architectures", &sc->architectures, err) < 0 ||
            check_names(sc->architectures, oci_seccomp_arch_names(), fld(fw, what, "architectures"), "architecture",
                        err) < 0)
                return -EINVAL;
        if (get_strv(x, what, "flags", &sc->flags, err) < 0 ||
            check_names(sc->flags, oci_seccomp_flag_names(), fld(fw, what, "flags"), "flag", err) < 0)
                return -EINVAL;
        r = get_strdup(x, what, "listenerPath", &sc->listener_path, err);
        if (r < 0)
                return r;
        if (r > 0 && sc->listener_path[0] != '/')
                return bad(err, fld(fw, what, "listenerPath"), "'%s' is not an absolute path", sc->listener_path);
        if (get_strdup(x, what, "listenerMetadata", &sc->listener_metadata, err) < 0)
                return -EINVAL;
        if (parse_seccomp_rules(x, what, sc, &uses_notify, err) < 0)
                return -EINVAL;
        if (uses_notify && !sc->listener_path)
                return bad(err, fld(fw, what, "listenerPath"), "required when SCMP_ACT_NOTIFY is used");
        return 0;
}

/* ---- linux ---- */

static int parse_linux(jobj *o, struct oci_linux *l, struct berr **err)
{
        const char *what = "linux";
        char fw[FIELD_MAX];
        jobj *x;
        int r;

        if (parse_namespaces(o, what, l, err) < 0 ||
            parse_id_mappings(o, what, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err) < 0 ||
            parse_id_mappings(o, what, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err) < 0 ||
            parse_time_offsets(o, what, l, err) < 0 || parse_devices(o, what, l, err) < 0)
                return -EINVAL;
        if (get_strdup(o, what, "cgroupsPath", &l->cgroups_path, err) < 0)
                return -EINVAL;
        r = get_obj(o, what, "resources", &x, err);
        if (r < 0)
                return r;
        if (r > 0) {
                l->has_resources = true;
                if (parse_resources_obj(x, fld(fw, what, "resources"), &l->resources, err) < 0)
                        return -EINVAL;
        }
        if (get_map(o, what, "sysctl", &l->sysctl, err) < 0)
                return -EINVAL;
        if (parse_seccomp(o, what, l, err) < 0 || parse_rootfs_propagation(o, what, l, err) < 0)
                return -EINVAL;
        if (get_strv(o, what, "maskedPaths", &l->masked_paths, err) < 0 ||
            check_abs_strv(l->masked_paths, fld(fw, what, "maskedPaths"), err) < 0 ||
            get_strv(o, what, "readonlyPaths", &l->readonly_paths, err) < 0 ||
            check_abs_strv(l->readonly_paths, fld(fw, what, "readonlyPaths"), err) < 0)
                return -EINVAL;
        if (get_strdup(o, what, "mountLabel", &l->mount_label, err) < 0)
                return -EINVAL;
        return parse_personality(o, what, &l->personality, err);
}

static void linux_done(struct oci_linux *l)
{
        for (size_t i = 0; i < l->n_namespaces; i++)
                free(l->namespaces[i].path);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                free(l->devices[i].path);
        free(l->devices);
        free(l->cgroups_path);
        oci_resources_done(&l->resources);
        strv_free(l->sysctl);
        seccomp_free(l->seccomp);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        strv_free(l->personality.flags);
}

/* ---- cross-field rules ---- */

static int validate_spec(const struct oci_spec *spec, struct berr **err)
{
        const struct oci_linux *l = &spec->linux;
        const struct oci_namespace *userns = NULL, *timens = NULL;
        bool has_user = spec_has_namespace(spec, OCI_NS_USER, &userns);
        bool has_time = spec_has_namespace(spec, OCI_NS_TIME, &timens);

        if ((l->n_uid_mappings || l->n_gid_mappings) && !has_user)
                return bad(err, l->n_uid_mappings ? "linux.uidMappings" : "linux.gidMappings",
                           "mappings need a user namespace in linux.namespaces");
        /* a new user namespace is useless without maps, and writing none leaves the child as nobody */
        if (has_user && !userns->path && (!l->n_uid_mappings || !l->n_gid_mappings))
                return bad(err, !l->n_uid_mappings ? "linux.uidMappings" : "linux.gidMappings",
                           "required when a new user namespace is created");
        if ((l->time_monotonic.present || l->time_boottime.present) && (!has_time || timens->path))
                return bad(err, "linux.timeOffsets", "offsets need a new time namespace in linux.namespaces");
        if (spec->hostname && *spec->hostname && !spec_has_namespace(spec, OCI_NS_UTS, NULL))
                return bad(err, "hostname", "setting the hostname needs a UTS namespace");
        if (spec->domainname && *spec->domainname && !spec_has_namespace(spec, OCI_NS_UTS, NULL))
                return bad(err, "domainname", "setting the domainname needs a UTS namespace");
        return 0;
}

/* ---- top level ---- */

static int parse_root(jobj *o, struct oci_spec *spec, struct berr **err)
{
        jobj *x;
        int r;

        r = get_obj(o, "", "root", &x, err);
        if (r < 0)
                return r;
        if (r == 0)
                return bad(err, "root", "required");
        r = get_strdup(x, "root", "path", &spec->root_path, err);
        if (r < 0)
                return r;
        if (r == 0 || !*spec->root_path)
                return bad(err, "root.path", "required");
        return get_bool(x, "root", "readonly", &spec->root_readonly, err);
}

/* Reads a decimal number of at most 9 digits at *s. */
static bool semver_number(const char **s, unsigned *ret)
{
        unsigned v = 0;
        int n = 0;

        for (; **s >= '0' && **s <= '9' && n < 9; (*s)++, n++)
                v = v * 10 + (unsigned)(**s - '0');
        *ret = v;
        return n > 0 && !(**s >= '0' && **s <= '9');
}

/*
 * ociVersion is a SemVer 2.0 string. Only major version 1 is understood; a
 * newer minor version is accepted because unknown fields are ignored anyway
 * (runtime-spec "Extensibility"), but "invalid" or "2.0.0" must be refused.
 */
static int check_oci_version(const char *v, struct berr **err)
{
        const char *s = v;
        unsigned major, minor, patch;

        if (!semver_number(&s, &major) || *s++ != '.' || !semver_number(&s, &minor) || *s++ != '.' ||
            !semver_number(&s, &patch))
                return bad(err, "ociVersion", "'%s' is not a SemVer version", v);
        if (*s && *s != '-' && *s != '+')
                return bad(err, "ociVersion", "'%s' is not a SemVer version", v);
        for (const char *c = s; *c; c++)
                if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-+", *c))
                        return bad(err, "ociVersion", "'%s' is not a SemVer version", v);
        if (major != 1)
                return bad(err, "ociVersion", "version '%s' is not supported (1.x.y)", v);
        return 0;
}

/* sethostname(2) and setdomainname(2) take at most 64 bytes (__NEW_UTS_LEN). */
#define UTS_NAME_MAX 64

static int parse_uts_name(jobj *o, const char *key, char **ret, struct berr **err)
{
        int r = get_strdup(o, "", key, ret, err);

        if (r > 0 && strlen(*ret) > UTS_NAME_MAX)
                return bad(err, key, "longer than %d bytes", UTS_NAME_MAX);
        return r;
}

static int parse_top(jobj *o, struct oci_spec *spec, struct berr **err)
{
        jobj *x;
        int r;

        r = get_strdup(o, "", "ociVersion", &spec->oci_version, err);
        if (r < 0)
                return r;
        if (r == 0 || !*spec->oci_version)
                return bad(err, "ociVersion", "required");
        if (check_oci_version(spec->oci_version, err) < 0)
                return -EINVAL;
        if (parse_root(o, spec, err) < 0)
                return -EINVAL;
        r = get_obj(o, "", "process", &x, err);
        if (r < 0)
                return r;
        if (r > 0) {
                spec->has_process = true;
                if (parse_process_obj(x, "process", &spec->process, err) < 0)
                        return -EINVAL;
        }
        if (parse_uts_name(o, "hostname", &spec->hostname, err) < 0 ||
            parse_uts_name(o, "domainname", &spec->domainname, err) < 0)
                return -EINVAL;
        if (parse_mounts(o, spec, err) < 0 || parse_hooks(o, spec, err) < 0)
                return -EINVAL;
        if (get_map(o, "", "annotations", &spec->annotations, err) < 0)
                return -EINVAL;
        r = get_obj(o, "", "linux", &x, err);
        if (r < 0)
                return r;
        if (r > 0 && parse_linux(x, &spec->linux, err) < 0)
                return -EINVAL;
        return validate_spec(spec, err);
}

/* Every rejected value is bad input to the caller (EINVAL), whether a range or a type was wrong. */
static int input_error(struct berr **err)
{
        if (err && *err)
                (*err)->code = EINVAL;
        return -EINVAL;
}

/* Parses data into a JSON object, refusing anything else at the top. */
static int parse_document(const char *data, size_t len, const char *what, jobj **ret, struct berr **err)
{
        _cleanup_json_ jobj *o = NULL;
        int r;

        if (len > SPEC_MAX_BYTES)
                return berr_set(err, EFBIG, "%s: larger than %u bytes", what, SPEC_MAX_BYTES);
        r = json_parse_buf(data, len, &o, err);
        if (r < 0) {
                (void)berr_wrap(err, "%s", what); /* -EIO when err is NULL: keep r */
                return r;
        }
        if (json_object_get_type(o) != json_type_object)
                return bad(err, what, "expected a JSON object");
        *ret = TAKE_PTR(o);
        return 0;
}

int spec_parse(const char *data, size_t len, struct oci_spec **ret, struct berr **err)
{
        _cleanup_json_ jobj *o = NULL;
        _cleanup_(spec_freep) struct oci_spec *spec = NULL;
        int r;

        r = parse_document(data, len, "config.json", &o, err);
        if (r < 0)
                return r;
        spec = xzalloc(sizeof(*spec));
        r = parse_top(o, spec, err);
        if (r < 0)
                return input_error(err);
        *ret = TAKE_PTR(spec);
        return 0;
}

int spec_load_bundle(const char *bundle, struct oci_spec **ret, struct berr **err)
{
        _cleanup_free_ char *path = path_join(bundle, "config.json");
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r;

        r = read_file_at(AT_FDCWD, path, SPEC_MAX_BYTES, &data, &len, err);
        if (r < 0) {
                (void)berr_wrap(err, "read '%s'", path);
                return r;
        }
        r = spec_parse(data, len, ret, err);
        if (r < 0) {
                (void)berr_wrap(err, "'%s'", path);
                return r;
        }
        return 0;
}

int spec_parse_process(const char *data, size_t len, struct oci_process *ret, struct berr **err)
{
        _cleanup_json_ jobj *o = NULL;
        struct oci_process p = {};
        int r;

        r = parse_document(data, len, "process", &o, err);
        if (r < 0)
                return r;
        r = parse_process_obj(o, "process", &p, err);
        if (r < 0) {
                oci_process_done(&p);
                return input_error(err);
        }
        *ret = p;
        return 0;
}

int spec_parse_resources(const char *data, size_t len, struct oci_resources *ret, struct berr **err)
{
        _cleanup_json_ jobj *o = NULL;
        struct oci_resources res = {};
        int r;

        r = parse_document(data, len, "resources", &o, err);
        if (r < 0)
                return r;
        r = parse_resources_obj(o, "resources", &res, err);
        if (r < 0) {
                oci_resources_done(&res);
                return input_error(err);
        }
        *ret = res;
        return 0;
}

struct oci_spec *spec_free(struct oci_spec *spec)
{
        if (!spec)
                return NULL;
        free(spec->oci_version);
        free(spec->root_path);
        oci_process_done(&spec->process);
        free(spec->hostname);
        free(spec->domainname);
        for (size_t i = 0; i < spec->n_mounts; i++)
                mount_done(&spec->mounts[i]);
        free(spec->mounts);
        hooks_done(&spec->hooks);
        strv_free(spec->annotations);
        linux_done(&spec->linux);
        free(spec);
        return NULL;
}

bool spec_has_namespace(const struct oci_spec *spec, enum oci_namespace_type type, const struct oci_namespace **ret)
{
        for (size_t i = 0; i < spec->linux.n_namespaces; i++)
                if (spec->linux.namespaces[i].type == type) {
                        if (ret)
                                *ret = &spec->linux.namespaces[i];
                        return true;
                }
        return false;
}

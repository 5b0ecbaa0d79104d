/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Docker image references. The grammar and the normalisation follow docker's
 * distribution/reference package, so that "berth images" and "docker images"
 * agree on what a name means, but this is a hand-written recursive parser
 * rather than a regular expression engine: every rule is checked in one pass
 * and each failure says which part was wrong. Looking a reference up in the
 * store is left to image.c.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
        return is_alnum(c) || c == '_';
}

/* component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )* over s[0..n) */
static bool path_component_ok(const char *s, size_t n)
{
        size_t i = 0;

        if (n == 0 || !is_lower_alnum(s[0]))
                return false;
        while (i < n) {
                while (i < n && is_lower_alnum(s[i]))
                        i++;
                if (i == n)
                        return true;
                if (s[i] == '.')
                        i++;
                else if (s[i] == '_')
                        i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
                else if (s[i] == '-')
                        while (i < n && s[i] == '-')
                                i++;
                else
                        return false;
                if (i == n || !is_lower_alnum(s[i]))
                        return false;
        }
        return true;
}

static bool path_ok(const char *s, size_t n)
{
        size_t start = 0;

        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == '/') {
                        if (!path_component_ok(s + start, i - start))
                                return false;
                        start = i + 1;
                }
        }
        return true;
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool domain_name_ok(const char *s, size_t n)
{
        size_t start = 0;

        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == '.') {
                        size_t len = i - start;

                        if (len == 0 || !is_alnum(s[start]) || !is_alnum(s[i - 1]))
                                return false;
                        for (size_t j = start; j < i; j++)
                                if (!is_alnum(s[j]) && s[j] != '-')
                                        return false;
                        start = i + 1;
                }
        }
        return true;
}

/* domain := ( domain-name | "[" [a-fA-F0-9:]+ "]" ) [ ":" [0-9]+ ] */
static bool domain_ok(const char *s, size_t n)
{
        size_t host_end;

        if (n == 0)
                return false;
        if (s[0] == '[') {
                const char *close = memchr(s, ']', n);

                if (!close || close == s + 1)
                        return false;
                for (const char *p = s + 1; p < close; p++)
                        if (!isxdigit((unsigned char)*p) && *p != ':')
                                return false;
                host_end = (size_t)(close - s) + 1;
        } else {
                const char *colon = memchr(s, ':', n);

                host_end = colon ? (size_t)(colon - s) : n;
                if (!domain_name_ok(s, host_end))
                        return false;
        }
        if (host_end == n)
                return true;
        if (s[host_end] != ':' || host_end + 1 == n)
                return false;
        for (size_t i = host_end + 1; i < n; i++)
                if (!isdigit((unsigned char)s[i]))
                        return false;
        return true;
}

bool image_ref_tag_is_valid(const char *tag)
{
        size_t n = strlen(tag);

        if (n == 0 || n > REF_TAG_MAX || !is_word(tag[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_word(tag[i]) && tag[i] != '.' && tag[i] != '-')
                        return false;
        return true;
}

/* digest := algorithm ":" hex, algorithm := [A-Za-z][A-Za-z0-9]* ( [+._-] [A-Za-z][A-Za-z0-9]* )*,
 * hex := [0-9a-fA-F]{32,}; then the algorithm must be known and the hex of its length, lowercase,
 * as go-digest's Validate() demands. */
static int digest_check(const char *d, struct berr **err)
{
        static const struct {
                const char *name;
                size_t len;
        } known[] = {{"sha256", 64}, {"sha384", 96}, {"sha512", 128}};
        const char *colon = strchr(d, ':');
        size_t alen, hlen;

        if (!colon || colon == d)
                return berr_set(err, EINVAL, "invalid reference format");
        alen = (size_t)(colon - d);
        for (size_t i = 0; i < alen; i++) {
                bool sep = strchr("+._-", d[i]) != NULL;

                if (sep && (i == 0 || i + 1 == alen || strchr("+._-", d[i - 1])))
                        return berr_set(err, EINVAL, "invalid reference format");
                if (!sep && !is_alnum(d[i]))
                        return berr_set(err, EINVAL, "invalid reference format");
                if (!sep && isdigit((unsigned char)d[i]) && (i == 0 || strchr("+._-", d[i - 1])))
                        return berr_set(err, EINVAL, "invalid reference format");
        }
        hlen = strlen(colon + 1);
        if (hlen < 32)
                return berr_set(err, EINVAL, "invalid reference format");
        for (size_t i = 0; i < hlen; i++)
                if (!isxdigit((unsigned char)colon[1 + i]))
                        return berr_set(err, EINVAL, "invalid reference format");
        for (size_t k = 0; k < ELEMENTSOF(known); k++) {
                if (strlen(known[k].name) != alen || strncmp(d, known[k].name, alen) != 0)
                        continue;
                if (hlen != known[k].len)
                        return berr_set(err, EINVAL, "invalid checksum digest length");
                for (size_t i = 0; i < hlen; i++)
                        if (isupper((unsigned char)colon[1 + i]))
                                return berr_set(err, EINVAL, "invalid checksum digest format");
                return 0;
        }
        return berr_set(err, EINVAL, "unsupported digest algorithm");
}

/* The name part: a domain is taken when the first component is a valid domain and the rest a valid
 * path (the greedy optional group of docker's anchored name regexp); otherwise all of it is a path. */
static int split_name(const char *name, size_t n, struct image_ref *ref)
{
        const char *slash = memchr(name, '/', n);

        if (slash && domain_ok(name, (size_t)(slash - name)) && path_ok(slash + 1, n - (size_t)(slash - name) - 1)) {
                ref->registry = xstrndup(name, (size_t)(slash - name));
                ref->repository = xstrndup(slash + 1, n - (size_t)(slash - name) - 1);
                return 0;
        }
        if (!path_ok(name, n))
                return -EINVAL;
        ref->repository = xstrndup(name, n);
        return 0;
}

static bool has_upper(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (isupper((unsigned char)s[i]))
                        return true;
        return false;
}

static int parse_strict(const char *s, struct image_ref **ret, struct berr **err)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = xzalloc(sizeof(*ref));
        const char *at, *colon, *slash;
        size_t name_len;
        int r;

        if (!s || !*s)
                return berr_set(err, EINVAL,
                                "invalid reference format: repository name must have at least one component");
        if (strlen(s) > REF_INPUT_MAX)
                return berr_set(err, EINVAL, "invalid reference format: too long");
        at = strchr(s, '@');
        name_len = at ? (size_t)(at - s) : strlen(s);
        if (at) {
                ref->digest = xstrdup(at + 1);
                if (strchr(ref->digest, '@'))
                        return berr_set(err, EINVAL, "invalid reference format");
        }
        /* A tag is after the last ':' when no '/' follows it; otherwise that ':' belongs to a port. */
        colon = memrchr(s, ':', name_len);
        slash = memrchr(s, '/', name_len);
        if (colon && (!slash || colon > slash)) {
                ref->tag = xstrndup(colon + 1, name_len - (size_t)(colon - s) - 1);
                name_len = (size_t)(colon - s);
                if (!image_ref_tag_is_valid(ref->tag))
                        return berr_set(err, EINVAL, "invalid reference format");
        }
        if (name_len == 0)
                return berr_set(err, EINVAL, "invalid reference format");
        if (split_name(s, name_len, ref) < 0) {
                _cleanup_free_ char *lower = xstrndup(s, name_len);
                _cleanup_(image_ref_freep) struct image_ref *probe = xzalloc(sizeof(*probe));

                for (char *p = lower; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
                if (has_upper(s, name_len) && split_name(lower, name_len, probe) == 0)
                        return berr_set(err, EINVAL, "invalid reference format: repository name must be lowercase");
                return berr_set(err, EINVAL, "invalid reference format");
        }
        if (name_len > REF_NAME_MAX)
                return berr_set(err, EINVAL,
                                "invalid reference format: repository name must not be more than %d characters",
                                REF_NAME_MAX);
        if (ref->digest) {
                r = digest_check(ref->digest, err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(ref);
        return 0;
}

int image_ref_parse_strict(const char *s, struct image_ref **ret, struct berr **err)
{
        return parse_strict(s, ret, err);
}

static bool is_hex64(const char *s)
{
        if (strlen(s) != 64)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

int image_ref_parse_normalized(const char *s, struct image_ref **ret, struct berr **err)
{
        _cleanup_free_ char *domain = NULL, *remainder = NULL, *full = NULL;
        const char *slash;
        char *p;

        if (!s || !*s)
                return berr_set(err, EINVAL,
                                "invalid reference format: repository name must have at least one component");
        if (strlen(s) > REF_INPUT_MAX)
                return berr_set(err, EINVAL, "invalid reference format: too long");
        if (is_hex64(s))
                return berr_set(err, EINVAL, "invalid repository name (%s), cannot specify 64-byte hexadecimal strings",
                                s);
        /* splitDockerDomain: the first component is a registry when it has a '.' or a ':', is
         * "localhost", or has an uppercase letter. */
        slash = strchr(s, '/');
        if (slash) {
                _cleanup_free_ char *first = xstrndup(s, (size_t)(slash - s));

                if (strpbrk(first, ".:") || streq(first, "localhost") || has_upper(first, strlen(first))) {
                        domain = TAKE_PTR(first);
                        remainder = xstrdup(slash + 1);
                }
        }
        if (!domain) {
                domain = xstrdup(REF_DEFAULT_DOMAIN);
                remainder = xstrdup(s);
        }
        if (streq(domain, "index.docker.io")) {
                free(domain);
                domain = xstrdup(REF_DEFAULT_DOMAIN);
        }
        if (streq(domain, REF_DEFAULT_DOMAIN) && !strchr(remainder, '/')) {
                char *lib = xasprintf("library/%s", remainder);
                free(remainder);
                remainder = lib;
        }
        /* As docker does, the part before the first ':' must be lowercase. */
        p = remainder + strcspn(remainder, ":");
        if (has_upper(remainder, (size_t)(p - remainder))) {
                *p = 0;
                return berr_set(err, EINVAL, "invalid reference format: repository name (%s) must be lowercase",
                                remainder);
        }
        full = xasprintf("%s/%s", domain, remainder);
        return parse_strict(full, ret, err);
}

int image_ref_parse(const char *s, struct image_ref **ret, struct berr **err)
{
        struct image_ref *ref = NULL;
        int r;

        r = image_ref_parse_normalized(s, &ref, err);
        if (r < 0)
                return r;
        if (!ref->tag && !ref->digest)
                ref->tag = xstrdup(REF_DEFAULT_TAG);
        *ret = ref;
        return 0;
}

struct image_ref *image_ref_free(struct image_ref *ref)
{
        if (!ref)
                return NULL;
        free(ref->registry);
        free(ref->repository);
        free(ref->tag);
        free(ref->digest);
        free(ref);
        return NULL;
}

struct image_ref *image_ref_dup(const struct image_ref *ref)
{
        struct image_ref *n = xzalloc(sizeof(*n));

        n->registry = xstrdup(ref->registry);
        n->repository = xstrdup(ref->repository);
        n->tag = xstrdup(ref->tag);
        n->digest = xstrdup(ref->digest);
        return n;
}

char *image_ref_name(const struct image_ref *ref)
{
        if (!ref->registry)
                return xstrdup(ref->repository);
        return xasprintf("%s/%s", ref->registry, ref->repository);
}

static char *with_suffixes(char *name, const struct image_ref *ref)
{
        char *s = xasprintf("%s%s%s%s%s", name, ref->tag ? ":" : "", ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                            ref->digest ? ref->digest : "");
        free(name);
        return s;
}

char *image_ref_string(const struct image_ref *ref)
{
        return with_suffixes(image_ref_name(ref), ref);
}

char *image_ref_name_tag(const struct image_ref *ref)
{
        _cleanup_free_ char *name = NULL;

        if (!ref->tag)
                return NULL;
        name = image_ref_name(ref);
        return xasprintf("%s:%s", name, ref->tag);
}

char *image_ref_familiar_name(const struct image_ref *ref)
{
        const char *rest;

        if (!ref->registry || !streq(ref->registry, REF_DEFAULT_DOMAIN))
                return image_ref_name(ref);
        rest = startswith(ref->repository, "library/");
        if (rest && !strchr(rest, '/'))
                return xstrdup(rest);
        return xstrdup(ref->repository);
}

char *image_ref_familiar_string(const struct image_ref *ref)
{
        return with_suffixes(image_ref_familiar_name(ref), ref);
}

char *image_ref_familiarize(const char *full)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;

        if (image_ref_parse_normalized(full, &ref, NULL) < 0)
                return xstrdup(full);
        return image_ref_familiar_string(ref);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Digests of content: OpenSSL's SHA-256/SHA-512 code does the hashing (its
 * assembly picks the fastest implementation for the CPU, SHA-NI included),
 * this file adds the "algorithm:hex" text form used by OCI descriptors and its
 * strict parsing. Callers decide what a digest identifies; nothing here
 * touches the store.
 *
 * Why the SHA256_Init() family and not EVP: in OpenSSL 3 every EVP digest goes
 * through the provider machinery, and a static libcrypto then brings the whole
 * default provider (every cipher, key manager and encoder: 340 KiB of pointer
 * tables). In the PIE CLI each of its 85 pages is rewritten by the dynamic
 * loader at every start, one copy-on-write fault each, and the first digest
 * set up the provider store (about 1 ms). The low-level functions run the same
 * assembly without either. OpenSSL 3 marks them deprecated, not removed.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/util.h"

#ifdef OPENSSL_NO_DEPRECATED_3_0
#error "lib/digest.c needs OpenSSL's SHA256_Init() family (a libcrypto built without no-deprecated)"
#endif

struct digester {
        enum digest_algo algo;
        union {
                SHA256_CTX sha256;
                SHA512_CTX sha512;
        } ctx;
};

static const struct {
        const char *name;
        size_t hex_len;
} algos[_DIGEST_ALGO_MAX] = {
        [DIGEST_SHA256] = {"sha256", DIGEST_SHA256_HEX_LEN},
        [DIGEST_SHA512] = {"sha512", DIGEST_SHA512_HEX_LEN},
};

const char *digest_algo_name(enum digest_algo algo)
{
        if (algo < 0 || algo >= _DIGEST_ALGO_MAX)
                return NULL;
        return algos[algo].name;
}

bool digest_is_hex(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return s[n] == 0;
}

int digest_parse(const char *s, struct digest *ret, struct berr **err)
{
        const char *colon;

        if (!s || !*s)
                return berr_set(err, EINVAL, "invalid digest: empty");
        colon = strchr(s, ':');
        if (!colon)
                return berr_set(err, EINVAL, "invalid digest '%.80s': missing algorithm", s);
        for (int a = 0; a < _DIGEST_ALGO_MAX; a++) {
                size_t n = strlen(algos[a].name);

                if ((size_t)(colon - s) != n || strncmp(s, algos[a].name, n) != 0)
                        continue;
                if (strlen(colon + 1) != algos[a].hex_len)
                        return berr_set(err, EINVAL, "invalid digest '%.80s': %s needs %zu hex digits", s,
                                        algos[a].name, algos[a].hex_len);
                if (!digest_is_hex(colon + 1, algos[a].hex_len))
                        return berr_set(err, EINVAL, "invalid digest '%.80s': not lowercase hex", s);
                ret->algo = (enum digest_algo)a;
                memcpy(ret->hex, colon + 1, algos[a].hex_len + 1);
                return 0;
        }
        return berr_set(err, EINVAL, "invalid digest '%.80s': unsupported algorithm", s);
}

bool digest_is_sha256(const char *s)
{
        const char *p = s ? startswith(s, "sha256:") : NULL;

        return p && strlen(p) == DIGEST_SHA256_HEX_LEN && digest_is_hex(p, DIGEST_SHA256_HEX_LEN);
}

const char *digest_format(const struct digest *d, char *buf)
{
        snprintf(buf, DIGEST_STRING_MAX, "%s:%s", digest_algo_name(d->algo), d->hex);
        return buf;
}

struct digester *digester_new(enum digest_algo algo)
{
        struct digester *h = xzalloc(sizeof(*h));
        int ok = algo == DIGEST_SHA512 ? SHA512_Init(&h->ctx.sha512) : SHA256_Init(&h->ctx.sha256);

        if (ok != 1)
                abort(); /* cannot fail: the context is plain memory */
        h->algo = algo == DIGEST_SHA512 ? DIGEST_SHA512 : DIGEST_SHA256;
        return h;
}

void digester_update(struct digester *h, const void *data, size_t len)
{
        int ok;

        if (!len)
                return;
        ok = h->algo == DIGEST_SHA512 ? SHA512_Update(&h->ctx.sha512, data, len)
                                      : SHA256_Update(&h->ctx.sha256, data, len);
        if (ok != 1)
                abort();
}

void digester_final(struct digester *h, struct digest *ret)
{
        static const char hexd[] = "0123456789abcdef";
        unsigned char md[SHA512_DIGEST_LENGTH];
        size_t n = h->algo == DIGEST_SHA512 ? SHA512_DIGEST_LENGTH : SHA256_DIGEST_LENGTH;
        int ok = h->algo == DIGEST_SHA512 ? SHA512_Final(md, &h->ctx.sha512) : SHA256_Final(md, &h->ctx.sha256);

        if (ok != 1)
                abort();
        ret->algo = h->algo;
        for (size_t i = 0; i < n; i++) {
                ret->hex[2 * i] = hexd[md[i] >> 4];
                ret->hex[2 * i + 1] = hexd[md[i] & 15];
        }
        ret->hex[2 * n] = 0;
}

struct digester *digester_free(struct digester *h)
{
        if (!h)
                return NULL;
        OPENSSL_cleanse(h, sizeof(*h));
        free(h);
        return NULL;
}

const char *digest_sha256_buf(const void *data, size_t len, char *buf)
{
        struct digester *h = digester_new(DIGEST_SHA256);
        struct digest d;

        digester_update(h, data, len);
        digester_final(h, &d);
        digester_free(h);
        return digest_format(&d, buf);
}

int digest_sha256_fd(int fd, char *buf, uint64_t *ret_size, struct berr **err)
{
        _cleanup_(digester_freep) struct digester *h = digester_new(DIGEST_SHA256);
        char chunk[65536];
        uint64_t total = 0;
        struct digest d;

        for (;;) {
                ssize_t n = read(fd, chunk, sizeof(chunk));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berr_sys(err, "read for digest");
                if (n == 0)
                        break;
                digester_update(h, chunk, (size_t)n);
                total += (uint64_t)n;
        }
        digester_final(h, &d);
        digest_format(&d, buf);
        if (ret_size)
                *ret_size = total;
        return 0;
}

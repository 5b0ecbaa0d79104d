/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Content digests "algorithm:hex" (OCI image-spec descriptor digests):
 * streaming SHA-256 (and SHA-512 for parsing/verification) on OpenSSL's SHA
 * functions, plus strict parsing and formatting.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berr;

enum digest_algo {
        DIGEST_SHA256,
        DIGEST_SHA512,
        _DIGEST_ALGO_MAX,
        _DIGEST_ALGO_INVALID = -22,
};

#define DIGEST_SHA256_HEX_LEN 64
#define DIGEST_SHA512_HEX_LEN 128
/* "sha512:" + 128 hex + NUL */
#define DIGEST_STRING_MAX 136

/* A parsed digest: the algorithm and its lowercase hex, NUL-terminated. */
struct digest {
        enum digest_algo algo;
        char hex[DIGEST_SHA512_HEX_LEN + 1];
};

/* Parses "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>". Returns 0 or -EINVAL with an
 * error naming the problem. */
int digest_parse(const char *s, struct digest *ret, struct berr **err);
/* True for a valid "sha256:<hex>" string. */
bool digest_is_sha256(const char *s);
/* True for a string of n lowercase hex digits (s may be longer only if s[n] == 0). */
bool digest_is_hex(const char *s, size_t n);
/* "sha256:" etc. Borrowed static string. */
const char *digest_algo_name(enum digest_algo algo);
/* Writes "algo:hex" into buf (DIGEST_STRING_MAX bytes). Returns buf. */
const char *digest_format(const struct digest *d, char *buf);

/* Streaming hasher. */
struct digester;
struct digester *digester_new(enum digest_algo algo); /* aborts on OOM */
void digester_update(struct digester *h, const void *data, size_t len);
/* Finishes and writes the digest; the hasher can then only be freed. */
void digester_final(struct digester *h, struct digest *ret);
struct digester *digester_free(struct digester *h);
static inline void digester_freep(struct digester **p)
{
        if (*p)
                digester_free(*p);
}

/* One-shot SHA-256 of a buffer as "sha256:<hex>" into buf (DIGEST_STRING_MAX bytes). */
const char *digest_sha256_buf(const void *data, size_t len, char *buf);
/* SHA-256 of everything readable from fd (from its current offset), with the byte count. */
int digest_sha256_fd(int fd, char *buf, uint64_t *ret_size, struct berr **err);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Image references as docker writes them, parsed and normalised with the same
 * grammar and rules as docker's distribution/reference package:
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path            (at most 255 characters)
 *   domain     := host [ ":" port ]              host: DNS name, IPv4, or [IPv6]
 *   path       := component ( "/" component )*   component: [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * Normalisation: "busybox" is "docker.io/library/busybox", index.docker.io
 * is docker.io, and the "familiar" form shown to users drops both again.
 */

#include <stdbool.h>

struct berr;

#define REF_NAME_MAX       255
#define REF_TAG_MAX        128
#define REF_INPUT_MAX      1024
#define REF_DEFAULT_DOMAIN "docker.io"
#define REF_DEFAULT_TAG    "latest"

struct image_ref {
        char *registry;   /* domain with port, or NULL when the strict parse found none; owned */
        char *repository; /* path below the domain, e.g. "library/busybox"; owned */
        char *tag;        /* NULL when absent; owned */
        char *digest;     /* "sha256:<hex>" or NULL; owned */
};

/* docker's Parse(): the string as written, no normalisation. */
int image_ref_parse_strict(const char *s, struct image_ref **ret, struct berr **err);
/* docker's ParseNormalizedNamed(): domain defaulted and library/ added; no default tag. */
int image_ref_parse_normalized(const char *s, struct image_ref **ret, struct berr **err);
/* Normalised and, when neither tag nor digest is given, tagged "latest" (docker's TagNameOnly). */
int image_ref_parse(const char *s, struct image_ref **ret, struct berr **err);

struct image_ref *image_ref_free(struct image_ref *ref);
static inline void image_ref_freep(struct image_ref **p)
{
        if (*p)
                image_ref_free(*p);
}
struct image_ref *image_ref_dup(const struct image_ref *ref);

/* "registry/repository" (or just repository when there is no registry). Owned. */
char *image_ref_name(const struct image_ref *ref);
/* name[:tag][@digest]. Owned. */
char *image_ref_string(const struct image_ref *ref);
/* name:tag (NULL when there is no tag). Owned. */
char *image_ref_name_tag(const struct image_ref *ref);
/* docker's FamiliarName: "busybox", "user/app", "localhost:5000/a". Owned. */
char *image_ref_familiar_name(const struct image_ref *ref);
/* docker's FamiliarString: familiar name with tag and digest. Owned. */
char *image_ref_familiar_string(const struct image_ref *ref);
/* Familiar form of a full normalised "name:tag" string as stored; owned (a copy if unparsable). */
char *image_ref_familiarize(const char *full);

/* True for a valid tag. */
bool image_ref_tag_is_valid(const char *tag);

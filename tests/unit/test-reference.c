/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for image references: normalisation, strict parsing and errors,
 * guided by the cases docker's distribution/reference tests cover.
 */
#include "image/reference.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "tap.h"

static void check_norm(const char *in, const char *full, const char *familiar)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *s = NULL, *f = NULL;

        if (image_ref_parse(in, &ref, &err) < 0)
                TAP_FAIL("'%s': %s", in, berr_msg(err));
        s = image_ref_string(ref);
        f = image_ref_familiar_string(ref);
        if (!streq(s, full) || !streq(f, familiar))
                TAP_FAIL("'%s' -> '%s' / '%s', expected '%s' / '%s'", in, s, f, full, familiar);
}

static void check_bad(const char *in, const char *msg)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        if (image_ref_parse(in, &ref, &err) >= 0)
                TAP_FAIL("'%s' accepted", in);
        if (!strstr(berr_msg(err), msg))
                TAP_FAIL("'%s': error '%s' lacks '%s'", in, berr_msg(err), msg);
}

TEST(ref_parse_short_name)
{
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;

        ASSERT_OK(image_ref_parse("alpine", &ref, NULL));
        ASSERT_STREQ(ref->registry, "docker.io");
        ASSERT_STREQ(ref->repository, "library/alpine");
        ASSERT_STREQ(ref->tag, "latest");
        ASSERT_TRUE(ref->digest == NULL);
}

TEST(ref_normalise)
{
        check_norm("busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_norm("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36");
        check_norm("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_norm("index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_norm("library/busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check_norm("user/app", "docker.io/user/app:latest", "user/app:latest");
        check_norm("docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest");
        check_norm("localhost/app", "localhost/app:latest", "localhost/app:latest");
        check_norm("localhost:5000/a/b:tag", "localhost:5000/a/b:tag", "localhost:5000/a/b:tag");
        check_norm("registry.example.com:8443/team/app:v1.2-rc_3", "registry.example.com:8443/team/app:v1.2-rc_3",
                   "registry.example.com:8443/team/app:v1.2-rc_3");
        check_norm("[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest");
        check_norm("[fe80::1]/app:x", "[fe80::1]/app:x", "[fe80::1]/app:x");
        check_norm("127.0.0.1:5000/a", "127.0.0.1:5000/a:latest", "127.0.0.1:5000/a:latest");
        check_norm("Foo/bar", "Foo/bar:latest", "Foo/bar:latest"); /* uppercase first part is a domain */
        check_norm("a__b/c.d-e---f", "docker.io/a__b/c.d-e---f:latest", "a__b/c.d-e---f:latest");
        check_norm("LOCALDOMAIN/debian", "LOCALDOMAIN/debian:latest", "LOCALDOMAIN/debian:latest");
        check_norm("192.168.0.1", "docker.io/library/192.168.0.1:latest", "192.168.0.1:latest");
        check_norm("192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80");
        check_norm("192.168.0.1:8/debian", "192.168.0.1:8/debian:latest", "192.168.0.1:8/debian:latest");
        check_norm("[fc00::1]:5000/docker", "[fc00::1]:5000/docker:latest", "[fc00::1]:5000/docker:latest");
        check_norm("busybox:TaG_9", "docker.io/library/busybox:TaG_9", "busybox:TaG_9");
}

TEST(ref_digest)
{
        const char *d = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
        _cleanup_free_ char *in = xasprintf("busybox@%s", d), *in2 = xasprintf("localhost:5000/x:t@%s", d);
        _cleanup_free_ char *full = xasprintf("docker.io/library/busybox@%s", d), *fam = xasprintf("busybox@%s", d);
        _cleanup_(image_ref_freep) struct image_ref *ref = NULL;

        check_norm(in, full, fam);
        ASSERT_OK(image_ref_parse(in2, &ref, NULL));
        ASSERT_STREQ(ref->registry, "localhost:5000");
        ASSERT_STREQ(ref->repository, "x");
        ASSERT_STREQ(ref->tag, "t");
        ASSERT_STREQ(ref->digest, d);
}

TEST(ref_strict)
{
        _cleanup_(image_ref_freep) struct image_ref *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        ASSERT_OK(image_ref_parse_strict("test_com", &a, NULL));
        ASSERT_TRUE(a->registry == NULL);
        ASSERT_STREQ(a->repository, "test_com");
        ASSERT_OK(image_ref_parse_strict("test.com:5000/repo", &b, NULL));
        ASSERT_STREQ(b->registry, "test.com:5000");
        ASSERT_TRUE(b->tag == NULL);
        ASSERT_OK(image_ref_parse_strict("localhost:5000", &c, NULL)); /* a name with a tag */
        ASSERT_STREQ(c->repository, "localhost");
        ASSERT_STREQ(c->tag, "5000");
        ASSERT_OK(image_ref_parse_strict("foo/foo_bar.com:8080", &d, NULL));
        ASSERT_STREQ(d->registry, "foo");
        ASSERT_STREQ(d->repository, "foo_bar.com");
        ASSERT_STREQ(d->tag, "8080");
}

TEST(ref_invalid)
{
        char longname[300], longtag[140];

        check_bad("", "at least one component");
        check_bad(":justtag", "invalid reference format");
        check_bad("@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                  "invalid reference format");
        check_bad("repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "digest length");
        check_bad("repo@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "digest format");
        check_bad("repo@md5:ffffffffffffffffffffffffffffffff", "unsupported digest algorithm");
        check_bad("validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                  "unsupported digest algorithm");
        check_bad("Uppercase", "must be lowercase");
        check_bad("docker.io/Uppercase/lower", "must be lowercase");
        check_bad("aa/asdf$$^/aa", "invalid reference format");
        check_bad("a-/b", "invalid reference format");
        check_bad("a/b-", "invalid reference format");
        check_bad("-a/b", "invalid reference format");
        check_bad("a/.b", "invalid reference format");
        check_bad("a/b___c", "invalid reference format");
        check_bad("a//b", "invalid reference format");
        check_bad("a/b:", "invalid reference format");
        check_bad("a/b:-tag", "invalid reference format");
        check_bad("a@b@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                  "invalid reference format");
        check_bad("[::1/app", "invalid reference format");
        check_bad("[zz::1]:5000/app", "invalid reference format");
        check_bad("host:port/app", "invalid reference format");
        check_bad("https://github.com/docker/docker", "invalid reference format");
        check_bad("-docker.io/docker/docker", "invalid reference format");
        check_bad("docker.io/docker///docker", "invalid reference format");
        check_bad("[fc00::1]", "invalid reference format");
        check_bad("[fc00::1]:5000", "invalid reference format");
        check_bad("fc00::1:5000/debian", "invalid reference format");
        check_bad("[fe80::1%eth0]:5000/debian", "invalid reference format");
        check_bad("[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid reference format");
        check_bad("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "64-byte hexadecimal");
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = 0;
        check_bad(longname, "255 characters");
        memcpy(longtag, "a:", 2);
        memset(longtag + 2, 'b', sizeof(longtag) - 3);
        longtag[sizeof(longtag) - 1] = 0;
        check_bad(longtag, "invalid reference format");
}

TEST(ref_familiarize_stored)
{
        _cleanup_free_ char *a = image_ref_familiarize("docker.io/library/busybox:latest");
        _cleanup_free_ char *b = image_ref_familiarize("quay.io/x/y:1");

        ASSERT_STREQ(a, "busybox:latest");
        ASSERT_STREQ(b, "quay.io/x/y:1");
}

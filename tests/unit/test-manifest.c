/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for manifests, indexes and image configs: parsing, limits, platform selection, chain IDs. */
#include "image/config.h"
#include "image/manifest.h"
#include "lib/cleanup.h"
#include "lib/util.h"
#include "tap.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static int parse(const char *doc, const char *mt, struct manifest **m, struct berr **err)
{
        return manifest_parse(doc, strlen(doc), mt, m, err);
}

TEST(docker_manifest)
{
        _cleanup_(manifest_freep) struct manifest *m = NULL;
        const char *doc = "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\","
                          "\"config\":{\"mediaType\":\"" MT_DOCKER_CONFIG "\",\"size\":7,\"digest\":\"" D1 "\"},"
                          "\"layers\":[{\"mediaType\":\"" MT_DOCKER_LAYER_GZIP "\",\"size\":5,\"digest\":\"" D2 "\"}]}";

        ASSERT_OK(parse(doc, NULL, &m, NULL));
        ASSERT_EQ(m->kind, MANIFEST_IMAGE);
        ASSERT_STREQ(m->config.digest, D1);
        ASSERT_EQ(m->n_layers, 1);
        ASSERT_EQ(layer_media_type_compression(m->layers[0].media_type), BLOB_GZIP);
        ASSERT_EQ(m->layers[0].size, 5);
}

TEST(oci_index_platform)
{
        _cleanup_(manifest_freep) struct manifest *m = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct descriptor *d = NULL;
        const char *doc = "{\"schemaVersion\":2,\"manifests\":["
                          "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"size\":1,\"digest\":\"" D1 "\","
                          "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
                          "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"size\":2,\"digest\":\"" D2 "\","
                          "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"},"
                          "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}";

        ASSERT_OK(parse(doc, NULL, &m, NULL));
        ASSERT_EQ(m->kind, MANIFEST_INDEX);
        ASSERT_OK(manifest_select_platform(m, "linux", "amd64", &d, NULL));
        ASSERT_STREQ(d->digest, D2);
        ASSERT_STREQ(d->ref_name, "latest");
        ASSERT_EQ(manifest_select_platform(m, "linux", "s390x", &d, &err), -ENOENT);
        ASSERT_ERR_CONTAINS(err, "linux/arm64, linux/amd64");
}

TEST(manifest_rejects)
{
        static const char *const bad[] = {
                "[]",
                "{\"schemaVersion\":1}",
                "{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"size\":1,\"digest\":\"" D1 "\"}}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"size\":1,\"digest\":\"md5:1\"},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"size\":-1,\"digest\":\"" D1
                "\"},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"size\":1,\"digest\":\"" D1 "\"},"
                "\"layers\":[{\"mediaType\":\"text/html\",\"size\":1,\"digest\":\"" D1 "\"}]}",
                "{\"schemaVersion\":2,\"manifests\":[1]}",
                "{\"schemaVersion\":2,\"manifests\":[]} trailing",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(manifest_freep) struct manifest *m = NULL;
                if (parse(bad[i], NULL, &m, NULL) >= 0)
                        TAP_FAIL("accepted: %s", bad[i]);
        }
}

TEST(manifest_media_type_must_agree)
{
        _cleanup_(manifest_freep) struct manifest *m = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_FAIL(parse("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":[]}", MT_OCI_MANIFEST,
                          &m, &err));
        ASSERT_ERR_CONTAINS(err, "differs");
}

TEST(manifest_layer_limit)
{
        _cleanup_(manifest_freep) struct manifest *m = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *doc = xstrdup(
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"size\":1,\"digest\":\"" D1 "\"},\"layers\":[");

        for (int i = 0; i <= MANIFEST_MAX_LAYERS; i++) {
                char *n = xasprintf("%s%s{\"mediaType\":\"" MT_OCI_LAYER "\",\"size\":1,\"digest\":\"" D1 "\"}", doc,
                                    i ? "," : "");
                free(doc);
                doc = n;
        }
        {
                char *n = xasprintf("%s]}", doc);
                free(doc);
                doc = n;
        }
        ASSERT_FAIL(parse(doc, NULL, &m, &err));
        ASSERT_ERR_CONTAINS(err, "more than the limit");
}

TEST(manifest_build_roundtrip)
{
        _cleanup_(manifest_freep) struct manifest *m = NULL;
        struct descriptor cfg = {.media_type = (char *)MT_DOCKER_CONFIG, .digest = (char *)D1, .size = 3};
        struct descriptor l = {.media_type = (char *)MT_DOCKER_LAYER, .digest = (char *)D2, .size = 9};
        _cleanup_free_ char *doc = manifest_build(false, &cfg, &l, 1), *again = manifest_build(false, &cfg, &l, 1);

        ASSERT_STREQ(doc, again);
        ASSERT_OK(parse(doc, MT_DOCKER_MANIFEST, &m, NULL));
        ASSERT_STREQ(m->layers[0].digest, D2);
        ASSERT_EQ(m->config.size, 3);
}

TEST(config_parse)
{
        _cleanup_(image_config_freep) struct image_config *c = NULL;
        const char *doc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05.123456789Z\","
                          "\"config\":{\"Env\":[\"A=b\"],\"Cmd\":[\"sh\"],\"Labels\":{\"x\":\"y\"}},"
                          "\"history\":[{\"created_by\":\"a\"},{\"created_by\":\"b\",\"empty_layer\":true}],"
                          "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";
        int64_t t;

        ASSERT_OK(image_config_parse(doc, strlen(doc), &c, NULL));
        ASSERT_EQ(c->n_diff_ids, 2);
        ASSERT_EQ(c->n_history, 2);
        ASSERT_TRUE(c->history[1].empty_layer);
        ASSERT_STREQ(c->os, "linux");
        ASSERT_OK(parse_rfc3339(c->created, &t));
        ASSERT_EQ(t, 1704164645);
        ASSERT_OK(parse_rfc3339("2024-01-02T05:04:05+02:00", &t));
        ASSERT_EQ(t, 1704164645);
        ASSERT_FAIL(parse_rfc3339("yesterday", &t));
        ASSERT_OK(parse_rfc3339("1969-12-31T23:59:59.5Z", &t));
        ASSERT_EQ(t, -1);
        ASSERT_OK(parse_rfc3339("2000-02-29t00:00:00-00:30", &t));
        ASSERT_EQ(t, 951784200);
        ASSERT_FAIL(parse_rfc3339("2024-1-02T05:04:05Z", &t));  /* Go's fixed widths */
        ASSERT_FAIL(parse_rfc3339("2024-13-02T05:04:05Z", &t));
        ASSERT_FAIL(parse_rfc3339("2024-01-02T24:04:05Z", &t));
        ASSERT_FAIL(parse_rfc3339("2024-01-02T05:04:05", &t));   /* no zone */
        ASSERT_FAIL(parse_rfc3339("2024-01-02T05:04:05.Z", &t));
        ASSERT_FAIL(parse_rfc3339("2024-01-02T05:04:05Zjunk", &t));
        ASSERT_FAIL(parse_rfc3339("", &t));
}

TEST(config_rejects)
{
        static const char *const bad[] = {
                "{}",
                "{\"rootfs\":{\"type\":\"zfs\",\"diff_ids\":[]}}",
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:xyz\"]}}",
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Cmd\":\"sh\"}}",
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Labels\":{\"a\":1}}}",
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{\"empty_layer\":\"yes\"}]}",
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"created\":\"not a time\"}",
                "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"os\":5}",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(image_config_freep) struct image_config *c = NULL;
                if (image_config_parse(bad[i], strlen(bad[i]), &c, NULL) >= 0)
                        TAP_FAIL("accepted: %s", bad[i]);
        }
}

TEST(chain_ids)
{
        char *diff[] = {(char *)D1, (char *)D2, NULL};
        _cleanup_(strv_freep) char **c = image_chain_ids(diff, 2);
        char buf[DIGEST_STRING_MAX];
        const char *joined = D1 " " D2;

        ASSERT_STREQ(c[0], D1);
        ASSERT_STREQ(c[1], digest_sha256_buf(joined, strlen(joined), buf));
}

TEST(compression_detect)
{
        ASSERT_EQ(blob_detect_compression("\x1f\x8b\x08\x00", 4), BLOB_GZIP);
        ASSERT_EQ(blob_detect_compression("\x28\xb5\x2f\xfd", 4), BLOB_ZSTD);
        ASSERT_EQ(blob_detect_compression("usta", 4), BLOB_PLAIN);
        ASSERT_EQ(layer_media_type_compression(MT_OCI_LAYER_ZSTD), BLOB_ZSTD);
        ASSERT_EQ(layer_media_type_compression("application/json"), -EINVAL);
}

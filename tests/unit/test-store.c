/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the content store and its database: digests verified while
 * writing, atomic visibility, concurrent writers in two processes, schema
 * migrations, and image records with refcounted layers.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/db.h"
#include "image/image.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "tap.h"

#define HELLO_SHA256 "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

TEST(digest_parse_and_hash)
{
        struct digest d;
        char buf[DIGEST_STRING_MAX];

        ASSERT_STREQ(digest_sha256_buf("hello", 5, buf), HELLO_SHA256);
        ASSERT_OK(digest_parse(HELLO_SHA256, &d, NULL));
        ASSERT_EQ(d.algo, DIGEST_SHA256);
        ASSERT_FAIL(digest_parse("sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824", &d, NULL));
        ASSERT_FAIL(digest_parse("sha256:abc", &d, NULL));
        ASSERT_FAIL(digest_parse("md5:d41d8cd98f00b204e9800998ecf8427e", &d, NULL));
        ASSERT_FAIL(digest_parse("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", &d, NULL));
        ASSERT_OK(digest_parse("sha512:"
                               "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d"
                               "2877eec2f63b931bd47417a81a538327af927da3e",
                               &d, NULL));
        ASSERT_EQ(d.algo, DIGEST_SHA512);
        ASSERT_TRUE(digest_is_sha256(HELLO_SHA256));
        ASSERT_FALSE(digest_is_sha256("sha256:"));
}

TEST(blob_put_verifies_and_is_idempotent)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *data = NULL;
        char d[DIGEST_STRING_MAX];
        size_t len;

        ASSERT_OK_ERR(store_open("root", "run", &s, &err), &err);
        ASSERT_EQ(store_blob_put(s, "hello", 5, HELLO_SHA256, d, &err), 1);
        ASSERT_STREQ(d, HELLO_SHA256);
        ASSERT_EQ(store_blob_put(s, "hello", 5, NULL, d, &err), 0); /* already there */
        ASSERT_TRUE(store_blob_exists(s, HELLO_SHA256));
        ASSERT_OK(store_blob_read(s, HELLO_SHA256, 100, &data, &len, &err));
        ASSERT_EQ(len, 5);
        ASSERT_TRUE(memcmp(data, "hello", 5) == 0);
        /* a wrong expected digest: refused, and nothing appears under either name */
        ASSERT_EQ(store_blob_put(s, "hellO", 5,
                                 "sha256:0000000000000000000000000000000000000000000000000000000000000000", d, &err),
                  -EILSEQ);
        ASSERT_ERR_CONTAINS(err, "digest mismatch");
        ASSERT_FALSE(store_blob_exists(s, "sha256:0000000000000000000000000000000000000000000000000000000000000000"));
        ASSERT_EQ(access("root/tmp", F_OK), 0);
}

TEST(blob_writer_invisible_until_commit)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_(blob_writer_freep) struct blob_writer *w = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int files = 0;

        ASSERT_OK(store_open("root", NULL, &s, NULL));
        ASSERT_OK(blob_writer_new(s, NULL, 4, &w, NULL));
        ASSERT_OK(blob_writer_write(w, "hel", 3, NULL));
        ASSERT_EQ(blob_writer_write(w, "lo", 2, NULL), -EFBIG); /* over the limit */
        ASSERT_OK(blob_writer_finish(w, NULL));
        ASSERT_FALSE(store_blob_exists(s, blob_writer_digest(w)));
        ASSERT_EQ(blob_writer_commit(w, NULL), 1);
        ASSERT_TRUE(store_blob_exists(s, blob_writer_digest(w)));
        w = blob_writer_free(w);
        /* an abandoned writer leaves nothing */
        ASSERT_OK(blob_writer_new(s, NULL, 0, &w, NULL));
        ASSERT_OK(blob_writer_write(w, "x", 1, NULL));
        w = blob_writer_free(w);
        d = opendir("root/blobs/sha256");
        while ((de = readdir(d)))
                files += de->d_name[0] != '.';
        ASSERT_EQ(files, 1);
}

/* Two processes write the same 8 MiB blob at once, many times: both succeed, the blob is whole. */
TEST(concurrent_writers_of_one_blob)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_free_ char *buf = xmalloc(8 << 20), *back = NULL;
        char want[DIGEST_STRING_MAX];
        size_t len;
        pid_t pids[2];

        for (size_t i = 0; i < (8u << 20); i++)
                buf[i] = (char)(i * 7 + (i >> 13));
        digest_sha256_buf(buf, 8 << 20, want);
        ASSERT_OK(store_open("root", NULL, &s, NULL));
        for (int p = 0; p < 2; p++) {
                pids[p] = fork();
                ASSERT_TRUE(pids[p] >= 0);
                if (pids[p] == 0) {
                        struct store *cs = NULL;
                        int bad = 0;
                        if (store_open("root", NULL, &cs, NULL) < 0)
                                _exit(2);
                        for (int k = 0; k < 5; k++) {
                                if (store_blob_put(cs, buf, 8 << 20, want, NULL, NULL) < 0)
                                        bad = 1;
                                if (p == 0 && k < 4)
                                        (void)store_blob_remove(cs, want, NULL);
                        }
                        store_close(cs);
                        _exit(bad);
                }
        }
        for (int p = 0; p < 2; p++) {
                int st;
                ASSERT_EQ(waitpid(pids[p], &st, 0), pids[p]);
                ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        ASSERT_OK(store_blob_read(s, want, 16 << 20, &back, &len, NULL));
        ASSERT_EQ(len, 8 << 20);
}

TEST(db_migrations_apply_once_and_refuse_newer)
{
        static const struct db_migration v1[] = {{1, "CREATE TABLE t (a INTEGER)"}};
        static const struct db_migration v2[] = {{1, "CREATE TABLE t (a INTEGER)"},
                                                 {2, "ALTER TABLE t ADD COLUMN b TEXT"}};
        _cleanup_(db_closep) struct db *db = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_OK(db_open("x.db", &db, NULL));
        ASSERT_OK(db_migrate(db, "test", v1, 1, NULL));
        ASSERT_OK(db_migrate(db, "test", v1, 1, NULL));
        ASSERT_EQ(db_schema_version(db, "test", NULL), 1);
        ASSERT_OK(db_migrate(db, "test", v2, 2, NULL));
        ASSERT_EQ(db_schema_version(db, "test", NULL), 2);
        ASSERT_OK(db_exec(db, "INSERT INTO t (a, b) VALUES (1, 'x')", NULL));
        ASSERT_EQ(db_migrate(db, "test", v1, 1, &err), -EPROTO);
        ASSERT_ERR_CONTAINS(err, "newer than this program");
        ASSERT_EQ(db_schema_version(db, "other", NULL), 0);
}

/* Processes opening one fresh database together all succeed: each races to switch it to WAL and
 * create the schema table, where SQLite answers SQLITE_BUSY without waiting. */
TEST(db_open_races_on_a_fresh_file)
{
        for (int round = 0; round < 50; round++) {
                char path[64];
                pid_t pids[6];

                snprintf(path, sizeof(path), "race-%d.db", round);
                for (int p = 0; p < 6; p++) {
                        pids[p] = fork();
                        ASSERT_TRUE(pids[p] >= 0);
                        if (pids[p] == 0) {
                                static const struct db_migration m[] = {{1, "CREATE TABLE t (a INTEGER)"}};
                                struct db *db = NULL;
                                int bad;

                                (void)usleep((unsigned)(round * 97 + p * 331) % 3000); /* vary the overlap */
                                bad = db_open(path, &db, NULL) < 0 || db_migrate(db, "race", m, 1, NULL) < 0;
                                db_close(db);
                                _exit(bad);
                        }
                }
                for (int p = 0; p < 6; p++) {
                        int st;
                        ASSERT_EQ(waitpid(pids[p], &st, 0), pids[p]);
                        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                }
        }
}

TEST(image_records_tags_and_refcounts)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        char cfg1[DIGEST_STRING_MAX], cfg2[DIGEST_STRING_MAX], layer[DIGEST_STRING_MAX];
        struct image_layer l = {0};
        char *tags1[] = {(char *)"docker.io/library/a:1", NULL}, *tags2[] = {(char *)"docker.io/library/b:1", NULL};
        struct image_add a = {0};
        struct image_remove_result res = {0};
        _cleanup_free_ char *id = NULL, *tag = NULL;

        ASSERT_OK(store_open("root", NULL, &s, NULL));
        ASSERT_OK(store_blob_put(s, "layer", 5, NULL, layer, NULL));
        ASSERT_OK(store_blob_put(s, "{\"c\":1}", 7, NULL, cfg1, NULL));
        ASSERT_OK(store_blob_put(s, "{\"c\":2}", 7, NULL, cfg2, NULL));
        l.diff_id = layer;
        l.blob_digest = layer;
        l.media_type = (char *)"application/vnd.oci.image.layer.v1.tar";
        l.blob_size = l.size = 5;
        a.layers = &l;
        a.n_layers = 1;
        a.config_digest = cfg1;
        a.tags = tags1;
        ASSERT_OK_ERR(image_add(s, &a, &err), &err);
        ASSERT_OK_ERR(image_add(s, &a, &err), &err); /* idempotent */
        a.config_digest = cfg2;
        a.tags = tags2;
        ASSERT_OK_ERR(image_add(s, &a, &err), &err);
        ASSERT_EQ(image_resolve(s, "a:1", &id, &tag, NULL), 1);
        ASSERT_STREQ(id, cfg1);
        ASSERT_STREQ(tag, "docker.io/library/a:1");
        ASSERT_EQ(image_resolve(s, "nosuch", &(char *){NULL}, NULL, NULL), 0);
        /* removing one image keeps the shared layer blob */
        ASSERT_OK_ERR(image_remove(s, cfg1, "docker.io/library/a:1", false, &res, &err), &err);
        ASSERT_EQ(strv_length(res.deleted), 1);
        ASSERT_FALSE(store_blob_exists(s, cfg1));
        ASSERT_TRUE(store_blob_exists(s, layer));
        image_remove_result_clear(&res);
        ASSERT_OK_ERR(image_remove(s, cfg2, "docker.io/library/b:1", false, &res, &err), &err);
        ASSERT_EQ(strv_length(res.deleted), 2); /* the image and its last layer */
        ASSERT_FALSE(store_blob_exists(s, layer));
        image_remove_result_clear(&res);
}

TEST(image_holds_keep_an_image)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        char cfg[DIGEST_STRING_MAX];
        char *tags[] = {(char *)"docker.io/library/held:1", NULL};
        struct image_add a = {.config_digest = cfg, .tags = tags};
        struct image_remove_result res = {0};

        ASSERT_OK(store_open("root", NULL, &s, NULL));
        ASSERT_OK(store_blob_put(s, "{}", 2, NULL, cfg, NULL));
        ASSERT_OK(image_add(s, &a, NULL));
        ASSERT_OK(image_hold(s, cfg, "container-1", NULL));
        ASSERT_OK(image_hold(s, cfg, "container-1", NULL));
        ASSERT_EQ(image_hold(s, HELLO_SHA256, "container-1", &err), -ENOENT);
        err = berr_free(err);
        ASSERT_EQ(image_remove(s, cfg, NULL, false, &res, &err), -EBUSY);
        ASSERT_ERR_CONTAINS(err, "container-1");
        err = berr_free(err);
        ASSERT_OK(image_remove(s, cfg, NULL, true, &res, NULL));
        ASSERT_EQ(strv_length(res.untagged), 1);
        ASSERT_TRUE(res.deleted == NULL); /* forced: untagged, kept for the container */
        image_remove_result_clear(&res);
        ASSERT_OK(image_release(s, cfg, "container-1", NULL));
        ASSERT_OK(image_prune(s, false, &res, NULL, NULL));
        ASSERT_EQ(strv_length(res.deleted), 1);
        ASSERT_FALSE(store_blob_exists(s, cfg));
        image_remove_result_clear(&res);
}

TEST(image_add_refuses_missing_blobs)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct image_add a = {.config_digest = HELLO_SHA256};

        ASSERT_OK(store_open("root", NULL, &s, NULL));
        ASSERT_EQ(image_add(s, &a, &err), -EAGAIN);
        ASSERT_ERR_CONTAINS(err, "vanished");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for image archives: import, save, load round trips between two
 * stores in the test's directory, and refusal of an archive whose layer does
 * not match its config, leaving the store as it was.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/image.h"
#include "image/snapshot.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/util.h"
#include "tap.h"

/* A small rootfs tarball: a directory and a file. */
static void make_rootfs_tar(const char *path)
{
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        static const char data[] = "hello from a layer\n";

        archive_write_set_format_pax_restricted(a);
        if (archive_write_open_filename(a, path) != ARCHIVE_OK)
                abort();
        archive_entry_set_pathname(e, "etc/");
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, 0755);
        archive_write_header(a, e);
        archive_entry_clear(e);
        archive_entry_set_pathname(e, "etc/motd");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, sizeof(data) - 1);
        archive_write_header(a, e);
        archive_write_data(a, data, sizeof(data) - 1);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
}

static char *list_blobs(const char *root)
{
        _cleanup_free_ char *dir = xasprintf("%s/blobs/sha256", root);
        _cleanup_(strv_freep) char **v = NULL;
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;

        while (d && (de = readdir(d)))
                if (de->d_name[0] != '.')
                        strv_push(&v, de->d_name);
        for (size_t i = 0; v && v[i]; i++) /* tiny insertion sort: order-independent comparison */
                for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
                        char *t = v[k];
                        v[k] = v[k - 1];
                        v[k - 1] = t;
                }
        return strv_join(v, ",");
}

TEST(import_save_load_round_trip)
{
        _cleanup_(store_closep) struct store *a = NULL, *b = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *id = NULL, *id2 = NULL, *la = NULL, *lb = NULL;
        _cleanup_close_ int in = -1, out = -1, back = -1;
        char *tags[] = {(char *)"docker.io/library/rt:1", NULL};
        char *changes[] = {(char *)"CMD [\"/bin/true\"]", (char *)"ENV X=1", NULL};
        struct image_import_opts o = {.changes = changes, .tags = tags, .source = "rootfs.tar"};
        struct image_load_result res = {0};
        char *ids[2] = {NULL, NULL};
        char **save_tags[2] = {tags, NULL};

        if (geteuid() != 0)
                SKIP("unpacking root-owned layers needs root");
        make_rootfs_tar("rootfs.tar");
        ASSERT_OK_ERR(store_open("a", NULL, &a, &err), &err);
        ASSERT_OK_ERR(store_open("b", NULL, &b, &err), &err);
        in = open("rootfs.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_OK_ERR(image_import(a, in, &o, &id, &err), &err);
        ids[0] = id;
        out = open("saved.tar", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_OK_ERR(image_save(a, ids, save_tags, out, &err), &err);
        back = open("saved.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_OK_ERR(image_load(b, back, NULL, &res, &err), &err);
        ASSERT_STREQ(res.ids[0], id);
        ASSERT_STREQ(res.lines[0], "Loaded image: rt:1");
        ASSERT_EQ(image_resolve(b, "rt:1", &id2, NULL, NULL), 1);
        ASSERT_STREQ(id2, id);
        la = list_blobs("a");
        lb = list_blobs("b");
        ASSERT_STREQ(la, lb);
        image_load_result_clear(&res);
}

TEST(load_refuses_mismatched_layer_and_keeps_store_clean)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *blobs = NULL;
        _cleanup_close_ int fd = -1;
        struct image_load_result res = {0};
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        static const char manifest[] = "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l.tar\"]}]";
        static const char config[] = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
                                     "[\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"]}}";
        static const char layer[1024] = {0};
        const struct {
                const char *name;
                const void *data;
                size_t len;
        } files[] = {{"manifest.json", manifest, sizeof(manifest) - 1},
                     {"c.json", config, sizeof(config) - 1},
                     {"l.tar", layer, sizeof(layer)}};

        archive_write_set_format_pax_restricted(a);
        ASSERT_TRUE(archive_write_open_filename(a, "bad.tar") == ARCHIVE_OK);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                archive_entry_clear(e);
                archive_entry_set_pathname(e, files[i].name);
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 0644);
                archive_entry_set_size(e, (la_int64_t)files[i].len);
                archive_write_header(a, e);
                archive_write_data(a, files[i].data, files[i].len);
        }
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        ASSERT_OK(store_open("root", NULL, &s, NULL));
        fd = open("bad.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_EQ(image_load(s, fd, NULL, &res, &err), -EILSEQ);
        ASSERT_ERR_CONTAINS(err, "diff_id mismatch");
        blobs = list_blobs("root");
        ASSERT_STREQ(blobs, "");
        image_load_result_clear(&res);
}

TEST(ensure_snapshots_restores_a_removed_layer)
{
        _cleanup_(store_closep) struct store *s = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *id = NULL, *top = NULL;
        _cleanup_close_ int in = -1;
        struct image_import_opts o = {.source = "rootfs.tar"};

        if (geteuid() != 0)
                SKIP("unpacking root-owned layers needs root");
        make_rootfs_tar("rootfs.tar");
        ASSERT_OK_ERR(store_open("a", NULL, &s, &err), &err);
        in = open("rootfs.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_OK_ERR(image_import(s, in, &o, &id, &err), &err);
        ASSERT_OK_ERR(image_ensure_snapshots(s, id, &top, &err), &err);
        ASSERT_EQ(snapshot_exists(s->snapshots, top, NULL), 1);
        ASSERT_OK(snapshot_remove(s->snapshots, top, NULL));
        ASSERT_EQ(snapshot_exists(s->snapshots, top, NULL), 0);
        ASSERT_OK_ERR(image_ensure_snapshots(s, id, NULL, &err), &err);
        ASSERT_EQ(snapshot_exists(s->snapshots, top, NULL), 1);
}

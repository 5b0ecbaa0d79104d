/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for image/layer: whiteouts, confinement against hostile archives
 * (built here with libarchive's writer), corrupt and truncated streams, digest
 * checks and the create_tar -> unpack round trip. Runs as any user: ownership
 * is kept only when root, opaque markers use user.overlay.* xattrs.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer.h"
#include "image/snapshot.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "tap.h"

struct ent {
        const char *path;
        char type;        /* 'f' file, 'd' dir, 'l' symlink, 'h' hardlink, 'p' fifo */
        const char *data; /* file contents, link target */
        const char *xattr_name, *xattr_value;
};

/* Writes entries into path as a tar with the given libarchive filter ("none", "gzip", "zstd"). */
static void make_tar(const char *path, const struct ent *ents, size_t n, const char *filter)
{
        struct archive *a = archive_write_new();

        if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK)
                abort();
        if (streq(filter, "gzip"))
                archive_write_add_filter_gzip(a);
        else if (streq(filter, "zstd"))
                archive_write_add_filter_zstd(a);
        if (archive_write_open_filename(a, path) != ARCHIVE_OK)
                abort();
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                size_t len = 0;

                archive_entry_set_pathname(e, ents[i].path);
                archive_entry_set_mtime(e, 1000000 + (time_t)i, 0);
                switch (ents[i].type) {
                case 'd':
                        archive_entry_set_mode(e, AE_IFDIR | 0755);
                        break;
                case 'l':
                        archive_entry_set_mode(e, AE_IFLNK | 0777);
                        archive_entry_set_symlink(e, ents[i].data);
                        break;
                case 'h':
                        archive_entry_set_mode(e, AE_IFREG | 0644);
                        archive_entry_set_hardlink(e, ents[i].data);
                        break;
                case 'p':
                        archive_entry_set_mode(e, AE_IFIFO | 0644);
                        break;
                default:
                        archive_entry_set_mode(e, AE_IFREG | 0644);
                        len = ents[i].data ? strlen(ents[i].data) : 0;
                        archive_entry_set_size(e, (la_int64_t)len);
                        break;
                }
                if (ents[i].xattr_name)
                        archive_entry_xattr_add_entry(e, ents[i].xattr_name, ents[i].xattr_value,
                                                      strlen(ents[i].xattr_value));
                if (archive_write_header(a, e) != ARCHIVE_OK)
                        abort();
                if (len && archive_write_data(a, ents[i].data, len) != (la_ssize_t)len)
                        abort();
                archive_entry_free(e);
        }
        if (archive_write_close(a) != ARCHIVE_OK)
                abort();
        archive_write_free(a);
}

/* Unpacks path into a fresh directory dest; returns layer_unpack's result. */
static int unpack_file(const char *path, const char *dest, const struct layer_unpack_opts *opts,
                       struct layer_digests *ret, struct berr **err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int dfd = -1;
        struct layer_unpack_opts o = opts ? *opts : (struct layer_unpack_opts){.userxattr = true};

        if (fd < 0)
                abort();
        if (mkdir(dest, 0755) < 0 && errno != EEXIST)
                abort();
        dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                abort();
        o.no_chown = o.no_chown || geteuid() != 0;
        return layer_unpack(fd, dfd, &o, ret, err);
}

static bool exists(const char *path)
{
        struct stat st;
        return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A sentinel directory "outside" next to every destination: it must never change. */
static void make_outside(void)
{
        ASSERT_OK(mkdir("outside", 0755));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "outside/secret", "s3cret", 6, 0644, NULL));
}

static void check_outside(void)
{
        struct stat st;
        _cleanup_free_ char *data = NULL;
        size_t len;
        _cleanup_closedir_ DIR *d = opendir("outside");
        struct dirent *de;
        int n = 0;

        ASSERT_TRUE(d);
        while ((de = readdir(d)))
                n++;
        ASSERT_EQ(n, 3); /* ".", "..", "secret" */
        ASSERT_OK(read_file_at(AT_FDCWD, "outside/secret", 100, &data, &len, NULL));
        ASSERT_STREQ(data, "s3cret");
        ASSERT_OK(lstat("outside/secret", &st));
        ASSERT_EQ(st.st_nlink, 1);
}

TEST(whiteouts_become_overlay_whiteouts)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {
                {"a/", 'd'},      {"a/keep", 'f', "k"}, {"a/.wh..wh..opq", 'f'},
                {"b/.wh.c", 'f'}, {".wh.top", 'f'},     {".wh..wh.plnk", 'f'},
        };
        struct stat st;
        char v[8];

        make_tar("l.tar", ents, ELEMENTSOF(ents), "none");
        ASSERT_OK_ERR(unpack_file("l.tar", "dest", NULL, NULL, &err), &err);
        ASSERT_OK(lstat("dest/b/c", &st));
        ASSERT_TRUE(S_ISCHR(st.st_mode));
        ASSERT_EQ(st.st_rdev, makedev(0, 0));
        ASSERT_OK(lstat("dest/top", &st));
        ASSERT_TRUE(S_ISCHR(st.st_mode));
        ASSERT_FALSE(exists("dest/b/.wh.c"));
        ASSERT_FALSE(exists("dest/.wh..wh.plnk"));
        ASSERT_FALSE(exists("dest/a/.wh..wh..opq"));
        ASSERT_TRUE(exists("dest/a/keep"));
        ASSERT_EQ(getxattr("dest/a", "user.overlay.opaque", v, sizeof(v)), 1);
        ASSERT_EQ(v[0], 'y');
}

static void expect_refused(const struct ent *ents, size_t n, const char *msg)
{
        _cleanup_(berr_freep) struct berr *err = NULL;

        make_outside();
        make_tar("l.tar", ents, n, "none");
        ASSERT_EQ(unpack_file("l.tar", "dest", NULL, NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, msg);
        check_outside();
        ASSERT_FALSE(exists("evil"));
}

TEST(dotdot_entry_refused)
{
        const struct ent ents[] = {{"ok", 'f', "x"}, {"../evil", 'f', "x"}};
        expect_refused(ents, ELEMENTSOF(ents), "points outside the layer");
}

TEST(dotdot_inside_path_refused)
{
        const struct ent ents[] = {{"a/b/../../../outside/secret", 'f', "pwned"}};
        expect_refused(ents, ELEMENTSOF(ents), "points outside the layer");
}

TEST(hardlink_to_outside_refused)
{
        const struct ent ents[] = {{"h", 'h', "../outside/secret"}};
        expect_refused(ents, ELEMENTSOF(ents), "points outside the layer");
}

TEST(whiteout_of_outside_refused)
{
        const struct ent ents[] = {{"../outside/.wh.secret", 'f'}};
        expect_refused(ents, ELEMENTSOF(ents), "points outside the layer");
}

TEST(whiteout_of_dotdot_refused)
{
        const struct ent ents[] = {{"a/.wh...", 'f'}};
        expect_refused(ents, ELEMENTSOF(ents), "invalid whiteout");
}

TEST(absolute_paths_confined)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        char cwd[PATH_MAX];
        _cleanup_free_ char *abs = NULL;

        ASSERT_TRUE(getcwd(cwd, sizeof(cwd)));
        abs = xasprintf("%s/outside/abs", cwd);
        {
                const struct ent ents[] = {{abs, 'f', "x"}, {"/top", 'f', "y"}};
                make_outside();
                make_tar("l.tar", ents, ELEMENTSOF(ents), "none");
                ASSERT_OK_ERR(unpack_file("l.tar", "dest", NULL, NULL, &err), &err);
        }
        check_outside();
        ASSERT_TRUE(exists("dest/top"));
        {
                _cleanup_free_ char *inside = xasprintf("dest%s", abs);
                ASSERT_TRUE(exists(inside));
        }
}

TEST(symlink_then_file_through_it_confined)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        char cwd[PATH_MAX];
        _cleanup_free_ char *abs = NULL, *inside = NULL;

        ASSERT_TRUE(getcwd(cwd, sizeof(cwd)));
        abs = xasprintf("%s/outside", cwd);
        {
                const struct ent ents[] = {
                        {"l", 'l', abs},
                        {"l/pwned", 'f', "x"},
                        {"r", 'l', "../outside"},
                        {"r/pwned2", 'f', "x"},
                        {"r/secret", 'f', "overwritten?"},
                        {"s", 'l', "../../../../../../../.."},
                        {"s/tmp/pwned3", 'f', "x"},
                };
                make_outside();
                make_tar("l.tar", ents, ELEMENTSOF(ents), "none");
                ASSERT_OK_ERR(unpack_file("l.tar", "dest", NULL, NULL, &err), &err);
        }
        check_outside();
        ASSERT_FALSE(exists("/tmp/pwned3"));
        inside = xasprintf("dest%s/pwned", abs);
        ASSERT_TRUE(exists(inside));
        ASSERT_TRUE(exists("dest/outside/pwned2"));
        ASSERT_TRUE(exists("dest/outside/secret"));
        ASSERT_TRUE(exists("dest/tmp/pwned3"));
}

TEST(hardlink_through_symlink_confined)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        char cwd[PATH_MAX];
        _cleanup_free_ char *abs = NULL, *sec = NULL;
        struct stat st;

        ASSERT_TRUE(getcwd(cwd, sizeof(cwd)));
        abs = xasprintf("%s/outside", cwd);
        sec = xasprintf("%s/outside/secret", cwd);
        {
                /* a symlink to the secret, hardlinked: the link is to the symlink itself */
                const struct ent ents[] = {{"s", 'l', sec}, {"h", 'h', "s"}};
                make_outside();
                make_tar("l.tar", ents, ELEMENTSOF(ents), "none");
                ASSERT_OK_ERR(unpack_file("l.tar", "dest", NULL, NULL, &err), &err);
                ASSERT_OK(lstat("dest/h", &st));
                ASSERT_TRUE(S_ISLNK(st.st_mode));
                check_outside();
        }
        {
                /* a hardlink whose target path goes through a symlink to outside: resolved inside */
                const struct ent ents[] = {{"l", 'l', abs}, {"h", 'h', "l/secret"}};
                make_tar("l2.tar", ents, ELEMENTSOF(ents), "none");
                berr_free(err);
                err = NULL;
                ASSERT_EQ(unpack_file("l2.tar", "dest2", NULL, NULL, &err), -ENOENT);
                check_outside();
        }
}

TEST(truncated_gzip_refused)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_free_ char *big = xmalloc(200000);
        struct stat st;
        const struct ent *ents;

        for (size_t i = 0; i < 199999; i++)
                big[i] = (char)('a' + (i * 7919) % 26);
        big[199999] = 0;
        ents = (const struct ent[]){{"f1", 'f', big}, {"f2", 'f', big}};
        make_tar("l.tar.gz", ents, 2, "gzip");
        ASSERT_OK(stat("l.tar.gz", &st));
        ASSERT_OK(truncate("l.tar.gz", st.st_size - 20));
        ASSERT_EQ(unpack_file("l.tar.gz", "dest", NULL, NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "truncated gzip stream");
        ASSERT_OK(truncate("l.tar.gz", st.st_size / 2));
        berr_free(err);
        err = NULL;
        ASSERT_EQ(unpack_file("l.tar.gz", "dest2", NULL, NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "truncated gzip stream");
}

TEST(corrupt_streams_refused)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        char junk[4096];

        memset(junk, 'x', sizeof(junk));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "junk", junk, sizeof(junk), 0644, NULL));
        ASSERT_EQ(unpack_file("junk", "d1", NULL, NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "corrupt layer tar");
        junk[0] = 0x1f;
        junk[1] = (char)0x8b;
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "junk.gz", junk, sizeof(junk), 0644, NULL));
        berr_free(err);
        err = NULL;
        ASSERT_EQ(unpack_file("junk.gz", "d2", NULL, NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "gzip");
        memcpy(junk,
               "\xfd"
               "7zXZ",
               5);
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "junk.xz", junk, sizeof(junk), 0644, NULL));
        berr_free(err);
        err = NULL;
        ASSERT_EQ(unpack_file("junk.xz", "d3", NULL, NULL, &err), -EPROTONOSUPPORT);
}

TEST(trailing_garbage_after_gzip_refused)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {{"f", 'f', "hello"}};
        _cleanup_close_ int fd = -1;

        make_tar("l.tar.gz", ents, 1, "gzip");
        fd = open("l.tar.gz", O_WRONLY | O_APPEND | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(write_all(fd, "garbage", 7));
        ASSERT_EQ(unpack_file("l.tar.gz", "dest", NULL, NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "trailing garbage");
}

TEST(concatenated_gzip_members)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {{"f", 'f', "hello"}};
        _cleanup_free_ char *data = NULL;
        size_t len;
        struct layer_digests d;

        /* gzip(1) and Go read concatenated members as one stream: split a tar in two members. */
        make_tar("l.tar", ents, 1, "none");
        ASSERT_OK(read_file_at(AT_FDCWD, "l.tar", 1 << 20, &data, &len, NULL));
        ASSERT_OK(system("head -c 700 l.tar | gzip -n > l.tar.gz && tail -c +701 l.tar | gzip -n >> l.tar.gz"));
        ASSERT_OK_ERR(unpack_file("l.tar.gz", "dest", NULL, &d, &err), &err);
        ASSERT_EQ(d.size, len);
        ASSERT_EQ(d.compression, LAYER_COMPRESSION_GZIP);
        ASSERT_TRUE(exists("dest/f"));
}

TEST(digest_mismatch_refused)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {{"f", 'f', "hello"}};
        struct layer_digests d, d2;
        struct layer_unpack_opts o = {.userxattr = true};

        make_tar("l.tar.zst", ents, 1, "zstd");
        ASSERT_OK_ERR(unpack_file("l.tar.zst", "d0", NULL, &d, &err), &err);
        ASSERT_EQ(d.compression, LAYER_COMPRESSION_ZSTD);
        ASSERT_FALSE(streq(d.digest, d.diff_id));

        o.expected_diff_id = d.diff_id;
        o.expected_digest = d.digest;
        ASSERT_OK_ERR(unpack_file("l.tar.zst", "d1", &o, &d2, &err), &err);
        ASSERT_STREQ(d2.diff_id, d.diff_id);

        o.expected_diff_id = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        ASSERT_EQ(unpack_file("l.tar.zst", "d2", &o, NULL, &err), -EBADMSG);
        ASSERT_ERR_CONTAINS(err, "diff_id mismatch");
        berr_free(err);
        err = NULL;
        o.expected_diff_id = NULL;
        o.expected_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        ASSERT_EQ(unpack_file("l.tar.zst", "d3", &o, NULL, &err), -EBADMSG);
        ASSERT_ERR_CONTAINS(err, "blob digest mismatch");
        berr_free(err);
        err = NULL;
        o.expected_digest = "sha256:short";
        ASSERT_EQ(unpack_file("l.tar.zst", "d4", &o, NULL, &err), -EINVAL);
}

TEST(later_entries_replace_earlier)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {
                {"x", 'f', "file"},       {"x/", 'd'}, {"x/in", 'f', "in"}, {"y/", 'd'}, {"y/z", 'f', "z"},
                {"y", 'f', "now a file"}, {"x/", 'd'},
        };
        struct stat st;

        make_tar("l.tar", ents, ELEMENTSOF(ents), "none");
        ASSERT_OK_ERR(unpack_file("l.tar", "dest", NULL, NULL, &err), &err);
        ASSERT_OK(lstat("dest/x", &st));
        ASSERT_TRUE(S_ISDIR(st.st_mode));
        ASSERT_TRUE(exists("dest/x/in")); /* directories merge */
        ASSERT_OK(lstat("dest/y", &st));
        ASSERT_TRUE(S_ISREG(st.st_mode));
}

TEST(overlay_xattrs_from_archive_dropped)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {
                {"d/", 'd', NULL, "user.overlay.redirect", "/etc"},
                {"f", 'f', "x", "user.kept", "v"},
        };
        char v[16];

        make_tar("l.tar", ents, ELEMENTSOF(ents), "none");
        ASSERT_OK_ERR(unpack_file("l.tar", "dest", NULL, NULL, &err), &err);
        ASSERT_EQ(getxattr("dest/d", "user.overlay.redirect", v, sizeof(v)), -1);
        ASSERT_EQ(getxattr("dest/f", "user.kept", v, sizeof(v)), 1);
}

TEST(apply_mode_deletes_hidden_files)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent lower[] = {{"x", 'f', "x"}, {"d/old", 'f', "old"}, {"e/keep", 'f', "k"}};
        const struct ent upper[] = {
                {".wh.x", 'f'},         {"d/", 'd'},         {"d/new", 'f', "new"}, {"d/.wh..wh..opq", 'f'},
                {"e/.wh.nothere", 'f'}, {"gone/.wh.a", 'f'},
        };
        struct layer_unpack_opts o = {.whiteouts = LAYER_WHITEOUT_APPLY};

        make_tar("lower.tar", lower, ELEMENTSOF(lower), "none");
        make_tar("upper.tar", upper, ELEMENTSOF(upper), "gzip");
        ASSERT_OK_ERR(unpack_file("lower.tar", "dest", &o, NULL, &err), &err);
        ASSERT_OK_ERR(unpack_file("upper.tar", "dest", &o, NULL, &err), &err);
        ASSERT_FALSE(exists("dest/x"));
        ASSERT_FALSE(exists("dest/d/old"));
        ASSERT_TRUE(exists("dest/d/new")); /* came before the opaque marker: kept */
        ASSERT_TRUE(exists("dest/e/keep"));
        ASSERT_FALSE(exists("dest/gone"));
        ASSERT_FALSE(exists("dest/d/.wh..wh..opq"));
}

/* Stat of path as a comparable line: type, mode, size, nlink, mtime, link target, one xattr. */
static char *describe(const char *path)
{
        struct stat st;
        char target[256] = "", xv[64] = "";
        ssize_t n;

        if (lstat(path, &st) < 0)
                return xasprintf("%s missing", path);
        if (S_ISLNK(st.st_mode)) {
                n = readlink(path, target, sizeof(target) - 1);
                target[n > 0 ? n : 0] = 0;
        }
        n = lgetxattr(path, "user.test", xv, sizeof(xv) - 1);
        xv[n > 0 ? n : 0] = 0;
        return xasprintf("%o %lld %lu %lld.%09ld %s %s", st.st_mode, S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
                         S_ISDIR(st.st_mode) ? 0UL : (unsigned long)st.st_nlink, (long long)st.st_mtim.tv_sec,
                         st.st_mtim.tv_nsec, target, xv);
}

TEST(round_trip_keeps_metadata)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const char *paths[] = {"d", "d/file", "d/suid", "d/link", "d/hard", "d/fifo", "d/sub", "d/sub/deep", "top"};
        struct timespec ts[2] = {{1234567890, 0}, {1234567890, 0}};
        _cleanup_close_ int src = -1, out = -1, out2 = -1, dst = -1;
        struct layer_create_opts co = {.compression = LAYER_COMPRESSION_GZIP, .clamp_mtime = -1};
        struct layer_digests d1, d2, du;
        struct stat st;

        ASSERT_OK(mkdir("src", 0755));
        ASSERT_OK(mkdir("src/d", 0750));
        ASSERT_OK(mkdir("src/d/sub", 0700));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "src/d/file", "data", 4, 0640, NULL));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "src/d/suid", "#!", 2, 0755, NULL));
        ASSERT_OK(chmod("src/d/suid", 04755));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "src/d/sub/deep", "", 0, 0600, NULL));
        ASSERT_OK(write_file_atomic_at(AT_FDCWD, "src/top", "t", 1, 0644, NULL));
        ASSERT_OK(symlink("file", "src/d/link"));
        ASSERT_OK(link("src/d/file", "src/d/hard"));
        ASSERT_OK(mkfifo("src/d/fifo", 0600));
        if (setxattr("src/d/file", "user.test", "xv", 2, 0) < 0)
                SKIP("no user xattrs on this file system");
        ASSERT_OK(setxattr("src/d/sub", "user.test", "dirx", 4, 0));
        for (size_t i = ELEMENTSOF(paths); i-- > 0;) {
                _cleanup_free_ char *p = xasprintf("src/%s", paths[i]);
                ts[1].tv_sec += 1000;
                ASSERT_OK(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW));
        }

        src = open("src", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        out = open("l.tar.gz", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        out2 = open("l2.tar.gz", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_OK_ERR(layer_create_tar(src, &co, out, &d1, &err), &err);
        ASSERT_OK_ERR(layer_create_tar(src, &co, out2, &d2, &err), &err);
        ASSERT_STREQ(d1.digest, d2.digest); /* deterministic */
        ASSERT_STREQ(d1.diff_id, d2.diff_id);
        ASSERT_FALSE(streq(d1.digest, d1.diff_id));

        ASSERT_OK_ERR(unpack_file("l.tar.gz", "dst", NULL, &du, &err), &err);
        ASSERT_STREQ(du.diff_id, d1.diff_id);
        ASSERT_STREQ(du.digest, d1.digest);
        ASSERT_EQ(du.size, d1.size);
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *a = xasprintf("src/%s", paths[i]), *b = xasprintf("dst/%s", paths[i]);
                _cleanup_free_ char *da = describe(a), *db = describe(b);
                ASSERT_STREQ(db, da);
        }
        ASSERT_OK(stat("dst/d/suid", &st));
        ASSERT_EQ(st.st_mode & 07777, 04755);
        ASSERT_OK(stat("dst/d/hard", &st));
        ASSERT_EQ(st.st_nlink, 2);
        (void)dst;
}

TEST(create_tar_turns_overlay_whiteouts_into_wh_entries)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {
                {"a/", 'd'},
                {"a/.wh..wh..opq", 'f'},
                {"a/f", 'f', "f"},
                {"b/.wh.gone", 'f'},
        };
        _cleanup_close_ int src = -1, out = -1;
        struct layer_create_opts co = {.overlay_whiteouts = true, .clamp_mtime = -1};
        struct archive *a;
        struct archive_entry *e;
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_free_ char *joined = NULL;

        make_tar("l.tar", ents, ELEMENTSOF(ents), "none");
        ASSERT_OK_ERR(unpack_file("l.tar", "upper", NULL, NULL, &err), &err);
        src = open("upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        out = open("out.tar", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_OK_ERR(layer_create_tar(src, &co, out, NULL, &err), &err);
        a = archive_read_new();
        archive_read_support_format_tar(a);
        ASSERT_EQ(archive_read_open_filename(a, "out.tar", 10240), ARCHIVE_OK);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK)
                strv_push(&names, archive_entry_pathname(e));
        archive_read_free(a);
        joined = strv_join(names, " ");
        ASSERT_STREQ(joined, "a/ a/.wh..wh..opq a/f b/ b/.wh.gone");
}

TEST(compression_names)
{
        ASSERT_STREQ(layer_compression_to_string(LAYER_COMPRESSION_ZSTD), "zstd");
        ASSERT_EQ(layer_compression_from_string("gzip"), LAYER_COMPRESSION_GZIP);
        ASSERT_EQ(layer_compression_from_string("lz4"), _LAYER_COMPRESSION_INVALID);
        ASSERT_TRUE(layer_compression_to_string(_LAYER_COMPRESSION_MAX) == NULL);
}

TEST(chain_id_follows_oci)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        char a[80], b[80], c[LAYER_DIGEST_MAX];

        snprintf(a, sizeof(a), "sha256:%064d", 0);
        memset(a + 7, 'a', 64);
        snprintf(b, sizeof(b), "%s", a);
        memset(b + 7, 'b', 64);
        ASSERT_OK_ERR(snapshot_chain_id(NULL, a, c, &err), &err);
        ASSERT_STREQ(c, a);
        ASSERT_OK_ERR(snapshot_chain_id(a, b, c, &err), &err);
        ASSERT_STREQ(c, "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
        ASSERT_EQ(snapshot_chain_id(a, "sha256:../../etc", c, &err), -EINVAL);
}

static int count_entries(const char *dir)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        return n;
}

TEST(snapshot_unpack_once_and_remove)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(snapshot_store_freep) struct snapshot_store *s = NULL;
        const struct ent base[] = {{"etc/", 'd'}, {"etc/a", 'f', "a"}, {"etc/b", 'f', "b"}};
        const struct ent top[] = {{"etc/.wh.b", 'f'}, {"new", 'f', "n"}};
        char c1[LAYER_DIGEST_MAX], c2[LAYER_DIGEST_MAX], again[LAYER_DIGEST_MAX];
        struct layer_digests d1, d2;
        _cleanup_close_ int f1 = -1, f2 = -1;
        _cleanup_(strv_freep) char **lowers = NULL;
        _cleanup_free_ char *parent = NULL;
        uint64_t size;

        make_tar("base.tar.gz", base, ELEMENTSOF(base), "gzip");
        make_tar("top.tar", top, ELEMENTSOF(top), "none");
        ASSERT_OK_ERR(snapshot_store_open("root", &s, &err), &err);
        f1 = open("base.tar.gz", O_RDONLY | O_CLOEXEC);
        f2 = open("top.tar", O_RDONLY | O_CLOEXEC);

        /* the top layer cannot come before its parent */
        snprintf(c1, sizeof(c1), "sha256:%064d", 0);
        ASSERT_EQ(snapshot_unpack(s, c1, f2, NULL, NULL, c2, NULL, &err), -ENOENT);
        berr_free(err);
        err = NULL;

        ASSERT_EQ(snapshot_unpack(s, NULL, f1, NULL, NULL, c1, &d1, &err), 1);
        ASSERT_STREQ(c1, d1.diff_id);
        ASSERT_EQ(snapshot_exists(s, c1, &err), 1);
        ASSERT_EQ(snapshot_unpack(s, c1, f2, NULL, NULL, c2, &d2, &err), 1);
        ASSERT_TRUE(exists("root/layers/l"));
        /* known diff_id: reused without reading the blob (f1 is at EOF now) */
        ASSERT_EQ(snapshot_unpack(s, NULL, f1, d1.diff_id, NULL, again, &d1, &err), 0);
        ASSERT_STREQ(again, c1);
        ASSERT_OK(snapshot_get_size(s, c2, &size, &err));
        ASSERT_EQ(size, d2.size);
        ASSERT_EQ(snapshot_get_parent(s, c2, &parent, &err), 1);
        ASSERT_STREQ(parent, c1);
        ASSERT_OK_ERR(snapshot_get_lowers(s, c2, &lowers, &err), &err);
        ASSERT_EQ(strv_length(lowers), 2);
        ASSERT_TRUE(endswith(lowers[1], "/diff"));
        ASSERT_EQ(count_entries("root/layers/tmp"), 0);

        ASSERT_OK_ERR(snapshot_remove(s, c2, &err), &err);
        ASSERT_EQ(snapshot_exists(s, c2, &err), 0);
        ASSERT_OK_ERR(snapshot_remove(s, c2, &err), &err); /* missing is fine */
        ASSERT_EQ(count_entries("root/layers/tmp"), 0);
        ASSERT_EQ(count_entries("root/layers/l"), 1);
}

TEST(snapshot_failed_unpack_leaves_nothing)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(snapshot_store_freep) struct snapshot_store *s = NULL;
        const struct ent bad[] = {{"ok", 'f', "x"}, {"../evil", 'f', "x"}};
        const struct ent good[] = {{"ok", 'f', "x"}};
        char c[LAYER_DIGEST_MAX];
        _cleanup_close_ int f = -1, g = -1;

        make_tar("bad.tar", bad, ELEMENTSOF(bad), "none");
        make_tar("good.tar", good, ELEMENTSOF(good), "none");
        ASSERT_OK_ERR(snapshot_store_open("root", &s, &err), &err);
        f = open("bad.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_EQ(snapshot_unpack(s, NULL, f, NULL, NULL, c, NULL, &err), -EINVAL);
        ASSERT_ERR_CONTAINS(err, "outside the layer");
        berr_free(err);
        err = NULL;
        g = open("good.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_EQ(snapshot_unpack(s, NULL, g, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                                  NULL, c, NULL, &err),
                  -EBADMSG);
        ASSERT_EQ(count_entries("root/layers/tmp"), 0);
        ASSERT_EQ(count_entries("root/layers"), 3); /* l, tmp, empty */
        ASSERT_FALSE(exists("root/evil"));
        ASSERT_FALSE(exists("evil"));
}

TEST(snapshot_concurrent_unpacks_of_one_chain)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(snapshot_store_freep) struct snapshot_store *s = NULL;
        _cleanup_free_ char *big = xmalloc(300000);
        struct ent ents[8];
        char c[LAYER_DIGEST_MAX];
        pid_t pids[4];
        int ok = 0;

        memset(big, 'q', 299999);
        big[299999] = 0;
        for (size_t i = 0; i < ELEMENTSOF(ents); i++)
                ents[i] = (struct ent){xasprintf("f%zu", i), 'f', big};
        make_tar("l.tar.gz", ents, ELEMENTSOF(ents), "gzip");
        for (size_t i = 0; i < ELEMENTSOF(ents); i++)
                free((char *)ents[i].path);
        ASSERT_OK_ERR(snapshot_store_open("root", &s, &err), &err);
        for (size_t i = 0; i < ELEMENTSOF(pids); i++) {
                pids[i] = fork();
                ASSERT_TRUE(pids[i] >= 0);
                if (pids[i] == 0) {
                        int fd = open("l.tar.gz", O_RDONLY | O_CLOEXEC);
                        _exit(snapshot_unpack(s, NULL, fd, NULL, NULL, c, NULL, NULL) < 0 ? 1 : 0);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(pids); i++) {
                int st;
                ASSERT_EQ(waitpid(pids[i], &st, 0), pids[i]);
                ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        ASSERT_EQ(ok, 4);
        ASSERT_EQ(count_entries("root/layers/tmp"), 0);
        ASSERT_EQ(count_entries("root/layers"), 4); /* one snapshot, l, tmp, empty */
        ASSERT_EQ(count_entries("root/layers/l"), 1);
}

TEST(snapshot_copy_mode_applies_whiteouts)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(snapshot_store_freep) struct snapshot_store *s = NULL;
        const struct ent base[] = {{"etc/", 'd'},         {"etc/a", 'f', "a"}, {"etc/b", 'f', "b"},
                                   {"opq/old", 'f', "o"}, {"h1", 'f', "hh"},   {"h2", 'h', "h1"}};
        const struct ent top[] = {{"etc/.wh.b", 'f'},
                                  {"new", 'f', "n"},
                                  {"opq/", 'd'},
                                  {"opq/.wh..wh..opq", 'f'},
                                  {"opq/mine", 'f', "m"}};
        char c1[LAYER_DIGEST_MAX], c2[LAYER_DIGEST_MAX];
        _cleanup_close_ int f1 = -1, f2 = -1;
        struct snapshot_mount_opts o = {.mode = SNAPSHOT_MOUNT_COPY};
        enum snapshot_mount_mode used = SNAPSHOT_MOUNT_AUTO;
        struct stat st;

        make_tar("base.tar", base, ELEMENTSOF(base), "none");
        make_tar("top.tar", top, ELEMENTSOF(top), "none");
        ASSERT_OK_ERR(snapshot_store_open("root", &s, &err), &err);
        f1 = open("base.tar", O_RDONLY | O_CLOEXEC);
        f2 = open("top.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_OK_ERR(snapshot_unpack(s, NULL, f1, NULL, NULL, c1, NULL, &err), &err);
        ASSERT_OK_ERR(snapshot_unpack(s, c1, f2, NULL, NULL, c2, NULL, &err), &err);
        ASSERT_OK(mkdir("rootfs", 0755));
        ASSERT_OK_ERR(snapshot_mount(s, c2, NULL, NULL, "rootfs", &o, &used, &err), &err);
        ASSERT_EQ(used, SNAPSHOT_MOUNT_COPY);
        ASSERT_TRUE(exists("rootfs/etc/a"));
        ASSERT_FALSE(exists("rootfs/etc/b"));
        ASSERT_TRUE(exists("rootfs/new"));
        ASSERT_FALSE(exists("rootfs/opq/old"));
        ASSERT_TRUE(exists("rootfs/opq/mine"));
        ASSERT_OK(stat("rootfs/h2", &st));
        ASSERT_EQ(st.st_nlink, 2);
        ASSERT_OK_ERR(snapshot_unmount("rootfs", &err), &err); /* not a mount: nothing to do */
}

TEST(snapshot_broken_directory_is_not_taken_for_whole)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(snapshot_store_freep) struct snapshot_store *s = NULL;
        const struct ent ents[] = {{"f", 'f', "x"}};
        struct layer_digests d;
        char c[LAYER_DIGEST_MAX];
        _cleanup_close_ int f = -1, g = -1;
        _cleanup_free_ char *dir = NULL;

        make_tar("l.tar", ents, 1, "none");
        ASSERT_OK_ERR(snapshot_store_open("root", &s, &err), &err);
        f = open("l.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_EQ(snapshot_unpack(s, NULL, f, NULL, NULL, c, &d, &err), 1);
        ASSERT_OK_ERR(snapshot_remove(s, c, &err), &err);
        dir = xasprintf("root/layers/%s", c + 7);
        ASSERT_OK(mkdir(dir, 0700)); /* a leftover without diff/ */
        g = open("l.tar", O_RDONLY | O_CLOEXEC);
        ASSERT_EQ(snapshot_unpack(s, NULL, g, NULL, NULL, c, NULL, &err), -EEXIST);
        ASSERT_ERR_CONTAINS(err, "not whole");
        ASSERT_EQ(count_entries("root/layers/tmp"), 0);
        ASSERT_OK_ERR(snapshot_remove(s, c, &err), &err); /* removes what is not whole too */
        ASSERT_FALSE(exists(dir));
        ASSERT_OK(lseek(g, 0, SEEK_SET));
        ASSERT_EQ(snapshot_unpack(s, NULL, g, NULL, NULL, c, NULL, &err), 1);
}

TEST(device_nodes_made_by_root_skipped_unprivileged)
{
        _cleanup_(berr_freep) struct berr *err = NULL;
        const struct ent ents[] = {{"dev/", 'd'}, {"dev/fifo", 'p'}, {"dev/after", 'f', "a"}};
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        struct stat st;

        /* make_tar has no device type: write one null device by hand, then the rest */
        make_tar("rest.tar", ents, ELEMENTSOF(ents), "none");
        archive_write_set_format_pax_restricted(a);
        ASSERT_EQ(archive_write_open_filename(a, "dev.tar"), ARCHIVE_OK);
        archive_entry_set_pathname(e, "null");
        archive_entry_set_mode(e, AE_IFCHR | 0666);
        archive_entry_set_rdevmajor(e, 1);
        archive_entry_set_rdevminor(e, 3);
        ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);

        ASSERT_OK_ERR(unpack_file("dev.tar", "dest", NULL, NULL, &err), &err);
        ASSERT_OK_ERR(unpack_file("rest.tar", "dest", NULL, NULL, &err), &err);
        if (geteuid() == 0) {
                ASSERT_OK(lstat("dest/null", &st));
                ASSERT_TRUE(S_ISCHR(st.st_mode));
                ASSERT_EQ(st.st_rdev, makedev(1, 3));
        } else
                ASSERT_FALSE(exists("dest/null"));
        ASSERT_OK(lstat("dest/dev/fifo", &st));
        ASSERT_TRUE(S_ISFIFO(st.st_mode));
        ASSERT_TRUE(exists("dest/dev/after"));
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/lib: errors, parsing helpers, JSON access, safe paths. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/digest.h"
#include "lib/dl.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/path.h"
#include "lib/util.h"
#include "tap.h"

TEST(berr_wrap_prefixes_context) {
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_EQ(berr_set(&err, ENOENT, "open '%s'", "memory.max"), -ENOENT);
        ASSERT_EQ(berr_wrap(&err, "apply memory limit"), -ENOENT);
        ASSERT_EQ(berr_wrap(&err, "create container '%s'", "web"), -ENOENT);
        ASSERT_STREQ(berr_msg(err), "create container 'web': apply memory limit: open 'memory.max'");
        ASSERT_EQ(berr_code(err), ENOENT);
}

TEST(berr_null_err_returns_code) {
        ASSERT_EQ(berr_set(NULL, EEXIST, "x"), -EEXIST);
        ASSERT_EQ(berr_set(NULL, 0, "x"), -EINVAL);
}

/* A caller that passes err == NULL still gets the wrapped error's code, through any number of layers. */
TEST(berr_wrap_null_err_keeps_the_code) {
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t len;

        ASSERT_EQ(berr_set(NULL, ENOENT, "open '%s'", "x"), -ENOENT);
        ASSERT_EQ(berr_wrap(NULL, "apply memory limit"), -ENOENT);
        ASSERT_EQ(berr_wrap(NULL, "create container '%s'", "web"), -ENOENT);
        ASSERT_EQ(berr_errno(NULL, -EXDEV, "x"), -EXDEV);
        ASSERT_EQ(berr_wrap(NULL, "y"), -EXDEV);
        /* read_file_at wraps read_all's error: reading a directory fails with EISDIR, not EIO. */
        ASSERT_TRUE(dir >= 0);
        ASSERT_EQ(read_file_at(dir, ".", 16, &data, &len, NULL), -EISDIR);
}

/* A usually new file: written in place when new, replaced whole when it exists, never through a link. */
TEST(write_file_fresh_creates_or_replaces) {
        char dir[] = "/tmp/berth-test-fresh-XXXXXX";
        _cleanup_close_ int dfd = -1;
        _cleanup_free_ char *got = NULL;
        size_t len = 0;
        struct stat st;

        ASSERT_TRUE(mkdtemp(dir) != NULL);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        ASSERT_OK(write_file_fresh_at(dfd, "f", "one\n", 4, 0640, NULL));
        ASSERT_OK(fstatat(dfd, "f", &st, 0));
        ASSERT_EQ(st.st_mode & 0777, 0640);
        ASSERT_OK(write_file_fresh_at(dfd, "f", "second\n", 7, 0640, NULL));
        ASSERT_OK(read_file_at(dfd, "f", 64, &got, &len, NULL));
        ASSERT_EQ(len, 7);
        ASSERT_TRUE(memcmp(got, "second\n", 7) == 0);
        ASSERT_OK(symlinkat("/etc/passwd", dfd, "link"));
        ASSERT_TRUE(write_file_fresh_at(dfd, "link", "x", 1, 0644, NULL) < 0 || /* replaced, not followed: */
                    (fstatat(dfd, "link", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)));
        ASSERT_OK(rm_rf_at(AT_FDCWD, dir, NULL));
}

TEST(parse_numbers) {
        int64_t i;
        uint64_t u;
        int x;

        ASSERT_OK(parse_int64("-42", 10, &i));
        ASSERT_EQ(i, -42);
        ASSERT_FAIL(parse_int64("42x", 10, &i));
        ASSERT_FAIL(parse_int64("", 10, &i));
        ASSERT_FAIL(parse_int64(" 1", 10, &i));
        ASSERT_EQ(parse_int64("99999999999999999999", 10, &i), -ERANGE);
        ASSERT_FAIL(parse_uint64("-1", 10, &u));
        ASSERT_OK(parse_uint64("0x10", 0, &u));
        ASSERT_EQ(u, 16);
        ASSERT_EQ(parse_int("2147483648", &x), -ERANGE);
}

TEST(parse_sizes) {
        uint64_t v;

        ASSERT_OK(parse_size("64m", &v));
        ASSERT_EQ(v, 64ULL << 20);
        ASSERT_OK(parse_size("1G", &v));
        ASSERT_EQ(v, 1ULL << 30);
        ASSERT_OK(parse_size("512kb", &v));
        ASSERT_EQ(v, 512ULL << 10);
        ASSERT_OK(parse_size("100", &v));
        ASSERT_EQ(v, 100);
        ASSERT_FAIL(parse_size("m", &v));
        ASSERT_FAIL(parse_size("-1m", &v));
        ASSERT_EQ(parse_size("99999999999999p", &v), -ERANGE);
}

TEST(parse_signals) {
        int s;

        ASSERT_OK(parse_signal("KILL", &s));
        ASSERT_EQ(s, SIGKILL);
        ASSERT_OK(parse_signal("sigterm", &s));
        ASSERT_EQ(s, SIGTERM);
        ASSERT_OK(parse_signal("9", &s));
        ASSERT_EQ(s, 9);
        ASSERT_OK(parse_signal("RTMIN+2", &s));
        ASSERT_EQ(s, SIGRTMIN + 2);
        ASSERT_FAIL(parse_signal("NOPE", &s));
        ASSERT_FAIL(parse_signal("0", &s));
        ASSERT_FAIL(parse_signal("65", &s));
        ASSERT_STREQ(signal_name(SIGHUP), "SIGHUP");
}

TEST(strv_ops) {
        _cleanup_(strv_freep) char **v = strv_split("a,,b,c", ",");
        _cleanup_free_ char *j = NULL;

        ASSERT_EQ(strv_length(v), 3);
        ASSERT_TRUE(strv_contains(v, "b"));
        j = strv_join(v, "-");
        ASSERT_STREQ(j, "a-b-c");
}

TEST(json_typed_getters) {
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        _cleanup_(strv_freep) char **v = NULL;
        const char *s;
        uint32_t u;
        const char doc[] = "{\"s\":\"x\",\"n\":5,\"big\":5000000000,\"neg\":-1,\"a\":[\"p\",\"q\"],\"bad\":[1]}";

        ASSERT_OK_ERR(json_parse_buf(doc, sizeof(doc) - 1, &o, &err), &err);
        ASSERT_EQ(json_get_string(o, "s", "s", &s, &err), 1);
        ASSERT_STREQ(s, "x");
        ASSERT_EQ(json_get_string(o, "missing", "missing", &s, &err), 0);
        ASSERT_EQ(json_get_uint32(o, "n", "n", &u, &err), 1);
        ASSERT_EQ(u, 5);
        ASSERT_EQ(json_get_uint32(o, "big", "x.big", &u, &err), -ERANGE);
        ASSERT_EQ(json_get_uint32(o, "neg", "x.neg", &u, &err), -ERANGE);
        ASSERT_EQ(json_get_strv(o, "a", "a", &v, &err), 1);
        ASSERT_EQ(strv_length(v), 2);
        ASSERT_FAIL(json_get_string(o, "n", "process.cwd", &s, &err));
        ASSERT_ERR_CONTAINS(err, "process.cwd: expected string");
        ASSERT_FAIL(json_get_strv(o, "bad", "process.args", &v, &err));
        ASSERT_ERR_CONTAINS(err, "process.args[0]");
}

TEST(json_rejects_garbage) {
        struct json_object *o = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;

        ASSERT_FAIL(json_parse_buf("{\"a\":1} x", 9, &o, &err));
        ASSERT_ERR_CONTAINS(err, "invalid JSON");
        ASSERT_FAIL(json_parse_buf("{\"a\":", 5, &o, &err));
        ASSERT_FAIL(json_parse_buf("{\"a\":1\0}", 8, &o, &err));
}

TEST(path_clean_cases) {
        static const char *const cases[][2] = {
                { "/a/b/../c", "/a/c" }, { "/../../x", "/x" }, { "a//b/./c/", "a/b/c" },
                { "../a", "../a" },      { "", "." },          { "/", "/" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *c = path_clean(cases[i][0]);
                ASSERT_STREQ(c, cases[i][1]);
        }
        ASSERT_TRUE(path_has_dotdot("a/../b"));
        ASSERT_TRUE(path_has_dotdot(".."));
        ASSERT_FALSE(path_has_dotdot("a/..b/c.."));
}

TEST(path_confined_to_root) {
        _cleanup_close_ int root = -1, fd = -1;
        _cleanup_(berr_freep) struct berr *err = NULL;
        struct stat st;

        ASSERT_OK(mkdir("root", 0755));
        ASSERT_OK(mkdir("outside", 0755));
        ASSERT_OK(symlink("/../../outside", "root/escape"));
        ASSERT_OK(symlink("../../../../outside", "root/escape2"));
        root = open("root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(root >= 0);
        /* Creating through a symlink that points out lands inside the root. */
        fd = path_mkdir_in_root(root, "/escape/sub", 0755, &err);
        ASSERT_OK_ERR(fd, &err);
        ASSERT_OK(stat("root/outside/sub", &st));
        ASSERT_FAIL(stat("outside/sub", &st));
        safe_close(fd);
        fd = path_mknod_target_in_root(root, "escape2/file", false, &err);
        ASSERT_OK_ERR(fd, &err);
        ASSERT_OK(stat("root/outside/file", &st));
        ASSERT_FAIL(stat("outside/file", &st));
}

TEST(fileio_atomic_and_rm_rf) {
        _cleanup_free_ char *data = NULL;
        _cleanup_(berr_freep) struct berr *err = NULL;
        size_t len;

        ASSERT_OK_ERR(write_file_atomic_at(AT_FDCWD, "f", "hello", 5, 0644, &err), &err);
        ASSERT_OK_ERR(read_file_at(AT_FDCWD, "f", 100, &data, &len, &err), &err);
        ASSERT_STREQ(data, "hello");
        ASSERT_EQ(read_file_at(AT_FDCWD, "f", 2, &data, &len, &err), -EFBIG);
        ASSERT_OK_ERR(mkdir_parents_at(AT_FDCWD, "d/e/f", 0755, &err), &err);
        ASSERT_OK(symlink("/", "d/e/link"));
        ASSERT_OK_ERR(rm_rf_at(AT_FDCWD, "d", &err), &err);
        ASSERT_FAIL(access("d", F_OK));
}

static void digest_in_pieces(enum digest_algo algo, const char *data, size_t len, size_t piece, struct digest *ret)
{
        _cleanup_(digester_freep) struct digester *h = digester_new(algo);

        for (size_t off = 0; off < len; off += piece)
                digester_update(h, data + off, len - off < piece ? len - off : piece);
        digester_final(h, ret);
}

/* Known answers from FIPS 180-2 (appendix B and C), fed whole and in pieces that straddle blocks. */
TEST(digest_known_answers) {
        static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        _cleanup_free_ char *million = xmalloc(1000000);
        char buf[DIGEST_STRING_MAX];
        struct digest d;

        memset(million, 'a', 1000000);
        ASSERT_STREQ(digest_sha256_buf("", 0, buf),
                     "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        ASSERT_STREQ(digest_sha256_buf("abc", 3, buf),
                     "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        for (size_t piece = 1; piece <= 64; piece *= 7) {
                digest_in_pieces(DIGEST_SHA256, two_blocks, strlen(two_blocks), piece, &d);
                ASSERT_STREQ(digest_format(&d, buf),
                             "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
                digest_in_pieces(DIGEST_SHA512, "abc", 3, piece, &d);
                ASSERT_STREQ(digest_format(&d, buf),
                             "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1"
                             "a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
        }
        digest_in_pieces(DIGEST_SHA256, million, 1000000, 65536, &d);
        ASSERT_STREQ(digest_format(&d, buf),
                     "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        digest_in_pieces(DIGEST_SHA512, million, 1000000, 4093, &d);
        ASSERT_STREQ(digest_format(&d, buf),
                     "sha512:e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb"
                     "0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

TEST(dl_load_names_the_missing_library) {
        _cleanup_(berr_freep) struct berr *err = NULL;
        void *handle = NULL, *fn = NULL;

        ASSERT_EQ(dl_load(&handle, "libberth-no-such-library.so.7", &err), -ELIBACC);
        ASSERT_ERR_CONTAINS(err, "cannot load libberth-no-such-library.so.7");
        ASSERT_TRUE(handle == NULL);
        berr_free(TAKE_PTR(err));

        ASSERT_OK_ERR(dl_load(&handle, "libc.so.6", &err), &err);
        ASSERT_TRUE(handle != NULL);
        ASSERT_OK_ERR(dl_sym(handle, "libc.so.6", "getpid", &fn, &err), &err);
        ASSERT_TRUE(fn != NULL);
        ASSERT_EQ(dl_sym(handle, "libc.so.6", "berth_no_such_function", &fn, &err), -ELIBACC);
        ASSERT_ERR_CONTAINS(err, "libc.so.6 has no function berth_no_such_function");
}

/* The hand-made UTC calendar against glibc's (which tests may use: the time zone file is no concern here). */
TEST(utc_calendar_matches_gmtime) {
        static const int64_t secs[] = { 0, -1, 86399, 951782400 /* 2000-02-29 */, 4107456000 /* 2100-02-28 */,
                                        1798503600, -2208988800 /* 1900-01-01 */, 253402300799 /* 9999-12-31 */ };
        char mine[64], theirs[64];

        for (size_t i = 0; i < ELEMENTSOF(secs); i++) {
                struct timespec ts = { .tv_sec = (time_t) secs[i], .tv_nsec = 123456789 };
                struct tm tm;

                ASSERT_TRUE(gmtime_r(&ts.tv_sec, &tm) != NULL);
                strftime(theirs, sizeof(theirs), "%Y-%m-%dT%H:%M:%S.123456789Z", &tm);
                ASSERT_TRUE(utc_format_rfc3339(&ts, mine, sizeof(mine)) > 0);
                ASSERT_STREQ(mine, theirs);
                ASSERT_EQ(utc_days_from_civil(tm.tm_year + 1900, (unsigned) tm.tm_mon + 1, (unsigned) tm.tm_mday) * 86400 +
                                  tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec,
                          secs[i]);
        }
        ASSERT_EQ(utc_format_rfc3339(&(struct timespec){ 0 }, mine, 10), 0); /* too small */
}

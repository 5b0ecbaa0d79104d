/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A tiny TAP harness. TEST(name) registers a test; main() runs each in a
 * fresh temporary directory (cwd) and prints "ok N - name" or "not ok". An
 * ASSERT failure ends the test (not the program). A test may call SKIP().
 * The program exits 0 if all passed, 1 otherwise, 77 if all were skipped.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/fileio.h"

struct tap_test {
        const char *name;
        void (*fn)(void);
        struct tap_test *next;
};

extern struct tap_test *tap_tests;
extern jmp_buf tap_jmp;
extern int tap_skipped;

#define TEST(n)                                                                                                        \
        static void test_##n(void);                                                                                    \
        static struct tap_test tap_t_##n = { #n, test_##n, NULL };                                                     \
        __attribute__((constructor)) static void tap_register_##n(void)                                                \
        {                                                                                                              \
                struct tap_test **p = &tap_tests;                                                                      \
                while (*p)                                                                                             \
                        p = &(*p)->next;                                                                               \
                *p = &tap_t_##n;                                                                                       \
        }                                                                                                              \
        static void test_##n(void)

#define TAP_FAIL(...)                                                                                                  \
        do {                                                                                                           \
                printf("# %s:%d: ", __FILE__, __LINE__);                                                               \
                printf(__VA_ARGS__);                                                                                   \
                printf("\n");                                                                                          \
                longjmp(tap_jmp, 1);                                                                                   \
        } while (0)

#define SKIP(why)                                                                                                      \
        do {                                                                                                           \
                printf("# skip: %s\n", why);                                                                           \
                tap_skipped = 1;                                                                                       \
                longjmp(tap_jmp, 2);                                                                                   \
        } while (0)

#define ASSERT_TRUE(x)                                                                                                 \
        do {                                                                                                           \
                if (!(x))                                                                                              \
                        TAP_FAIL("assertion failed: %s", #x);                                                          \
        } while (0)
#define ASSERT_FALSE(x) ASSERT_TRUE(!(x))

/* Calls expr with a local error and fails with its message when it returns < 0. */
#define ASSERT_OK(expr)                                                                                                \
        do {                                                                                                           \
                long _r = (long) (expr);                                                                               \
                if (_r < 0)                                                                                            \
                        TAP_FAIL("%s returned %ld", #expr, _r);                                                       \
        } while (0)
#define ASSERT_OK_ERR(expr, errp)                                                                                      \
        do {                                                                                                           \
                long _r = (long) (expr);                                                                               \
                if (_r < 0)                                                                                            \
                        TAP_FAIL("%s returned %ld: %s", #expr, _r, berr_msg(*(errp)));                                \
        } while (0)
#define ASSERT_FAIL(expr)                                                                                              \
        do {                                                                                                           \
                long _r = (long) (expr);                                                                               \
                if (_r >= 0)                                                                                           \
                        TAP_FAIL("%s succeeded (%ld), expected failure", #expr, _r);                                   \
        } while (0)
#define ASSERT_EQ(a, b)                                                                                                \
        do {                                                                                                           \
                long long _a = (long long) (a), _b = (long long) (b);                                                  \
                if (_a != _b)                                                                                          \
                        TAP_FAIL("%s == %lld, expected %s == %lld", #a, _a, #b, _b);                                   \
        } while (0)
#define ASSERT_STREQ(a, b)                                                                                             \
        do {                                                                                                           \
                const char *_a = (a), *_b = (b);                                                                       \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                                                 \
                        TAP_FAIL("%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)");         \
        } while (0)
/* The error message contains the substring. */
#define ASSERT_ERR_CONTAINS(err, sub)                                                                                  \
        do {                                                                                                           \
                const char *_m = berr_msg(err);                                                                        \
                if (!strstr(_m, (sub)))                                                                                \
                        TAP_FAIL("error \"%s\" does not contain \"%s\"", _m, (sub));                                   \
        } while (0)

/* SPDX-License-Identifier: Apache-2.0 */
/* The TAP runner shared by every unit test program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "tap.h"

struct tap_test *tap_tests;
jmp_buf tap_jmp;
int tap_skipped;

int main(int argc, char **argv)
{
        volatile int n = 0, failed = 0, skipped = 0, i = 0;
        const char *only = argc > 1 ? argv[1] : NULL;

        setvbuf(stdout, NULL, _IOLBF, 0);
        for (struct tap_test *t = tap_tests; t; t = t->next)
                if (!only || strcmp(only, t->name) == 0)
                        n++;
        printf("1..%d\n", n);
        for (struct tap_test *t = tap_tests; t; t = t->next) {
                char dir[] = "/tmp/berth-unit-XXXXXX";
                char old[4096];
                int rc;

                if (only && strcmp(only, t->name) != 0)
                        continue;
                i++;
                if (!mkdtemp(dir) || !getcwd(old, sizeof(old)) || chdir(dir) < 0) {
                        printf("not ok %d - %s # cannot make temporary directory\n", i, t->name);
                        failed++;
                        continue;
                }
                tap_skipped = 0;
                rc = setjmp(tap_jmp);
                if (rc == 0)
                        t->fn();
                if (chdir(old) < 0)
                        abort();
                (void) rm_rf_at(AT_FDCWD, dir, NULL); /* best effort: a leftover tmp dir fails nothing */
                if (rc == 2 || tap_skipped) {
                        printf("ok %d - %s # SKIP\n", i, t->name);
                        skipped++;
                } else if (rc == 1) {
                        printf("not ok %d - %s\n", i, t->name);
                        failed++;
                } else {
                        printf("ok %d - %s\n", i, t->name);
                }
        }
        if (failed)
                return 1;
        return (n > 0 && skipped == n) ? 77 : 0;
}

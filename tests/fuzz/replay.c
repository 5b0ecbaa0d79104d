/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay driver: runs a libFuzzer target over every file of its corpus
 * directories with any compiler, so the corpus is a regression suite.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        struct stat st;
        uint8_t *buf;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0 || fstat(fd, &st) < 0) {
                perror(path);
                return -1;
        }
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                abort();
        n = read(fd, buf, (size_t) st.st_size);
        close(fd);
        if (n < 0) {
                perror(path);
                free(buf);
                return -1;
        }
        LLVMFuzzerTestOneInput(buf, (size_t) n);
        free(buf);
        return 0;
}

int main(int argc, char **argv)
{
        int count = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                DIR *d;
                struct dirent *de;

                if (stat(argv[i], &st) < 0) {
                        perror(argv[i]);
                        return 1;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (run_file(argv[i]) < 0)
                                return 1;
                        count++;
                        continue;
                }
                d = opendir(argv[i]);
                if (!d)
                        return 1;
                while ((de = readdir(d))) {
                        char p[4096];
                        if (de->d_name[0] == '.')
                                continue;
                        snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
                        if (run_file(p) < 0) {
                                closedir(d);
                                return 1;
                        }
                        count++;
                }
                closedir(d);
        }
        printf("replayed %d inputs\n", count);
        return count > 0 ? 0 : 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An offline base image made from the machine's static busybox: the starting
 * point of the demo and of the tests, with no registry needed. The layer is a
 * deterministic PAX tar (sorted entries, fixed owner and times) written by
 * libarchive straight into the blob store.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/image.h"
#include "image/manifest.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"

extern char **environ;

#define BUSYBOX_LIST_MAX   (256U << 10)
#define BUSYBOX_BINARY_MAX (64U << 20)

/* Runs `busybox --list-full` and returns its lines (relative paths such as "bin/ls"). */
static int list_applets(const char *path, char ***ret, struct berr **err)
{
        _cleanup_free_ char *out = NULL;
        char *argv[] = {(char *)path, (char *)"--list-full", NULL};
        posix_spawn_file_actions_t fa;
        int pipefd[2], status, r;
        size_t len = 0;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return berr_sys(err, "pipe");
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        r = posix_spawn(&pid, path, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        safe_close(pipefd[1]);
        if (r != 0) {
                safe_close(pipefd[0]);
                return berr_errno(err, r, "run '%s --list-full'", path);
        }
        r = read_all(pipefd[0], BUSYBOX_LIST_MAX, &out, &len, err);
        safe_close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return berr_wrap(err, "read applet list of '%s'", path);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berr_set(err, EINVAL, "'%s --list-full' failed", path);
        *ret = strv_split(out, "\n");
        if (strv_length(*ret) > BUSYBOX_APPLETS_MAX)
                return berr_set(err, EINVAL, "'%s' lists more than %d applets", path, BUSYBOX_APPLETS_MAX);
        return 0;
}

struct tar_out {
        struct blob_writer *w;
        struct berr **err;
        int failed;
};

static la_ssize_t tar_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
        struct tar_out *o = ctx;

        if (blob_writer_write(o->w, buf, len, o->err) < 0) {
                o->failed = 1;
                archive_set_error(a, EIO, "write blob");
                return -1;
        }
        return (la_ssize_t)len;
}

static int add_entry(struct archive *a, const char *name, mode_t type, mode_t perm, const char *link, const void *data,
                     size_t len, int64_t mtime)
{
        struct archive_entry *e = archive_entry_new();
        int r = 0;

        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, perm);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        archive_entry_set_mtime(e, mtime, 0);
        if (link)
                archive_entry_set_symlink(e, link);
        archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)len : 0);
        if (archive_write_header(a, e) != ARCHIVE_OK)
                r = -EIO;
        else if (type == AE_IFREG && len && archive_write_data(a, data, len) != (la_ssize_t)len)
                r = -EIO;
        archive_entry_free(e);
        return r;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool path_is_weird(const char *p)
{
        return strlen(p) > 255 || strstr(p, "//") || strstr(p, "..") || strchr(p, '\t') || strchr(p, '\n') ||
               endswith(p, "/");
}

/* Entries as "name\ttype" strings so one sort orders directories before their contents. */
static char **plan_entries(char **applets)
{
        static const char *const base_dirs[] = {"bin", "dev", "etc", "home",    "proc",     "root", "sbin",
                                                "sys", "tmp", "usr", "usr/bin", "usr/sbin", "var"};
        char **v = NULL;

        for (size_t i = 0; i < ELEMENTSOF(base_dirs); i++)
                strv_push_take(&v, xasprintf("%s/\td", base_dirs[i]));
        strv_push(&v, "bin/busybox\tb");
        strv_push(&v, "etc/group\tg");
        strv_push(&v, "etc/passwd\tp");
        for (size_t i = 0; applets && applets[i]; i++) {
                const char *p = applets[i];
                _cleanup_free_ char *dir = NULL;
                char *slash;

                while (*p == '/')
                        p++;
                if (!*p || path_is_weird(p) || streq(p, "bin/busybox"))
                        continue;
                dir = xstrdup(p);
                slash = strrchr(dir, '/');
                if (slash) {
                        *slash = 0;
                        _cleanup_free_ char *d = xasprintf("%s/\td", dir);
                        if (!strv_contains(v, d))
                                strv_push(&v, d);
                }
                _cleanup_free_ char *l = xasprintf("%s\tl", p);
                if (!strv_contains(v, l))
                        strv_push(&v, l);
        }
        qsort(v, strv_length(v), sizeof(char *), cmp_str);
        return v;
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/home:/bin/false\n";
static const char group[] = "root:x:0:\n"
                            "nobody:x:65534:\n";

static int write_layer(struct blob_writer *w, char **entries, const char *bin, size_t bin_len, int64_t mtime,
                       struct berr **err)
{
        struct archive *a = archive_write_new();
        struct tar_out o = {.w = w, .err = err};
        int r = 0;

        archive_write_set_format_pax_restricted(a);
        archive_write_set_bytes_in_last_block(a, 1);
        if (archive_write_open2(a, &o, NULL, tar_write, NULL, NULL) != ARCHIVE_OK) {
                r = berr_set(err, EIO, "write layer: %s", archive_error_string(a));
                goto out;
        }
        for (size_t i = 0; entries[i] && r >= 0; i++) {
                _cleanup_free_ char *name = xstrdup(entries[i]);
                char *tab = strchr(name, '\t'), kind = tab[1];

                *tab = 0;
                switch (kind) {
                case 'd': {
                        bool sticky = streq(name, "tmp/"), priv = streq(name, "root/");
                        r = add_entry(a, name, AE_IFDIR, sticky ? 01777 : priv ? 0700 : 0755, NULL, NULL, 0, mtime);
                        break;
                }
                case 'b':
                        r = add_entry(a, name, AE_IFREG, 0755, NULL, bin, bin_len, mtime);
                        break;
                case 'p':
                        r = add_entry(a, name, AE_IFREG, 0644, NULL, passwd, strlen(passwd), mtime);
                        break;
                case 'g':
                        r = add_entry(a, name, AE_IFREG, 0644, NULL, group, strlen(group), mtime);
                        break;
                default:
                        r = add_entry(a, name, AE_IFLNK, 0777, "/bin/busybox", NULL, 0, mtime);
                        break;
                }
        }
        if (r >= 0 && archive_write_close(a) != ARCHIVE_OK)
                r = -EIO;
        if (r < 0 && !o.failed)
                r = berr_set(err, EIO, "write layer: %s", archive_error_string(a) ?: "libarchive error");
out:
        archive_write_free(a);
        return r;
}

static char *busybox_config(const char *diff_id, const char *created)
{
        _cleanup_json_ struct json_object *o = json_new_object();
        struct json_object *cfg = json_new_object(), *env = json_new_array(), *cmd = json_new_array(),
                           *rootfs = json_new_object(), *ids = json_new_array(), *hist = json_new_array(),
                           *h = json_new_object();

        json_add_string(o, "architecture", "amd64");
        json_append(env, json_object_new_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        json_add(cfg, "Env", env);
        json_append(cmd, json_object_new_string("sh"));
        json_add(cfg, "Cmd", cmd);
        json_add(o, "config", cfg);
        json_add_string(o, "created", created);
        json_add_string(h, "created", created);
        json_add_string(h, "created_by", "berth busybox-image: Debian busybox-static, one symlink per applet");
        json_append(hist, h);
        json_add(o, "history", hist);
        json_add_string(o, "os", "linux");
        json_add_string(rootfs, "type", "layers");
        json_append(ids, json_object_new_string(diff_id));
        json_add(rootfs, "diff_ids", ids);
        json_add(o, "rootfs", rootfs);
        return json_dump(o, false);
}

int busybox_image_create(struct store *s, const char *busybox_path, const char *tag, char **ret_id, struct berr **err)
{
        _cleanup_(strv_freep) char **applets = NULL, **entries = NULL;
        _cleanup_(blob_writer_freep) struct blob_writer *w = NULL;
        _cleanup_free_ char *bin = NULL, *created = NULL, *config = NULL;
        _cleanup_close_ int fd = -1;
        char *tags[] = {(char *)tag, NULL};
        struct image_layer layer = {0};
        struct stat st;
        size_t bin_len;
        bool new_blob;
        int r;

        fd = open(busybox_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return berr_sys(err, "open '%s' (install Debian's busybox-static)", busybox_path);
        r = read_all(fd, BUSYBOX_BINARY_MAX, &bin, &bin_len, err);
        if (r < 0)
                return berr_wrap(err, "read '%s'", busybox_path);
        r = list_applets(busybox_path, &applets, err);
        if (r < 0)
                return r;
        entries = plan_entries(applets);
        r = blob_writer_new(s, NULL, 0, &w, err);
        if (r < 0)
                return r;
        r = write_layer(w, entries, bin, bin_len, (int64_t)st.st_mtime, err);
        if (r < 0)
                return r;
        r = blob_writer_commit(w, err);
        if (r < 0)
                return r;
        created = format_rfc3339((int64_t)st.st_mtime);
        layer.diff_id = (char *)blob_writer_digest(w);
        layer.blob_digest = (char *)blob_writer_digest(w);
        layer.media_type = (char *)MT_DOCKER_LAYER;
        layer.blob_size = layer.size = blob_writer_size(w);
        config = busybox_config(layer.diff_id, created);
        new_blob = r > 0;
        r = image_create(s, config, strlen(config), &layer, 1, tag ? tags : NULL, ret_id, err);
        if (r < 0 && new_blob)
                (void)store_blob_remove(s, layer.blob_digest, NULL); /* best effort on an error path */
        return r;
}

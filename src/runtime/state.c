/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container state on disk: <root>/<id>/state.json, written atomically, and
 * the status derived from it. The status is never trusted from the file
 * alone: the init's pid plus its start time (from /proc/<pid>/stat) tell a
 * live init from a reused pid, the cgroup's freezer tells "paused", and the
 * exec fifo (removed by `start`) tells "created" from "running".
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/container-internal.h"
#include "runtime/spec.h"

static const char *const status_names[_CONTAINER_STATUS_MAX] = {
        [CONTAINER_CREATING] = "creating", [CONTAINER_CREATED] = "created", [CONTAINER_RUNNING] = "running",
        [CONTAINER_PAUSED] = "paused",     [CONTAINER_STOPPED] = "stopped",
};

const char *container_status_to_string(enum container_status s)
{
        if (s < 0 || s >= _CONTAINER_STATUS_MAX)
                return NULL;
        return status_names[s];
}

void container_state_done(struct container_state *st)
{
        free(st->id);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        free(st->owner);
        strv_free(st->annotations);
        free(st->cgroup);
        free(st->host_root);
        *st = (struct container_state){ 0 };
}

void container_info_done(struct container_info *info)
{
        free(info->id);
        free(info->bundle);
        free(info->rootfs);
        free(info->created);
        free(info->owner);
        strv_free(info->annotations);
        *info = (struct container_info){ 0 };
}

int container_id_validate(const char *id, struct berr **err)
{
        size_t n;

        if (!id || !*id)
                return berr_set(err, EINVAL, "container id is empty");
        n = strlen(id);
        if (n > CONTAINER_ID_MAX)
                return berr_set(err, EINVAL, "container id is longer than %d bytes", CONTAINER_ID_MAX);
        if (streq(id, ".") || streq(id, ".."))
                return berr_set(err, EINVAL, "invalid container id '%s'", id);
        for (size_t i = 0; i < n; i++) {
                char c = id[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '-' || c == '.' || c == '+'))
                        return berr_set(err, EINVAL, "invalid container id '%s': only [A-Za-z0-9_+.-] allowed",
                                        id);
        }
        return 0;
}

int state_root_open(const char *root, bool create, struct berr **err)
{
        int fd;

        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT || !create) {
                if (fd < 0 && errno == ENOENT)
                        return -ENOENT;
                if (fd < 0)
                        return berr_sys(err, "open state root '%s'", root);
                return fd;
        }
        if (mkdir_parents_at(AT_FDCWD, root, 0700, err) < 0)
                return berr_wrap(err, "create state root '%s'", root);
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berr_sys(err, "open state root '%s'", root);
        return fd;
}

int state_dir_open_locked(int rootfd, const char *id, bool exclusive, struct berr **err)
{
        _cleanup_close_ int fd = -1;
        struct stat sb;

        if (container_id_validate(id, err) < 0)
                return -EINVAL;
        fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
                        return berr_set(err, ENOENT, "container '%s' does not exist", id);
                return berr_sys(err, "open state of container '%s'", id);
        }
        if (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
                return berr_sys(err, "lock state of container '%s'", id);
        /* Whoever held the lock before us may have deleted the container. */
        if (fstat(fd, &sb) < 0 || sb.st_nlink == 0)
                return berr_set(err, ENOENT, "container '%s' does not exist", id);
        return TAKE_FD(fd);
}

int proc_pid_start_time(pid_t pid, uint64_t *ret_start, char *ret_state)
{
        char path[64], buf[1024];
        _cleanup_close_ int fd = -1;
        ssize_t n;
        char *p;
        unsigned field;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -ESRCH;
        buf[n] = 0;
        /* comm (field 2) may hold spaces and parentheses: fields restart after the last ')'. */
        p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return -EIO;
        p += 2;
        if (ret_state)
                *ret_state = *p;
        for (field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EIO;
                p++;
        }
        if (ret_start)
                *ret_start = strtoull(p, NULL, 10);
        return 0;
}

bool state_pid_alive(const struct container_state *st)
{
        uint64_t start;
        char s;

        if (st->pid <= 0)
                return false;
        if (proc_pid_start_time(st->pid, &start, &s) < 0)
                return false;
        if (start != st->pid_start)
                return false;
        return s != 'Z' && s != 'X' && s != 'x';
}

enum container_status state_status(int dirfd, const struct container_state *st, struct cgroup *cg)
{
        if (!state_pid_alive(st))
                return CONTAINER_STOPPED;
        if (cg && cgroup_is_frozen(cg, NULL) == 1)
                return CONTAINER_PAUSED;
        if (st->has_fifo && faccessat(dirfd, STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return CONTAINER_CREATED;
        return CONTAINER_RUNNING;
}

char *state_now_rfc3339(void)
{
        char buf[64];

        return xstrdup(utc_now_rfc3339(buf, sizeof(buf)));
}

struct json_object *container_annotations_json(char *const *a)
{
        struct json_object *o = json_new_object();

        for (size_t i = 0; a && a[i] && a[i + 1]; i += 2)
                json_add_string(o, a[i], a[i + 1]);
        return o;
}

struct json_object *container_info_oci_json(const struct container_info *ci)
{
        struct json_object *o = json_new_object();

        json_add_string(o, "ociVersion", BERTH_SPEC_VERSION);
        json_add_string(o, "id", ci->id);
        json_add_int(o, "pid", ci->pid);
        json_add_string(o, "status", container_status_to_string(ci->status));
        json_add_string(o, "bundle", ci->bundle);
        json_add_string(o, "rootfs", ci->rootfs);
        json_add_string(o, "created", ci->created);
        return o;
}

char *state_oci_json(const struct container_state *st, enum container_status status, bool pretty)
{
        const struct container_info view = {
                .id = st->id,
                .pid = status == CONTAINER_STOPPED ? 0 : st->pid,
                .status = status,
                .bundle = st->bundle,
                .rootfs = st->rootfs,
                .created = st->created,
        };
        _cleanup_json_ struct json_object *o = container_info_oci_json(&view);

        json_add_string(o, "owner", st->owner ? st->owner : "");
        if (st->annotations && st->annotations[0])
                json_add(o, "annotations", container_annotations_json(st->annotations));
        return json_dump(o, pretty);
}

int state_write(int dirfd, const struct container_state *st, struct berr **err)
{
        _cleanup_json_ struct json_object *o = json_new_object();
        _cleanup_free_ char *text = NULL;

        json_add_string(o, "ociVersion", BERTH_SPEC_VERSION);
        json_add_string(o, "id", st->id);
        json_add_int(o, "pid", st->pid);
        json_add(o, "pidStart", json_object_new_uint64(st->pid_start));
        json_add_string(o, "bundle", st->bundle);
        json_add_string(o, "rootfs", st->rootfs);
        json_add_string(o, "created", st->created);
        json_add_string(o, "owner", st->owner ? st->owner : "");
        json_add(o, "annotations", container_annotations_json(st->annotations));
        json_add_string(o, "cgroup", st->cgroup);
        json_add_bool(o, "systemd", st->systemd);
        json_add_bool(o, "rootless", st->rootless);
        json_add_bool(o, "execFifo", st->has_fifo);
        if (st->no_post_hooks)
                json_add_bool(o, "noPostHooks", true);
        if (st->host_root) {
                json_add_string(o, "hostRoot", st->host_root);
                json_add(o, "hostRootMount", json_object_new_uint64(st->host_bind.id));
                json_add(o, "hostRootMountInfoId", json_object_new_uint64(st->host_bind.info_id));
                json_add(o, "hostMountNamespace", json_object_new_uint64(st->host_bind.mntns));
        }
        text = json_dump(o, false);
        if (write_file_atomic_at(dirfd, STATE_FILE, text, strlen(text), 0600, err) < 0)
                return berr_wrap(err, "write container state");
        return 0;
}

static int dup_string(struct json_object *o, const char *key, bool required, char **ret, struct berr **err)
{
        const char *s = NULL;
        int r;

        r = json_get_string(o, key, key, &s, err);
        if (r < 0)
                return r;
        if (r == 0 && required)
                return berr_set(err, EINVAL, "'%s' missing", key);
        *ret = xstrdup(s);
        return 0;
}

int state_read(int dirfd, struct container_state *ret, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_free_ char *data = NULL;
        int64_t pid = 0;
        size_t len;
        int r;

        r = read_file_at(dirfd, STATE_FILE, STATE_MAX_BYTES, &data, &len, err);
        if (r < 0)
                return berr_wrap(err, "read container state");
        r = json_parse_buf(data, len, &o, err);
        if (r < 0)
                return berr_wrap(err, "container state");
        if ((r = dup_string(o, "id", true, &st.id, err)) < 0 || (r = dup_string(o, "bundle", true, &st.bundle, err)) < 0 ||
            (r = dup_string(o, "rootfs", false, &st.rootfs, err)) < 0 ||
            (r = dup_string(o, "created", false, &st.created, err)) < 0 ||
            (r = dup_string(o, "owner", false, &st.owner, err)) < 0 ||
            (r = dup_string(o, "cgroup", false, &st.cgroup, err)) < 0 ||
            (r = dup_string(o, "hostRoot", false, &st.host_root, err)) < 0)
                return berr_wrap(err, "container state");
        if ((r = json_get_int64(o, "pid", "pid", &pid, err)) < 0 ||
            (r = json_get_uint64(o, "pidStart", "pidStart", &st.pid_start, err)) < 0 ||
            (r = json_get_bool(o, "systemd", "systemd", &st.systemd, err)) < 0 ||
            (r = json_get_bool(o, "rootless", "rootless", &st.rootless, err)) < 0 ||
            (r = json_get_bool(o, "execFifo", "execFifo", &st.has_fifo, err)) < 0 ||
            (r = json_get_bool(o, "noPostHooks", "noPostHooks", &st.no_post_hooks, err)) < 0 ||
            (r = json_get_uint64(o, "hostRootMount", "hostRootMount", &st.host_bind.id, err)) < 0 ||
            (r = json_get_uint64(o, "hostRootMountInfoId", "hostRootMountInfoId", &st.host_bind.info_id, err)) < 0 ||
            (r = json_get_uint64(o, "hostMountNamespace", "hostMountNamespace", &st.host_bind.mntns, err)) < 0 ||
            (r = json_get_string_map(o, "annotations", "annotations", &st.annotations, err)) < 0)
                return berr_wrap(err, "container state");
        if (pid < 0 || pid > INT32_MAX)
                return berr_set(err, EINVAL, "container state: pid %lld out of range", (long long) pid);
        st.pid = (pid_t) pid;
        *ret = st;
        st = (struct container_state){ 0 };
        return 0;
}

int state_load_spec(int dirfd, struct oci_spec **ret, struct berr **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r;

        r = read_file_at(dirfd, STATE_CONFIG_FILE, SPEC_MAX_BYTES, &data, &len, err);
        if (r < 0)
                return berr_wrap(err, "read saved config.json");
        r = spec_parse(data, len, ret, err);
        if (r < 0)
                return berr_wrap(err, "saved config.json");
        return 0;
}

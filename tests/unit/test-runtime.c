/* SPDX-License-Identifier: Apache-2.0 */
/* Pure parts of the lifecycle: ids, state.json round trip and status, the sync protocol framing. */

#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/container-internal.h"
#include "tap.h"

TEST(container_id_validate_accepts_runc_ids)
{
        ASSERT_OK(container_id_validate("abc", NULL));
        ASSERT_OK(container_id_validate("a.b-c_d+e", NULL));
        ASSERT_OK(container_id_validate("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL));
}

TEST(container_id_validate_refuses_paths_and_junk)
{
        struct berr *err = NULL;

        ASSERT_FAIL(container_id_validate("", NULL));
        ASSERT_FAIL(container_id_validate(".", NULL));
        ASSERT_FAIL(container_id_validate("..", NULL));
        ASSERT_FAIL(container_id_validate("a/b", NULL));
        ASSERT_FAIL(container_id_validate("a b", NULL));
        ASSERT_FAIL(container_id_validate("x\n", NULL));
        ASSERT_FAIL(container_id_validate("../etc", &err));
        ASSERT_ERR_CONTAINS(err, "invalid container id '../etc'");
        berr_free(err);
}

TEST(container_id_validate_length_limit)
{
        _cleanup_free_ char *id = xmalloc(CONTAINER_ID_MAX + 2);

        memset(id, 'a', CONTAINER_ID_MAX + 1);
        id[CONTAINER_ID_MAX + 1] = 0;
        ASSERT_FAIL(container_id_validate(id, NULL));
        id[CONTAINER_ID_MAX] = 0;
        ASSERT_OK(container_id_validate(id, NULL));
}

static void fill_state(struct container_state *st)
{
        *st = (struct container_state){ 0 };
        st->id = xstrdup("c1");
        st->pid = getpid();
        ASSERT_OK(proc_pid_start_time(st->pid, &st->pid_start, NULL));
        st->bundle = xstrdup("/b");
        st->rootfs = xstrdup("/b/rootfs");
        st->created = state_now_rfc3339();
        st->owner = xstrdup("");
        strv_push(&st->annotations, "k");
        strv_push(&st->annotations, "v \"quoted\"");
        st->cgroup = xstrdup("{\"x\":1}");
        st->has_fifo = true;
}

TEST(state_round_trip)
{
        _cleanup_(container_state_done) struct container_state st, back = { 0 };
        _cleanup_close_ int dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct berr *err = NULL;

        fill_state(&st);
        ASSERT_OK_ERR(state_write(dfd, &st, &err), &err);
        ASSERT_OK_ERR(state_read(dfd, &back, &err), &err);
        ASSERT_STREQ(back.id, "c1");
        ASSERT_EQ(back.pid, st.pid);
        ASSERT_EQ(back.pid_start, st.pid_start);
        ASSERT_STREQ(back.bundle, "/b");
        ASSERT_STREQ(back.rootfs, "/b/rootfs");
        ASSERT_STREQ(back.created, st.created);
        ASSERT_STREQ(back.annotations[0], "k");
        ASSERT_STREQ(back.annotations[1], "v \"quoted\"");
        ASSERT_STREQ(back.cgroup, "{\"x\":1}");
        ASSERT_TRUE(back.has_fifo);
}

/* Without a mount namespace the state carries the rootfs bind that delete must detach (mounts-host.c). */
TEST(state_round_trip_host_root_bind)
{
        _cleanup_(container_state_done) struct container_state st, back = { 0 }, none = { 0 };
        _cleanup_close_ int dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct berr *err = NULL;

        fill_state(&st);
        ASSERT_OK_ERR(state_write(dfd, &st, &err), &err);
        ASSERT_OK_ERR(state_read(dfd, &none, &err), &err);
        ASSERT_TRUE(none.host_root == NULL);
        ASSERT_EQ(none.host_bind.id, 0);
        st.host_root = xstrdup("/b/rootfs");
        st.host_bind = (struct host_root_bind){ .id = UINT64_C(1) << 63 | 5, .info_id = 77, .mntns = 4026531841 };
        ASSERT_OK_ERR(state_write(dfd, &st, &err), &err);
        ASSERT_OK_ERR(state_read(dfd, &back, &err), &err);
        ASSERT_STREQ(back.host_root, "/b/rootfs");
        ASSERT_EQ(back.host_bind.id, UINT64_C(1) << 63 | 5);
        ASSERT_EQ(back.host_bind.info_id, 77);
        ASSERT_EQ(back.host_bind.mntns, 4026531841);
}

TEST(state_read_refuses_garbage)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_close_ int dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct berr *err = NULL;

        ASSERT_FAIL(state_read(dfd, &st, NULL)); /* missing */
        ASSERT_OK(write_file_atomic_at(dfd, STATE_FILE, "{\"id\": 5}", strlen("{\"id\": 5}"), 0600, NULL));
        ASSERT_FAIL(state_read(dfd, &st, &err));
        ASSERT_ERR_CONTAINS(err, "container state");
        berr_free(err);
        err = NULL;
        {
                const char *bad_pid = "{\"id\":\"a\",\"bundle\":\"/b\",\"pid\":-4}";
                ASSERT_OK(write_file_atomic_at(dfd, STATE_FILE, bad_pid, strlen(bad_pid), 0600, NULL));
        }
        ASSERT_FAIL(state_read(dfd, &st, &err));
        ASSERT_ERR_CONTAINS(err, "pid");
        berr_free(err);
}

TEST(state_status_from_pid_fifo_and_start_time)
{
        _cleanup_(container_state_done) struct container_state st;
        _cleanup_close_ int dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        fill_state(&st);
        ASSERT_TRUE(state_pid_alive(&st));
        ASSERT_EQ(state_status(dfd, &st, NULL), CONTAINER_RUNNING);
        ASSERT_OK(mkfifoat(dfd, STATE_FIFO, 0600));
        ASSERT_EQ(state_status(dfd, &st, NULL), CONTAINER_CREATED);
        /* a reused pid: same number, another start time */
        st.pid_start++;
        ASSERT_FALSE(state_pid_alive(&st));
        ASSERT_EQ(state_status(dfd, &st, NULL), CONTAINER_STOPPED);
        st.pid = 0;
        ASSERT_EQ(state_status(dfd, &st, NULL), CONTAINER_STOPPED);
}

TEST(state_status_of_a_zombie_is_stopped)
{
        _cleanup_(container_state_done) struct container_state st;
        _cleanup_close_ int dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        pid_t pid = fork();

        if (pid == 0)
                _exit(0);
        fill_state(&st);
        st.pid = pid;
        ASSERT_OK(proc_pid_start_time(pid, &st.pid_start, NULL));
        for (int i = 0; i < 1000 && state_pid_alive(&st); i++)
                usleep(1000);
        ASSERT_EQ(state_status(dfd, &st, NULL), CONTAINER_STOPPED);
        waitpid(pid, NULL, 0);
}

TEST(state_oci_json_has_runtime_spec_fields)
{
        _cleanup_(container_state_done) struct container_state st;
        _cleanup_free_ char *json = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *v;

        fill_state(&st);
        json = state_oci_json(&st, CONTAINER_STOPPED, false);
        ASSERT_OK(json_parse_buf(json, strlen(json), &o, NULL));
        ASSERT_TRUE(json_object_object_get_ex(o, "ociVersion", &v));
        ASSERT_TRUE(json_object_object_get_ex(o, "status", &v));
        ASSERT_STREQ(json_object_get_string(v), "stopped");
        ASSERT_TRUE(json_object_object_get_ex(o, "pid", &v));
        ASSERT_EQ(json_object_get_int(v), 0); /* runc reports 0 for a stopped container */
        ASSERT_TRUE(json_object_object_get_ex(o, "annotations", &v));
        ASSERT_TRUE(strchr(json, '\n') == NULL);
}

TEST(sync_round_trip_with_fd_and_error)
{
        int sv[2], fd = -1;
        _cleanup_free_ char *payload = NULL;
        enum sync_type type;
        size_t len;
        struct berr *err = NULL;
        pid_t pid;

        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
        ASSERT_OK(sync_send(sv[0], SYNC_PID, "abcd", 4, 0, NULL));
        ASSERT_OK(sync_recv(sv[1], &type, &payload, &len, &fd, NULL));
        ASSERT_EQ(type, SYNC_PID);
        ASSERT_EQ(len, 4);
        ASSERT_STREQ(payload, "abcd");
        ASSERT_TRUE(fd > 2);
        ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);
        pid = fork();
        if (pid == 0) {
                struct berr *e = NULL;
                berr_set(&e, ENOENT, "child: no such thing");
                sync_fail(sv[0], e);
        }
        ASSERT_FAIL(sync_expect(sv[1], SYNC_CREATED, NULL, NULL, &err));
        ASSERT_EQ(berr_code(err), ENOENT);
        ASSERT_STREQ(berr_msg(err), "child: no such thing");
        berr_free(err);
        waitpid(pid, NULL, 0);
        close(sv[0]);
        err = NULL;
        ASSERT_EQ(sync_recv(sv[1], &type, NULL, NULL, NULL, &err), -EPIPE);
        berr_free(err);
        close(sv[1]);
}

TEST(sync_refuses_oversized_messages)
{
        int sv[2];
        struct { uint32_t type, len; } h = { SYNC_SETUP_ACK, SYNC_MAX_PAYLOAD + 1 };
        enum sync_type type;

        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
        ASSERT_EQ(write(sv[0], &h, sizeof(h)), (long) sizeof(h));
        ASSERT_FAIL(sync_recv(sv[1], &type, NULL, NULL, NULL, NULL));
        close(sv[0]);
        close(sv[1]);
}

TEST(features_document_is_valid_json)
{
        _cleanup_free_ char *json = runtime_features_json();
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *l, *v;

        ASSERT_OK(json_parse_buf(json, strlen(json), &o, NULL));
        ASSERT_TRUE(json_object_object_get_ex(o, "linux", &l));
        ASSERT_TRUE(json_object_object_get_ex(l, "namespaces", &v));
        ASSERT_EQ(json_object_array_length(v), 8);
        ASSERT_TRUE(json_object_object_get_ex(o, "hooks", &v));
        ASSERT_EQ(json_object_array_length(v), 6);
}

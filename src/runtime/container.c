/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lifecycle operations behind runc's commands. `create` validates the
 * whole config (spec, mount plan, seccomp program) before touching the
 * kernel, then makes the state directory (the id's lock), the cgroup and the
 * init (nsexec.c, linux.c) and drives the init's sync protocol from the
 * parent side. On any failure create_abort() undoes, in reverse order, what
 * was made: the init is killed, the rootfs bind that a container without a
 * mount namespace has in the caller's namespace detached, the cgroup
 * destroyed, the state dir removed.
 *
 * The init outlives `create` (it is reparented, as with runc and crun: the
 * caller is a subreaper such as containerd-shim or conmon) and blocks on the
 * exec fifo until `start`. `run` is create + start in one process, without
 * the fifo; in the foreground it waits for the init, forwarding signals.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/path.h"
#include "lib/util.h"
#include "runtime/cgroup.h"
#include "runtime/container-internal.h"
#include "runtime/mounts.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"
#include "runtime/sysctl.h"

#define LISTEN_FDS_MAX 4096
#define PRESERVE_FDS_MAX 65536

/* mounts.c references cgroup_mount_in_container() weakly, and a weak reference does not pull an
 * object out of the static library: keep a strong one so container cgroup mounts work. */
__attribute__((used)) static int (*const cgroup_mount_ref)(struct cgroup *, int, const char *, bool, bool,
                                                            struct berr **) = cgroup_mount_in_container;

static void berr_clear(struct berr **err)
{
        if (err && *err)
                *err = berr_free(*err);
}

struct create_ctx {
        const struct runtime_ctx *rt;
        const struct create_opts *opts;
        bool is_run;
        int rootfd;
        int dirfd;
        bool dir_created;
        struct oci_spec *spec;
        char *config;
        size_t config_len;
        struct mount_plan *plan;
        struct seccomp_program *seccomp;
        struct cgroup *cg;
        bool cg_created;
        int sync_fd; /* parent's end */
        int console_fd;
        pid_t first_pid; /* the clone()d child: the init, or the intermediate */
        bool intermediate;
        pid_t init_pid;
        char **extra_env;
        struct container_state st;
};

static void create_ctx_done(struct create_ctx *cc)
{
        safe_close(cc->rootfd);
        safe_close(cc->dirfd);
        safe_close(cc->sync_fd);
        safe_close(cc->console_fd);
        spec_free(cc->spec);
        free(cc->config);
        mounts_plan_free(cc->plan);
        seccomp_program_free(cc->seccomp);
        cgroup_free(cc->cg);
        strv_free(cc->extra_env);
        container_state_done(&cc->st);
}

/* Undoes what create made, newest first. Errors here are logged: the original error is what matters. */
static void create_abort(struct create_ctx *cc)
{
        struct berr *e = NULL;

        if (cc->init_pid > 0) {
                (void) kill(cc->init_pid, SIGKILL);
                (void) waitpid(cc->init_pid, NULL, 0); /* our child, also when an intermediate cloned it */
        }
        if (cc->first_pid > 0 && cc->first_pid != cc->init_pid) {
                (void) kill(cc->first_pid, SIGKILL);
                (void) waitpid(cc->first_pid, NULL, 0);
        }
        if (cc->st.host_root &&
            mounts_host_root_release(cc->st.host_root, &cc->st.host_bind, &e) < 0) {
                log_warn("%s, ignoring", berr_msg(e));
                e = berr_free(e);
        }
        if (cc->cg_created && cgroup_destroy(cc->cg, &e) < 0) {
                log_warn("remove cgroup: %s, ignoring", berr_msg(e));
                e = berr_free(e);
        }
        if (cc->dir_created && rm_rf_at(cc->rootfd, cc->opts->id, &e) < 0) {
                log_warn("remove state of '%s': %s, ignoring", cc->opts->id, berr_msg(e));
                e = berr_free(e);
        }
}

static int create_load_config(struct create_ctx *cc, struct berr **err)
{
        _cleanup_free_ char *bundle = NULL;
        _cleanup_free_ char *rootfs = NULL;
        struct stat sb;
        int r;

        bundle = realpath(cc->opts->bundle ? cc->opts->bundle : ".", NULL);
        if (!bundle)
                return berr_sys(err, "bundle '%s'", cc->opts->bundle ? cc->opts->bundle : ".");
        {
                _cleanup_close_ int bfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (bfd < 0)
                        return berr_sys(err, "bundle '%s'", bundle);
                r = read_file_at(bfd, "config.json", SPEC_MAX_BYTES, &cc->config, &cc->config_len, err);
                if (r < 0)
                        return berr_wrap(err, "bundle '%s'", bundle);
        }
        r = spec_parse(cc->config, cc->config_len, &cc->spec, err);
        if (r < 0)
                return berr_wrap(err, "%s/config.json", bundle);
        if (!cc->spec->has_process || !cc->spec->process.args || !cc->spec->process.args[0])
                return berr_set(err, EINVAL, "config.json: process.args must not be empty");
        if (!cc->spec->root_path)
                return berr_set(err, EINVAL, "config.json: root.path is missing");
        rootfs = cc->spec->root_path[0] == '/' ? xstrdup(cc->spec->root_path) : path_join(bundle, cc->spec->root_path);
        if (stat(rootfs, &sb) < 0)
                return berr_sys(err, "rootfs '%s'", rootfs);
        if (!S_ISDIR(sb.st_mode))
                return berr_set(err, ENOTDIR, "rootfs '%s' is not a directory", rootfs);
        cc->st.bundle = TAKE_PTR(bundle);
        cc->st.rootfs = TAKE_PTR(rootfs);
        return 0;
}

static int create_plans(struct create_ctx *cc, struct berr **err)
{
        int r;

        r = sysctl_validate(cc->spec, err);
        if (r < 0)
                return r;
        r = mounts_plan_new(cc->spec, cc->opts->no_pivot, &cc->plan, err);
        if (r < 0)
                return r;
        if (cc->spec->linux.seccomp) {
                r = seccomp_program_new_cached(cc->spec->linux.seccomp, cc->rt->root, &cc->seccomp, err);
                if (r < 0)
                        return berr_wrap(err, "linux.seccomp");
        }
        return 0;
}


/* The host id that container id 0 maps to, or -1 when no mapping covers it. */
static int64_t host_id_of_root(const struct oci_id_mapping *m, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (m[i].container_id == 0 && m[i].size > 0)
                        return m[i].host_id;
        return -1;
}

/*
 * In a new user namespace the container's root is another host user, and the
 * init opens the exec fifo as that user: give the fifo to it and let it
 * traverse (not list) the state directory, as runc does.
 */
static int fifo_for_userns_root(struct create_ctx *cc, struct berr **err)
{
        const struct oci_linux *l = &cc->spec->linux;
        int64_t uid = host_id_of_root(l->uid_mappings, l->n_uid_mappings);
        int64_t gid = host_id_of_root(l->gid_mappings, l->n_gid_mappings);

        if (!spec_has_namespace(cc->spec, OCI_NS_USER, NULL) || (uid <= 0 && gid <= 0))
                return 0;
        if (fchownat(cc->dirfd, STATE_FIFO, uid > 0 ? (uid_t) uid : (uid_t) -1, gid > 0 ? (gid_t) gid : (gid_t) -1,
                     AT_SYMLINK_NOFOLLOW) < 0)
                return berr_sys(err, "give the exec fifo to the container's root");
        if (fchmod(cc->dirfd, 0711) < 0)
                return berr_sys(err, "make the state directory traversable");
        return 0;
}
static int create_state_dir(struct create_ctx *cc, struct berr **err)
{
        const char *id = cc->opts->id;
        int r;

        cc->rootfd = state_root_open(cc->rt->root, true, err);
        if (cc->rootfd < 0)
                return cc->rootfd;
        if (mkdirat(cc->rootfd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return berr_set(err, EEXIST, "container '%s' already exists", id);
                return berr_sys(err, "create state directory of '%s'", id);
        }
        cc->dir_created = true;
        cc->dirfd = state_dir_open_locked(cc->rootfd, id, true, err);
        if (cc->dirfd < 0)
                return cc->dirfd;
        r = write_file_atomic_at(cc->dirfd, STATE_CONFIG_FILE, cc->config, cc->config_len, 0600, err);
        if (r < 0)
                return r;
        if (!cc->is_run && mkfifoat(cc->dirfd, STATE_FIFO, 0600) < 0)
                return berr_sys(err, "create exec fifo");
        if (!cc->is_run) {
                r = fifo_for_userns_root(cc, err);
                if (r < 0)
                        return r;
        }
        cc->st.has_fifo = !cc->is_run;
        cc->st.no_post_hooks = cc->spec->hooks.n_hooks[OCI_HOOK_POSTSTART] == 0 &&
                               cc->spec->hooks.n_hooks[OCI_HOOK_POSTSTOP] == 0;
        return 0;
}

/* Device access: runc's defaults plus every linux.devices node (the resources rules come first). */
static int create_device_rules(struct create_ctx *cc, struct berr **err)
{
        const struct oci_device_rule *defaults;
        size_t n;
        int r;

        defaults = cgroup_default_device_rules(&n);
        r = cgroup_add_device_rules(cc->cg, defaults, n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < cc->spec->linux.n_devices; i++) {
                const struct oci_device *d = &cc->spec->linux.devices[i];
                struct oci_device_rule rule = { .allow = true, .major = d->major, .minor = d->minor, .access = "rwm" };

                if (d->type == 'p')
                        continue; /* fifos are not device-controlled */
                rule.type = d->type == 'b' ? 'b' : 'c';
                r = cgroup_add_device_rules(cc->cg, &rule, 1, err);
                if (r < 0)
                        return berr_wrap(err, "linux.devices[%zu]", i);
        }
        return 0;
}

static int create_cgroup(struct create_ctx *cc, struct berr **err)
{
        int r;

        if (cc->rt->systemd_cgroup)
                return berr_set(err, ENOTSUP, "--systemd-cgroup is not supported: this host has no systemd");
        r = cgroup_new(NULL, cc->spec->linux.cgroups_path, cc->opts->id, &cc->cg, err);
        if (r < 0)
                return r;
        r = create_device_rules(cc, err);
        if (r < 0)
                return r;
        r = cgroup_create(cc->cg, err);
        if (r < 0)
                return r;
        cc->cg_created = true;
        cc->st.cgroup = cgroup_describe(cc->cg);
        return 0;
}

static bool spec_has_hooks(const struct oci_spec *spec)
{
        for (int k = 0; k < _OCI_HOOK_MAX; k++)
                if (spec->hooks.n_hooks[k] > 0)
                        return true;
        return false;
}

static int run_runtime_hooks(struct create_ctx *cc, const char *state_json, struct berr **err)
{
        const struct oci_hooks *h = &cc->spec->hooks;
        int r;

        r = hooks_run(h->hooks[OCI_HOOK_PRESTART], h->n_hooks[OCI_HOOK_PRESTART], "prestart", state_json, err);
        if (r < 0)
                return r;
        return hooks_run(h->hooks[OCI_HOOK_CREATE_RUNTIME], h->n_hooks[OCI_HOOK_CREATE_RUNTIME], "createRuntime",
                         state_json, err);
}

/* Parent side of step 3 in linux.c. */
static int create_on_setup(struct create_ctx *cc, struct berr **err)
{
        _cleanup_free_ char *state_json = NULL;
        int r;

        if (cc->init_pid <= 0)
                cc->init_pid = cc->first_pid;
        cc->st.pid = cc->init_pid;
        if (proc_pid_start_time(cc->init_pid, &cc->st.pid_start, NULL) < 0)
                return berr_set(err, ESRCH, "container init %d vanished", (int) cc->init_pid);
        r = timens_write_offsets(cc->init_pid, cc->spec, err);
        if (r < 0)
                return r;
        r = cgroup_enter(cc->cg, cc->init_pid, err);
        if (r < 0)
                return r;
        {
                static const struct oci_resources none = { 0 };
                r = cgroup_apply(cc->cg, cc->spec->linux.has_resources ? &cc->spec->linux.resources : &none, err);
                if (r < 0)
                        return berr_wrap(err, "linux.resources");
        }
        if (spec_has_hooks(cc->spec)) {
                state_json = state_oci_json(&cc->st, CONTAINER_CREATED, false);
                r = run_runtime_hooks(cc, state_json, err);
                if (r < 0)
                        return r;
        }
        return sync_send(cc->sync_fd, SYNC_SETUP_ACK, state_json, state_json ? strlen(state_json) : 0, -1, err);
}

static int create_on_seccomp_fd(struct create_ctx *cc, int fd, struct berr **err)
{
        _cleanup_close_ int listener = fd;
        _cleanup_free_ char *state_json = NULL;
        int r;

        if (listener < 0 || !cc->spec->linux.seccomp || !cc->spec->linux.seccomp->listener_path)
                return berr_set(err, EPROTO, "unexpected seccomp listener");
        state_json = state_oci_json(&cc->st, CONTAINER_CREATING, false);
        r = seccomp_send_listener(cc->spec->linux.seccomp->listener_path, listener, state_json, err);
        if (r < 0)
                return berr_wrap(err, "linux.seccomp.listenerPath");
        return sync_send(cc->sync_fd, SYNC_SECCOMP_FD_ACK, NULL, 0, -1, err);
}

/* Serves the init's requests until it reports SYNC_CREATED (steps in linux.c and nsexec.c). */
static int create_sync_loop(struct create_ctx *cc, struct berr **err)
{
        for (;;) {
                _cleanup_free_ char *payload = NULL;
                enum sync_type type;
                size_t len;
                int fd = -1, r;

                r = sync_recv(cc->sync_fd, &type, &payload, &len, &fd, err);
                if (r < 0) {
                        if (r == -EPIPE) {
                                berr_clear(err);
                                return berr_set(err, EIO, "container init exited before it was ready");
                        }
                        return r;
                }
                switch (type) {
                case SYNC_USERMAP:
                        r = userns_write_maps(cc->first_pid, cc->spec, err);
                        if (r >= 0)
                                r = sync_send(cc->sync_fd, SYNC_USERMAP_ACK, NULL, 0, -1, err);
                        break;
                case SYNC_PID: {
                        int32_t pid;
                        if (len != sizeof(pid))
                                return berr_set(err, EPROTO, "bad pid message");
                        memcpy(&pid, payload, sizeof(pid));
                        cc->init_pid = pid;
                        (void) waitpid(cc->first_pid, NULL, 0); /* the intermediate exits right after */
                        cc->first_pid = 0;
                        r = sync_send(cc->sync_fd, SYNC_GO, NULL, 0, -1, err);
                        break;
                }
                case SYNC_SETUP:
                        r = create_on_setup(cc, err);
                        break;
                case SYNC_SECCOMP_FD:
                        r = create_on_seccomp_fd(cc, fd, err);
                        fd = -1;
                        break;
                case SYNC_CREATED:
                        safe_close(fd);
                        return 0;
                case SYNC_ERROR:
                        return sync_error_from_payload(payload, len, err);
                case SYNC_USERMAP_ACK:
                case SYNC_SETUP_ACK:
                case SYNC_SECCOMP_FD_ACK:
                case SYNC_START:
                case SYNC_GO:
                case SYNC_READY:
                default:
                        r = berr_set(err, EPROTO, "unexpected sync message %u from the init", (unsigned) type);
                        break;
                }
                safe_close(fd);
                if (r < 0)
                        return r;
        }
}

static int create_listen_fds(struct create_ctx *cc, unsigned *ret_extra, struct berr **err)
{
        const char *s = getenv("LISTEN_FDS");
        uint32_t n = 0;

        *ret_extra = 0;
        if (!s || !*s)
                return 0;
        if (parse_uint32(s, &n) < 0 || n > LISTEN_FDS_MAX)
                return berr_set(err, EINVAL, "LISTEN_FDS '%s' is not a valid count", s);
        strv_push_take(&cc->extra_env, xasprintf("LISTEN_FDS=%u", n));
        strv_push(&cc->extra_env, "LISTEN_PID=1");
        *ret_extra = n;
        return 0;
}

static int create_spawn(struct create_ctx *cc, struct berr **err)
{
        struct init_config cfg = { 0 };
        _cleanup_close_ int child_end = -1;
        int sv[2];
        unsigned listen = 0;
        int r;

        r = create_listen_fds(cc, &listen, err);
        if (r < 0)
                return r;
        if (cc->opts->preserve_fds > PRESERVE_FDS_MAX)
                return berr_set(err, EINVAL, "--preserve-fds %u is too large", cc->opts->preserve_fds);
        if (cc->opts->console_socket) {
                cc->console_fd = console_socket_connect(cc->opts->console_socket, err);
                if (cc->console_fd < 0)
                        return cc->console_fd;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return berr_sys(err, "socketpair");
        cc->sync_fd = sv[0];
        child_end = sv[1];
        cfg.spec = cc->spec;
        cfg.plan = cc->plan;
        cfg.seccomp = cc->seccomp;
        cfg.cg = cc->cg;
        cfg.rootfs = cc->st.rootfs;
        cfg.sync_fd = child_end;
        cfg.console_fd = cc->console_fd;
        cfg.fifo_dirfd = cc->is_run ? -1 : cc->dirfd;
        cfg.preserve_fds = cc->opts->preserve_fds + listen;
        cfg.extra_env = cc->extra_env;
        cfg.no_new_keyring = cc->opts->no_new_keyring;
        cfg.ignored_signals = linux_ignored_signals(); /* the init inherits these dispositions */
        r = nsexec_spawn_init(&cfg, &cc->intermediate, err);
        if (r < 0)
                return r;
        cc->first_pid = r;
        if (!cc->intermediate)
                cc->init_pid = r;
        child_end = safe_close(child_end);
        cc->console_fd = safe_close(cc->console_fd);
        return create_sync_loop(cc, err);
}

/*
 * No mount namespace: bind the rootfs onto itself here, in the caller's mount
 * namespace, so that the bind is recorded before the init mounts under it
 * and create_abort()/delete can detach it (mounts-host.c).
 */
static int create_host_root(struct create_ctx *cc, struct berr **err)
{
        _cleanup_free_ char *real = NULL;
        int r;

        if (cc->plan->has_mountns)
                return 0;
        real = realpath(cc->st.rootfs, NULL);
        if (!real)
                return berr_sys(err, "rootfs '%s'", cc->st.rootfs);
        r = mounts_host_root_bind(real, &cc->st.host_bind, err);
        if (r < 0)
                return r;
        cc->plan->host_root_mount = cc->st.host_bind.id;
        cc->st.host_root = TAKE_PTR(real);
        return 0;
}

int container_write_pid_file(const char *path, pid_t pid, struct berr **err)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", (int) pid);

        if (write_file_atomic_at(AT_FDCWD, path, buf, (size_t) n, 0644, err) < 0)
                return berr_wrap(err, "pid file");
        return 0;
}

static int create_finish(struct create_ctx *cc, struct berr **err)
{
        int r;

        r = state_write(cc->dirfd, &cc->st, err);
        if (r < 0)
                return r;
        if (cc->opts->pid_file)
                return container_write_pid_file(cc->opts->pid_file, cc->init_pid, err);
        return 0;
}

static int create_do(struct create_ctx *cc, struct berr **err)
{
        int r;

        r = container_id_validate(cc->opts->id, err);
        if (r < 0)
                return r;
        r = create_load_config(cc, err);
        if (r < 0)
                return r;
        r = create_plans(cc, err);
        if (r < 0)
                return r;
        cc->st.id = xstrdup(cc->opts->id);
        cc->st.created = state_now_rfc3339();
        cc->st.owner = xstrdup("");
        cc->st.annotations = strv_dup(cc->spec->annotations);
        cc->st.rootless = cc->rt->rootless;
        cc->st.systemd = cc->rt->systemd_cgroup;
        r = create_state_dir(cc, err);
        if (r < 0)
                return r;
        r = create_cgroup(cc, err);
        if (r < 0)
                return r;
        r = create_host_root(cc, err);
        if (r < 0)
                return r;
        r = create_spawn(cc, err);
        if (r < 0)
                return r;
        return create_finish(cc, err);
}

static void create_ctx_init(struct create_ctx *cc, const struct runtime_ctx *ctx, const struct create_opts *opts,
                            bool is_run)
{
        *cc = (struct create_ctx){ .rt = ctx, .opts = opts, .is_run = is_run, .rootfd = -1, .dirfd = -1,
                                   .sync_fd = -1, .console_fd = -1 };
}

int container_create(const struct runtime_ctx *ctx, const struct create_opts *opts, struct berr **err)
{
        _cleanup_(create_ctx_done) struct create_ctx cc;
        int r;

        create_ctx_init(&cc, ctx, opts, false);
        r = create_do(&cc, err);
        if (r < 0) {
                create_abort(&cc);
                return r;
        }
        return 0;
}

int container_open(const struct runtime_ctx *ctx, const char *id, bool exclusive, int *ret_dirfd,
                   struct container_state *ret_state, struct berr **err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        int r;

        r = container_id_validate(id, err);
        if (r < 0)
                return r;
        rootfd = state_root_open(ctx->root, false, err);
        if (rootfd == -ENOENT)
                return berr_set(err, ENOENT, "container '%s' does not exist", id);
        if (rootfd < 0)
                return rootfd;
        dirfd = state_dir_open_locked(rootfd, id, exclusive, err);
        if (dirfd < 0)
                return dirfd;
        r = state_read(dirfd, ret_state, err);
        if (r < 0) {
                /* A directory without state is a create in progress or one that crashed half-way. */
                if (r == -ENOENT) {
                        berr_clear(err);
                        return berr_set(err, ENOENT, "container '%s' does not exist", id);
                }
                return berr_wrap(err, "container '%s'", id);
        }
        *ret_dirfd = TAKE_FD(dirfd);
        return 0;
}

static int load_cgroup(const struct container_state *st, struct cgroup **ret, struct berr **err)
{
        if (!st->cgroup)
                return berr_set(err, EINVAL, "container '%s' has no cgroup in its state", st->id);
        return cgroup_load(NULL, st->cgroup, ret, err);
}

static void run_poststart(const struct oci_spec *spec, const struct container_state *st)
{
        _cleanup_free_ char *json = NULL;
        struct berr *e = NULL;

        if (spec->hooks.n_hooks[OCI_HOOK_POSTSTART] == 0)
                return;
        json = state_oci_json(st, CONTAINER_RUNNING, false);
        /* runtime-spec: a failing poststart hook is logged, the container keeps running. */
        if (hooks_run(spec->hooks.hooks[OCI_HOOK_POSTSTART], spec->hooks.n_hooks[OCI_HOOK_POSTSTART], "poststart", json,
                      &e) < 0) {
                log_warn("%s", berr_msg(e));
                berr_free(e);
        }
}

int container_start(const struct runtime_ctx *ctx, const char *id, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(spec_freep) struct oci_spec *spec = NULL;
        _cleanup_close_ int dirfd = -1, fifo = -1, watch = -1;
        enum container_status status;
        int r;

        r = container_open(ctx, id, true, &dirfd, &st, err);
        if (r < 0)
                return r;
        status = state_status(dirfd, &st, NULL);
        if (status == CONTAINER_STOPPED)
                return berr_set(err, EINVAL, "cannot start container '%s': it has stopped", id);
        if (status != CONTAINER_CREATED)
                return berr_set(err, EINVAL, "cannot start container '%s': it is %s, not created", id,
                                container_status_to_string(status));
        /*
         * The init holds the fifo open O_RDWR and blocks reading it:
         *   1. open a read end of our own first, so a writer opening later arms POLLHUP on it (fifo(7):
         *      the hang-up is reported once every writer that came after us is gone);
         *   2. open a write end (ENXIO: no reader, the init is gone), write the byte, close it;
         *   3. the init reads the byte, runs startContainer hooks and execs: close-on-exec drops its
         *      end, the last writer, and our read end hangs up. poststart hooks then run after the
         *      container's process started, as runtime-spec asks. We never read, so the byte is the init's.
         */
        watch = openat(dirfd, STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (watch < 0)
                return berr_sys(err, "cannot start container '%s': open exec fifo", id);
        fifo = openat(dirfd, STATE_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo < 0)
                return berr_sys(err, "cannot start container '%s': open exec fifo", id);
        if (write(fifo, "0", 1) != 1)
                return berr_sys(err, "cannot start container '%s': write exec fifo", id);
        fifo = safe_close(fifo);
        if (unlinkat(dirfd, STATE_FIFO, 0) < 0)
                return berr_sys(err, "remove exec fifo");
        /* Started: others may look at the container while we wait and run poststart hooks. */
        (void) flock(dirfd, LOCK_UN);
        {
                struct pollfd p = { .fd = watch, .events = 0 };
                int n;
                do
                        n = poll(&p, 1, -1);
                while (n < 0 && errno == EINTR);
        }
        if (st.no_post_hooks)
                return 0; /* parsing config.json again took about 1 ms */
        r = state_load_spec(dirfd, &spec, err);
        if (r < 0)
                return r;
        run_poststart(spec, &st);
        return 0;
}

/* Waits for pid to exit (pidfd); it need not be our child. */
static int wait_pid_gone(pid_t pid, int timeout_ms)
{
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        struct pollfd p;

        if (pidfd < 0)
                return errno == ESRCH ? 0 : -errno;
        p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
        if (poll(&p, 1, timeout_ms) <= 0)
                return -ETIMEDOUT;
        return 0;
}

static int send_signal(const struct container_state *st, int sig, struct berr **err)
{
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, st->pid, 0);

        if (pidfd < 0)
                return berr_set(err, ESRCH, "container '%s' is not running", st->id);
        /* The pidfd pins the process: check that it is still our init before signalling it. */
        if (!state_pid_alive(st))
                return berr_set(err, ESRCH, "container '%s' is not running", st->id);
        if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
                return berr_sys(err, "send signal %d to container '%s'", sig, st->id);
        return 0;
}

int container_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_close_ int dirfd = -1;
        int r;

        r = container_open(ctx, id, false, &dirfd, &st, err);
        if (r < 0)
                return r;
        if (!all) {
                if (!state_pid_alive(&st))
                        return berr_set(err, ESRCH, "container '%s' is not running", id);
                return send_signal(&st, sig, err);
        }
        r = load_cgroup(&st, &cg, err);
        if (r < 0)
                return r;
        return cgroup_kill_all(cg, sig, err);
}

static void run_poststop(int dirfd, const struct container_state *st)
{
        _cleanup_(spec_freep) struct oci_spec *spec = NULL;
        _cleanup_free_ char *json = NULL;
        struct berr *e = NULL;

        if (st->no_post_hooks)
                return;
        if (state_load_spec(dirfd, &spec, &e) < 0) {
                log_warn("poststop hooks of '%s' not run: %s", st->id, berr_msg(e));
                berr_free(e);
                return;
        }
        if (spec->hooks.n_hooks[OCI_HOOK_POSTSTOP] == 0)
                return;
        json = state_oci_json(st, CONTAINER_STOPPED, false);
        /* runtime-spec: a failing poststop hook is logged, the deletion goes on. */
        if (hooks_run(spec->hooks.hooks[OCI_HOOK_POSTSTOP], spec->hooks.n_hooks[OCI_HOOK_POSTSTOP], "poststop", json,
                      &e) < 0) {
                log_warn("%s", berr_msg(e));
                berr_free(e);
        }
}

/* Kills everything, runs poststop hooks, removes cgroup and state. Called with the lock held. */
static int destroy_locked(const struct runtime_ctx *ctx, int dirfd, const struct container_state *st,
                          struct cgroup *cg, struct berr **err)
{
        _cleanup_close_ int rootfd = -1;
        int r;

        if (state_pid_alive(st)) {
                (void) send_signal(st, SIGKILL, NULL); /* may have exited meanwhile */
                if (cg) {
                        (void) cgroup_kill_all(cg, SIGKILL, NULL);
                        (void) cgroup_freeze(cg, false, NULL); /* a frozen task dies only once thawed */
                }
                if (wait_pid_gone(st->pid, 10000) < 0)
                        return berr_set(err, EBUSY, "container '%s': init %d did not die", st->id, (int) st->pid);
        }
        run_poststop(dirfd, st);
        if (st->host_root) {
                r = mounts_host_root_release(st->host_root, &st->host_bind, err);
                if (r < 0)
                        return berr_wrap(err, "delete container '%s'", st->id);
        }
        if (cg) {
                r = cgroup_destroy(cg, err);
                if (r < 0)
                        return berr_wrap(err, "delete container '%s'", st->id);
        }
        rootfd = state_root_open(ctx->root, false, err);
        if (rootfd < 0)
                return rootfd;
        r = rm_rf_at(rootfd, st->id, err);
        if (r < 0)
                return berr_wrap(err, "delete container '%s'", st->id);
        return 0;
}

int container_delete(const struct runtime_ctx *ctx, const char *id, bool force, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_close_ int dirfd = -1;
        enum container_status status;
        struct berr *e = NULL;
        int r;

        r = container_open(ctx, id, true, &dirfd, &st, err);
        if (r < 0)
                return r;
        if (st.cgroup && load_cgroup(&st, &cg, &e) < 0) {
                log_warn("cgroup of '%s': %s, ignoring", id, berr_msg(e));
                e = berr_free(e);
        }
        status = state_status(dirfd, &st, cg);
        if (!force && (status == CONTAINER_RUNNING || status == CONTAINER_PAUSED))
                return berr_set(err, EBUSY, "cannot delete container '%s' that is not stopped: %s", id,
                                container_status_to_string(status));
        return destroy_locked(ctx, dirfd, &st, cg, err);
}

static int info_from_state(int dirfd, struct container_state *st, struct container_info *ret)
{
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        bool alive = state_pid_alive(st);

        if (alive && st->cgroup)
                (void) load_cgroup(st, &cg, NULL); /* without it "paused" cannot be told */
        ret->status = state_status(dirfd, st, cg);
        ret->pid = ret->status == CONTAINER_STOPPED ? 0 : st->pid;
        ret->id = TAKE_PTR(st->id);
        ret->bundle = TAKE_PTR(st->bundle);
        ret->rootfs = TAKE_PTR(st->rootfs);
        ret->created = TAKE_PTR(st->created);
        ret->owner = TAKE_PTR(st->owner);
        ret->annotations = TAKE_PTR(st->annotations);
        return 0;
}

int container_info_get(const struct runtime_ctx *ctx, const char *id, struct container_info *ret, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_close_ int dirfd = -1;
        int r;

        r = container_open(ctx, id, false, &dirfd, &st, err);
        if (r < 0)
                return r;
        *ret = (struct container_info){ 0 };
        return info_from_state(dirfd, &st, ret);
}

int container_state_json(const struct runtime_ctx *ctx, const char *id, char **ret, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_close_ int dirfd = -1;
        enum container_status status;
        int r;

        r = container_open(ctx, id, false, &dirfd, &st, err);
        if (r < 0)
                return r;
        if (state_pid_alive(&st) && st.cgroup)
                (void) load_cgroup(&st, &cg, NULL);
        status = state_status(dirfd, &st, cg);
        *ret = state_oci_json(&st, status, true);
        return 0;
}

static int info_cmp(const void *a, const void *b)
{
        return strcmp(((const struct container_info *) a)->id, ((const struct container_info *) b)->id);
}

int container_list(const struct runtime_ctx *ctx, struct container_info **ret, size_t *ret_n, struct berr **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct container_info *v = NULL;
        size_t n = 0;
        int rootfd;
        struct dirent *de;

        *ret = NULL;
        *ret_n = 0;
        rootfd = state_root_open(ctx->root, false, err);
        if (rootfd == -ENOENT)
                return 0;
        if (rootfd < 0)
                return rootfd;
        d = fdopendir(rootfd);
        if (!d) {
                safe_close(rootfd);
                return berr_sys(err, "list '%s'", ctx->root);
        }
        while ((de = readdir(d))) {
                _cleanup_(container_state_done) struct container_state st = { 0 };
                _cleanup_close_ int cfd = -1;

                if (de->d_name[0] == '.' || container_id_validate(de->d_name, NULL) < 0)
                        continue;
                cfd = openat(rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (cfd < 0 || state_read(cfd, &st, NULL) < 0)
                        continue; /* being created, or not ours */
                v = xreallocarray(v, n + 1, sizeof(*v));
                v[n] = (struct container_info){ 0 };
                info_from_state(cfd, &st, &v[n]);
                n++;
        }
        if (n > 0)
                qsort(v, n, sizeof(*v), info_cmp);
        *ret = v;
        *ret_n = n;
        return 0;
}

/*
 * Opens container id (locked when exclusive) and loads its cgroup. With
 * need_running, a container whose process is gone is an error: for the action
 * verb ("cannot <verb> container ..."), or plainly "not running" without one.
 */
static int open_with_cgroup(const struct runtime_ctx *ctx, const char *id, bool exclusive, bool need_running,
                            const char *verb, int *ret_dirfd, struct container_state *st, struct cgroup **ret_cg,
                            struct berr **err)
{
        int r;

        r = container_open(ctx, id, exclusive, ret_dirfd, st, err);
        if (r < 0)
                return r;
        if (need_running && !state_pid_alive(st)) {
                if (verb)
                        return berr_set(err, ESRCH, "cannot %s container '%s': it is not running", verb, id);
                return berr_set(err, ESRCH, "container '%s' is not running", id);
        }
        return load_cgroup(st, ret_cg, err);
}

int container_pids(const struct runtime_ctx *ctx, const char *id, pid_t **ret, size_t *ret_n, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_close_ int dirfd = -1;
        int r;

        r = open_with_cgroup(ctx, id, false, true, NULL, &dirfd, &st, &cg, err);
        if (r < 0)
                return r;
        return cgroup_get_pids(cg, ret, ret_n, err);
}

int container_pause(const struct runtime_ctx *ctx, const char *id, bool pause, struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_close_ int dirfd = -1;
        enum container_status status;
        int r;

        r = open_with_cgroup(ctx, id, true, false, NULL, &dirfd, &st, &cg, err);
        if (r < 0)
                return r;
        status = state_status(dirfd, &st, cg);
        if (pause && status != CONTAINER_RUNNING && status != CONTAINER_CREATED)
                return berr_set(err, EINVAL, "cannot pause container '%s': it is %s", id,
                                container_status_to_string(status));
        if (!pause && status != CONTAINER_PAUSED)
                return berr_set(err, EINVAL, "cannot resume container '%s': it is %s, not paused", id,
                                container_status_to_string(status));
        return cgroup_freeze(cg, pause, err);
}

int container_update(const struct runtime_ctx *ctx, const char *id, const struct oci_resources *res,
                     struct berr **err)
{
        _cleanup_(container_state_done) struct container_state st = { 0 };
        _cleanup_(cgroup_freep) struct cgroup *cg = NULL;
        _cleanup_close_ int dirfd = -1;
        int r;

        r = open_with_cgroup(ctx, id, true, true, "update", &dirfd, &st, &cg, err);
        if (r < 0)
                return r;
        r = cgroup_apply(cg, res, err);
        if (r < 0)
                return berr_wrap(err, "update container '%s'", id);
        return 0;
}

int container_block_signals(sigset_t *ret_set)
{
        sigset_t set;

        sigfillset(&set);
        sigdelset(&set, SIGKILL);
        sigdelset(&set, SIGSTOP);
        sigdelset(&set, SIGSEGV);
        sigdelset(&set, SIGBUS);
        sigdelset(&set, SIGFPE);
        sigdelset(&set, SIGILL);
        sigdelset(&set, SIGTRAP);
        sigdelset(&set, SIGABRT);
        sigdelset(&set, SIGSYS);
        *ret_set = set;
        return sigprocmask(SIG_BLOCK, &set, NULL);
}

int container_wait_forwarding(pid_t pid, const sigset_t *set, int *ret_status, struct berr **err)
{
        _cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
        int status;

        if (sfd < 0)
                return berr_sys(err, "signalfd");
        for (;;) {
                struct signalfd_siginfo si;
                pid_t r = waitpid(pid, &status, WNOHANG);

                if (r == pid)
                        break;
                if (r < 0 && errno != EINTR)
                        return berr_sys(err, "wait for %d", (int) pid);
                if (read(sfd, &si, sizeof(si)) != sizeof(si))
                        continue;
                if (si.ssi_signo == SIGCHLD)
                        continue;
                (void) kill(pid, (int) si.ssi_signo); /* it may just have exited */
        }
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}

int container_run(const struct runtime_ctx *ctx, const struct create_opts *opts, int *ret_status, struct berr **err)
{
        _cleanup_(create_ctx_done) struct create_ctx cc;
        sigset_t set, old;
        int r;

        *ret_status = 0;
        sigprocmask(SIG_SETMASK, NULL, &old);
        if (!opts->detach && container_block_signals(&set) < 0)
                return berr_sys(err, "block signals");
        create_ctx_init(&cc, ctx, opts, true);
        r = create_do(&cc, err);
        if (r >= 0)
                r = sync_send(cc.sync_fd, SYNC_START, NULL, 0, -1, err);
        if (r >= 0)
                r = sync_expect_exec(cc.sync_fd, err);
        if (r < 0) {
                create_abort(&cc);
                return r;
        }
        run_poststart(cc.spec, &cc.st);
        if (opts->detach)
                return 0;
        /* Others (state, kill, exec) must be able to lock the container while it runs. */
        (void) flock(cc.dirfd, LOCK_UN);
        r = container_wait_forwarding(cc.init_pid, &set, ret_status, err);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0)
                return r;
        if (opts->keep)
                return 0;
        cc.dirfd = safe_close(cc.dirfd);
        cc.dirfd = state_dir_open_locked(cc.rootfd, opts->id, true, err);
        if (cc.dirfd == -ENOENT) { /* deleted meanwhile (delete --force) */
                berr_clear(err);
                return 0;
        }
        if (cc.dirfd < 0)
                return cc.dirfd;
        return destroy_locked(ctx, cc.dirfd, &cc.st, cc.cg, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting the container's init in its namespaces.
 *
 * The common case (every namespace new) is one clone(2) with all CLONE_NEW*
 * flags except two that must wait: the time namespace (its offsets can only
 * be written before a process enters it, so the init unshares it, lets the
 * parent write the offsets, then enters it with setns on
 * time_for_children), and the cgroup namespace (its root is the cgroup the
 * process is in when it is created, so the init unshares it only after the
 * parent has moved it into the container's cgroup).
 *
 * Joining namespaces by path needs an intermediate process: setns(2) into a
 * pid (or time) namespace only affects children, and namespaces created
 * after joining a user namespace must belong to it. The intermediate
 *   1. opens every path first (they are host paths, and joining the mount
 *      namespace changes what paths mean), then joins the user namespace
 *      first (it grants the capabilities the others need), the others next
 *      and the mount namespace last;
 *   2. unshares a new user namespace if asked and has the parent write its
 *      maps (SYNC_USERMAP), then unshares the other new namespaces;
 *   3. clones the init with CLONE_PARENT, so the init is the runtime's
 *      child (run waits for it), reports its pid (SYNC_PID) and exits.
 * We read runc's nsexec.c comments to learn this order; the code is ours.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "runtime/container-internal.h"
#include "runtime/spec.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const unsigned long ns_flags[_OCI_NS_MAX] = {
        [OCI_NS_PID] = CLONE_NEWPID,   [OCI_NS_NETWORK] = CLONE_NEWNET,  [OCI_NS_MOUNT] = CLONE_NEWNS,
        [OCI_NS_IPC] = CLONE_NEWIPC,   [OCI_NS_UTS] = CLONE_NEWUTS,      [OCI_NS_USER] = CLONE_NEWUSER,
        [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

unsigned long nsexec_new_flags(const struct oci_spec *spec)
{
        unsigned long flags = 0;

        for (size_t i = 0; i < spec->linux.n_namespaces; i++) {
                const struct oci_namespace *ns = &spec->linux.namespaces[i];
                if (!ns->path && ns->type >= 0 && ns->type < _OCI_NS_MAX)
                        flags |= ns_flags[ns->type];
        }
        return flags;
}

static bool has_joins(const struct oci_spec *spec)
{
        for (size_t i = 0; i < spec->linux.n_namespaces; i++)
                if (spec->linux.namespaces[i].path)
                        return true;
        return false;
}

static pid_t raw_clone(unsigned long flags)
{
        /* fork(2) semantics with namespace flags: no stack, the child continues here. No threads run in
         * this process, so skipping glibc's atfork handlers is safe. */
        return (pid_t) syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

int nsexec_join_paths(const struct oci_spec *spec, struct berr **err)
{
        int fds[_OCI_NS_MAX];
        int r = 0;

        for (int t = 0; t < _OCI_NS_MAX; t++)
                fds[t] = -1;
        for (size_t i = 0; i < spec->linux.n_namespaces; i++) {
                const struct oci_namespace *ns = &spec->linux.namespaces[i];
                if (!ns->path || ns->type < 0 || ns->type >= _OCI_NS_MAX)
                        continue;
                safe_close(fds[ns->type]);
                fds[ns->type] = open(ns->path, O_RDONLY | O_CLOEXEC);
                if (fds[ns->type] < 0) {
                        r = berr_sys(err, "open %s namespace '%s'", oci_namespace_type_to_string(ns->type),
                                     ns->path);
                        goto out;
                }
        }
        {
                static const enum oci_namespace_type order[] = { OCI_NS_USER, OCI_NS_IPC,    OCI_NS_UTS,
                                                                 OCI_NS_NETWORK, OCI_NS_PID, OCI_NS_CGROUP,
                                                                 OCI_NS_TIME, OCI_NS_MOUNT };
                for (size_t k = 0; k < ELEMENTSOF(order); k++) {
                        enum oci_namespace_type t = order[k];
                        if (fds[t] < 0)
                                continue;
                        if (setns(fds[t], (int) ns_flags[t]) < 0) {
                                r = berr_sys(err, "join %s namespace", oci_namespace_type_to_string(t));
                                goto out;
                        }
                }
        }
out:
        for (int t = 0; t < _OCI_NS_MAX; t++)
                safe_close(fds[t]);
        return r;
}

__attribute__((noreturn)) static void intermediate_main(const struct init_config *cfg)
{
        struct berr *err = NULL;
        unsigned long flags = nsexec_new_flags(cfg->spec) & ~(CLONE_NEWTIME | CLONE_NEWCGROUP);
        int32_t pid32;
        pid_t pid;

        if (nsexec_join_paths(cfg->spec, &err) < 0)
                sync_fail(cfg->sync_fd, err);
        if (flags & CLONE_NEWUSER) {
                if (unshare(CLONE_NEWUSER) < 0) {
                        berr_sys(&err, "create user namespace");
                        sync_fail(cfg->sync_fd, err);
                }
                if (sync_send(cfg->sync_fd, SYNC_USERMAP, NULL, 0, -1, &err) < 0 ||
                    sync_expect(cfg->sync_fd, SYNC_USERMAP_ACK, NULL, NULL, &err) < 0)
                        sync_fail(cfg->sync_fd, err);
                flags &= ~CLONE_NEWUSER;
        }
        if (flags && unshare((int) flags) < 0) {
                berr_sys(&err, "create namespaces");
                sync_fail(cfg->sync_fd, err);
        }
        pid = raw_clone(CLONE_PARENT);
        if (pid < 0) {
                berr_sys(&err, "clone container init");
                sync_fail(cfg->sync_fd, err);
        }
        if (pid == 0)
                linux_init_main(cfg, true);
        pid32 = pid;
        if (sync_send(cfg->sync_fd, SYNC_PID, &pid32, sizeof(pid32), -1, &err) < 0)
                sync_fail(cfg->sync_fd, err);
        _exit(0);
}

int nsexec_spawn_init(const struct init_config *cfg, bool *ret_intermediate, struct berr **err)
{
        bool joins = has_joins(cfg->spec);
        unsigned long flags = joins ? 0 : nsexec_new_flags(cfg->spec) & ~(CLONE_NEWTIME | CLONE_NEWCGROUP);
        pid_t pid;

        pid = raw_clone(flags);
        if (pid < 0)
                return berr_sys(err, "clone container init");
        if (pid == 0) {
                if (joins)
                        intermediate_main(cfg);
                linux_init_main(cfg, false);
        }
        *ret_intermediate = joins;
        return pid;
}

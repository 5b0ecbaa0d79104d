/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.sysctl and the UTS names. A sysctl written inside a container must
 * change only the container's namespace, never the host: so only the
 * namespaced keys are allowed, each only with its own namespace, and the key
 * may not escape /proc/sys (no "/", "..", or empty component).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/spec.h"
#include "runtime/sysctl.h"

#define SYSCTL_VALUE_MAX_LEN 4096
#define SYSCTL_KEY_MAX_LEN 255

static const char *const ipc_sysctls[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static const struct oci_namespace *find_ns(const struct oci_spec *spec, enum oci_namespace_type type)
{
        for (size_t i = 0; i < spec->linux.n_namespaces; i++)
                if (spec->linux.namespaces[i].type == type)
                        return &spec->linux.namespaces[i];
        return NULL;
}

/* A net namespace joined by path may be the host's own: then net.* would change the host. */
static bool netns_is_host(const struct oci_namespace *ns)
{
        struct stat a, b;

        if (!ns->path)
                return false;
        if (stat(ns->path, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
                return false; /* the lifecycle fails on a bad path anyway */
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int check_key_syntax(const char *key, struct berr **err)
{
        size_t len = strlen(key);

        if (len == 0 || len > SYSCTL_KEY_MAX_LEN)
                return berr_set(err, EINVAL, "invalid sysctl name length");
        /* Both "net.ipv4.ip_forward" and "net/ipv4/conf/eth0.100/forwarding" (for names with dots) are
         * accepted; neither may have an empty, "." or ".." component. */
        if (strchr(key, '/')) {
                _cleanup_(strv_freep) char **parts = strv_split(key, "/");
                if (key[0] == '/' || key[len - 1] == '/' || strstr(key, "//"))
                        return berr_set(err, EINVAL, "invalid sysctl name");
                for (char **p = parts; *p; p++)
                        if (streq(*p, ".") || streq(*p, ".."))
                                return berr_set(err, EINVAL, "invalid sysctl name");
                return 0;
        }
        if (key[0] == '.' || key[len - 1] == '.' || strstr(key, ".."))
                return berr_set(err, EINVAL, "invalid sysctl name");
        return 0;
}

/* The dotted form of a key for the namespace checks ("net/ipv4/x" -> "net.ipv4.x"). Owned. */
static char *key_dotted(const char *key)
{
        char *d = xstrdup(key);

        if (strchr(d, '/'))
                for (char *p = d; *p; p++)
                        if (*p == '/')
                                *p = '.';
        return d;
}

/* The path below /proc/sys for a key. Owned. */
static char *key_path(const char *key)
{
        char *d = xstrdup(key);

        if (!strchr(d, '/'))
                for (char *p = d; *p; p++)
                        if (*p == '.')
                                *p = '/';
        return d;
}

static int check_sysctl(const struct oci_spec *spec, const char *raw_key, const char *value, struct berr **err)
{
        _cleanup_free_ char *key = NULL;
        const struct oci_namespace *ns;
        int r;

        r = check_key_syntax(raw_key, err);
        if (r < 0)
                return r;
        key = key_dotted(raw_key);
        if (!value || strlen(value) > SYSCTL_VALUE_MAX_LEN)
                return berr_set(err, EINVAL, "value longer than %d bytes", SYSCTL_VALUE_MAX_LEN);
        if (streq(key, "kernel.hostname") || streq(key, "kernel.domainname"))
                return berr_set(err, EINVAL, "not allowed: use the %s field of config.json",
                                streq(key, "kernel.hostname") ? "hostname" : "domainname");
        for (size_t i = 0; i < ELEMENTSOF(ipc_sysctls); i++)
                if (streq(key, ipc_sysctls[i]))
                        goto ipc;
        if (startswith(key, "fs.mqueue."))
                goto ipc;
        if (startswith(key, "net.")) {
                ns = find_ns(spec, OCI_NS_NETWORK);
                if (!ns)
                        return berr_set(err, EPERM, "needs a network namespace");
                if (netns_is_host(ns))
                        return berr_set(err, EPERM, "the network namespace is the host's");
                return 0;
        }
        return berr_set(err, EPERM, "not in a separate kernel namespace: refused, it would change the host");
ipc:
        if (!find_ns(spec, OCI_NS_IPC))
                return berr_set(err, EPERM, "needs an IPC namespace");
        return 0;
}

static int check_uts(const struct oci_spec *spec, struct berr **err)
{
        bool has_uts = find_ns(spec, OCI_NS_UTS) != NULL;

        if (spec->hostname && *spec->hostname) {
                if (!has_uts)
                        return berr_set(err, EINVAL, "hostname: setting it needs a private UTS namespace");
                if (strlen(spec->hostname) > HOST_NAME_MAX)
                        return berr_set(err, EINVAL, "hostname longer than %d bytes", HOST_NAME_MAX);
        }
        if (spec->domainname && *spec->domainname) {
                if (!has_uts)
                        return berr_set(err, EINVAL, "domainname: setting it needs a private UTS namespace");
                if (strlen(spec->domainname) > HOST_NAME_MAX)
                        return berr_set(err, EINVAL, "domainname longer than %d bytes", HOST_NAME_MAX);
        }
        return 0;
}

int sysctl_validate(const struct oci_spec *spec, struct berr **err)
{
        int r;

        for (char **kv = spec->linux.sysctl; kv && kv[0]; kv += 2) {
                r = check_sysctl(spec, kv[0], kv[1], err);
                if (r < 0)
                        return berr_wrap(err, "linux.sysctl '%s'", kv[0]);
        }
        return check_uts(spec, err);
}

int sysctl_apply(const struct oci_spec *spec, struct berr **err)
{
        _cleanup_close_ int dir = -1;
        int r;

        r = sysctl_validate(spec, err);
        if (r < 0)
                return r;
        if (!spec->linux.sysctl || !spec->linux.sysctl[0])
                return 0;
        dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return berr_sys(err, "linux.sysctl: open /proc/sys");
        for (char **kv = spec->linux.sysctl; kv[0]; kv += 2) {
                _cleanup_free_ char *rel = key_path(kv[0]);
                _cleanup_close_ int fd = -1;

                fd = openat(dir, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return berr_sys(err, "linux.sysctl '%s': open /proc/sys/%s", kv[0], rel);
                if (write_all(fd, kv[1], strlen(kv[1])) < 0)
                        return berr_sys(err, "linux.sysctl '%s': write '%s'", kv[0], kv[1]);
        }
        return 0;
}

int uts_apply(const struct oci_spec *spec, struct berr **err)
{
        int r = check_uts(spec, err);

        if (r < 0)
                return r;
        if (spec->hostname && *spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
                return berr_sys(err, "hostname '%s'", spec->hostname);
        if (spec->domainname && *spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
                return berr_sys(err, "domainname '%s'", spec->domainname);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp -> a BPF program, compiled with libseccomp (the library every
 * runtime uses: it knows each architecture's syscall numbers and the
 * multiplexed-syscall quirks, which a hand-written compiler would get wrong).
 *
 * The program is compiled and exported to BPF when it is built, so a bad
 * rule fails before the container starts, and loading is then one seccomp(2)
 * call with exactly the flags config.json asks for (LOG, SPEC_ALLOW, TSYNC,
 * WAIT_KILLABLE_RECV, and NEW_LISTENER when a rule notifies). libseccomp's
 * own loader would add no_new_privs, which is process.noNewPrivileges' call,
 * not seccomp's, and libseccomp 2.5 knows no WAIT_KILLABLE_RECV.
 *
 * Rules follow runc: the default action's rules are dropped, unknown
 * syscall names are skipped, and conditions on the same argument index turn
 * into one rule per condition (an OR) instead of one rule with all of them.
 *
 * Compiling docker's default profile takes libseccomp 5-15 ms, the largest
 * single cost of starting a container, and every container of an engine
 * uses one of a few profiles. So compiled programs are kept in
 * <state root>/.seccomp-cache/: a file holds the complete description of its
 * input (every field of linux.seccomp, libseccomp's version and the native
 * architecture) followed by the program, and is used only when that
 * description equals the new one byte for byte; its name (a hash) only
 * finds it. The cache is used only when the directory and the file belong
 * to us and nobody else may write them: a state root in a shared directory
 * must not let another user plant a permissive program.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#define SECCOMP_BPF_MAX_INSNS 65535u /* BPF_MAXINSNS is 4096 per program, but be generous before the kernel says so */
#define SECCOMP_STATE_MAX_BYTES (1u << 20)
#define SECCOMP_MAX_ERRNO 4095
#define SECCOMP_CACHE_DIR ".seccomp-cache"
#define SECCOMP_CACHE_MAGIC "berth seccomp cache 2"
#define SECCOMP_CACHE_MAX_BYTES (4u << 20)  /* description plus program; a larger one is not cached */
#define SECCOMP_CACHE_MAX_ENTRIES 64        /* distinct profiles; past that the cache starts over */

struct seccomp_program {
        struct sock_filter *insns; /* owned */
        size_t n_insns;
        unsigned long flags; /* SECCOMP_FILTER_FLAG_* */
        bool uses_notify;
};

static const struct {
        const char *name;
        unsigned long flag;
} filter_flags[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
        { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

static const char *const arch_names[] = {
        "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",      "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64",  "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",   "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",   "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",  "SCMP_ARCH_LOONGARCH64",
};

static const char *const action_names[] = {
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
};

static const char *action_name(enum oci_seccomp_action a)
{
        return a >= 0 && (size_t) a < ELEMENTSOF(action_names) ? action_names[a] : "unknown action";
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token; 0 when unknown to this libseccomp. */
static uint32_t arch_token(const char *name)
{
        _cleanup_free_ char *lower = NULL;
        const char *s = startswith(name, "SCMP_ARCH_");

        if (!s || !*s)
                return 0;
        lower = xstrdup(s);
        for (char *p = lower; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        return seccomp_arch_resolve_name(lower);
}

/* The libseccomp action for an OCI action; errno_ret is used by ERRNO and TRACE (EPERM when absent, as runc). */
static int to_scmp_action(enum oci_seccomp_action a, bool has_ret, uint32_t ret, uint32_t *out, struct berr **err)
{
        uint32_t v = has_ret ? ret : EPERM;

        if ((a == OCI_SECCOMP_ERRNO || a == OCI_SECCOMP_TRACE) && v > SECCOMP_MAX_ERRNO)
                return berr_set(err, EINVAL, "%s value %u out of range (0..%d)", action_name(a), v, SECCOMP_MAX_ERRNO);
        switch (a) {
        case OCI_SECCOMP_KILL:
        case OCI_SECCOMP_KILL_THREAD:
                *out = SCMP_ACT_KILL_THREAD;
                return 0;
        case OCI_SECCOMP_KILL_PROCESS:
                *out = SCMP_ACT_KILL_PROCESS;
                return 0;
        case OCI_SECCOMP_TRAP:
                *out = SCMP_ACT_TRAP;
                return 0;
        case OCI_SECCOMP_ERRNO:
                *out = SCMP_ACT_ERRNO(v);
                return 0;
        case OCI_SECCOMP_TRACE:
                *out = SCMP_ACT_TRACE(v);
                return 0;
        case OCI_SECCOMP_ALLOW:
                *out = SCMP_ACT_ALLOW;
                return 0;
        case OCI_SECCOMP_LOG:
                *out = SCMP_ACT_LOG;
                return 0;
        case OCI_SECCOMP_NOTIFY:
                *out = SCMP_ACT_NOTIFY;
                return 0;
        case _OCI_SECCOMP_ACTION_MAX:
        case _OCI_SECCOMP_ACTION_INVALID:
                break;
        }
        return berr_set(err, EINVAL, "unknown action %d", (int) a);
}

static int to_scmp_cmp(const struct oci_seccomp_arg *a, struct scmp_arg_cmp *out, struct berr **err)
{
        static const enum scmp_compare ops[] = {
                [OCI_SECCOMP_OP_NE] = SCMP_CMP_NE,        [OCI_SECCOMP_OP_LT] = SCMP_CMP_LT,
                [OCI_SECCOMP_OP_LE] = SCMP_CMP_LE,        [OCI_SECCOMP_OP_EQ] = SCMP_CMP_EQ,
                [OCI_SECCOMP_OP_GE] = SCMP_CMP_GE,        [OCI_SECCOMP_OP_GT] = SCMP_CMP_GT,
                [OCI_SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
        };

        if (a->index > 5)
                return berr_set(err, EINVAL, "argument index %u out of range (0..5)", a->index);
        if (a->op < 0 || a->op >= _OCI_SECCOMP_OP_MAX)
                return berr_set(err, EINVAL, "unknown operator %d", (int) a->op);
        /* For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the expected result. */
        *out = (struct scmp_arg_cmp){
                .arg = a->index,
                .op = ops[a->op],
                .datum_a = a->value,
                .datum_b = a->value_two,
        };
        return 0;
}

static int add_syscall(scmp_filter_ctx ctx, uint32_t action, int nr, const struct oci_seccomp_rule *rule,
                       const struct scmp_arg_cmp *conds, struct berr **err)
{
        unsigned count[6] = {};
        bool split = false;
        int r;

        for (size_t i = 0; i < rule->n_args; i++)
                if (++count[rule->args[i].index] > 1)
                        split = true;
        if (!split) {
                r = seccomp_rule_add_array(ctx, action, nr, (unsigned) rule->n_args, conds);
                return r < 0 ? berr_errno(err, r, "add rule") : 0;
        }
        /* runc's rule: several conditions on one argument mean any of them (one rule each). */
        for (size_t i = 0; i < rule->n_args; i++) {
                r = seccomp_rule_add_array(ctx, action, nr, 1, &conds[i]);
                if (r < 0)
                        return berr_errno(err, r, "add rule");
        }
        return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct oci_seccomp *sc, uint32_t def_action, size_t idx,
                    bool *uses_notify, struct berr **err)
{
        const struct oci_seccomp_rule *rule = &sc->rules[idx];
        _cleanup_free_ struct scmp_arg_cmp *conds = NULL;
        size_t known = 0;
        uint32_t action = 0;
        int r;

        if (!rule->names || !rule->names[0])
                return berr_set(err, EINVAL, "no syscall names");
        if (rule->n_args > SPEC_MAX_ITEMS)
                return berr_set(err, EINVAL, "too many arguments");
        r = to_scmp_action(rule->action, rule->has_errno_ret, rule->errno_ret, &action, err);
        if (r < 0)
                return r;
        conds = xcalloc(rule->n_args ? rule->n_args : 1, sizeof(*conds));
        for (size_t i = 0; i < rule->n_args; i++) {
                r = to_scmp_cmp(&rule->args[i], &conds[i], err);
                if (r < 0)
                        return berr_wrap(err, "args[%zu]", i);
        }
        if (rule->action == OCI_SECCOMP_NOTIFY) {
                if (!sc->listener_path)
                        return berr_set(err, EINVAL, "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
                *uses_notify = true;
        }
        for (char **n = rule->names; *n; n++) {
                int nr = seccomp_syscall_resolve_name(*n);

                if (nr == __NR_SCMP_ERROR)
                        continue; /* unknown here: skipped, as runc does */
                known++;
                if (action == def_action)
                        continue; /* libseccomp refuses a rule that repeats the default */
                r = add_syscall(ctx, action, nr, rule, conds, err);
                if (r < 0)
                        return berr_wrap(err, "syscall '%s'", *n);
        }
        if (known == 0)
                return berr_set(err, EINVAL, "no known syscall among the names (first: '%s')", rule->names[0]);
        return 0;
}

static int add_archs(scmp_filter_ctx ctx, const struct oci_seccomp *sc, struct berr **err)
{
        for (char **a = sc->architectures; a && *a; a++) {
                uint32_t tok = arch_token(*a);
                int r;

                if (tok == 0)
                        return berr_set(err, EINVAL, "linux.seccomp.architectures: unknown architecture '%s'", *a);
                r = seccomp_arch_add(ctx, tok);
                if (r < 0 && r != -EEXIST)
                        return berr_errno(err, r, "linux.seccomp.architectures: add '%s'", *a);
        }
        return 0;
}

static int parse_flags(const struct oci_seccomp *sc, unsigned long *ret, struct berr **err)
{
        unsigned long flags = 0;

        for (char **f = sc->flags; f && *f; f++) {
                size_t i;

                for (i = 0; i < ELEMENTSOF(filter_flags); i++)
                        if (streq(*f, filter_flags[i].name))
                                break;
                if (i == ELEMENTSOF(filter_flags))
                        return berr_set(err, EINVAL, "linux.seccomp.flags: unknown flag '%s'", *f);
                flags |= filter_flags[i].flag;
        }
        *ret = flags;
        return 0;
}

/* Exports the compiled filter through a memfd (libseccomp 2.5 only exports to an fd). */
static int export_bpf(scmp_filter_ctx ctx, struct seccomp_program *prog, struct berr **err)
{
        _cleanup_close_ int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r;

        if (fd < 0)
                return berr_sys(err, "memfd_create");
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return berr_errno(err, r, "export the seccomp filter");
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berr_sys(err, "seek");
        r = read_all(fd, SECCOMP_BPF_MAX_INSNS * sizeof(struct sock_filter), &data, &len, err);
        if (r < 0)
                return berr_wrap(err, "read the exported filter");
        if (len == 0 || len % sizeof(struct sock_filter) != 0)
                return berr_set(err, EINVAL, "exported seccomp filter has an odd size %zu", len);
        prog->n_insns = len / sizeof(struct sock_filter);
        prog->insns = xmalloc(len);
        memcpy(prog->insns, data, len);
        return 0;
}

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

int seccomp_program_new(const struct oci_seccomp *sc, struct seccomp_program **ret, struct berr **err)
{
        _cleanup_(seccomp_program_freep) struct seccomp_program *prog = xzalloc(sizeof(*prog));
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        uint32_t def = 0;
        int r;

        if (sc->default_action == OCI_SECCOMP_NOTIFY)
                return berr_set(err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
        if (sc->n_rules > SPEC_MAX_ITEMS)
                return berr_set(err, EINVAL, "linux.seccomp.syscalls: more than %d rules", SPEC_MAX_ITEMS);
        r = to_scmp_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, &def, err);
        if (r < 0)
                return berr_wrap(err, "linux.seccomp.defaultAction");
        r = parse_flags(sc, &prog->flags, err);
        if (r < 0)
                return r;
        ctx = seccomp_init(def);
        if (!ctx)
                return berr_set(err, EINVAL, "linux.seccomp: libseccomp refused the default action %s",
                                action_name(sc->default_action));
        /* A binary tree of syscall numbers, not a list: the kernel runs the filter on every syscall
         * and, when the filter is loaded, once for each syscall number (its action cache); with
         * docker's ~350 allowed syscalls a list costs each of those runs ~175 comparisons on average. */
        if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0)
                log_debug("libseccomp: no binary tree optimisation; the filter is a list");
        r = add_archs(ctx, sc, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sc->n_rules; i++) {
                r = add_rule(ctx, sc, def, i, &prog->uses_notify, err);
                if (r < 0)
                        return berr_wrap(err, "linux.seccomp.syscalls[%zu]", i);
        }
        if (prog->uses_notify)
                prog->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if ((prog->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !prog->uses_notify)
                prog->flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; /* meaningless without a listener; the kernel
                                                                         * would refuse it */
        r = export_bpf(ctx, prog, err);
        if (r < 0)
                return berr_wrap(err, "linux.seccomp");
        *ret = TAKE_PTR(prog);
        return 0;
}

/* ---- the cache of compiled programs ---- */

static void key_u64(FILE *f, uint64_t v)
{
        fwrite(&v, sizeof(v), 1, f);
}

static void key_str(FILE *f, const char *s)
{
        key_u64(f, s ? strlen(s) : UINT64_MAX);
        if (s)
                fputs(s, f);
}

static void key_strv(FILE *f, char *const *v)
{
        key_u64(f, v ? strv_length(v) : UINT64_MAX);
        for (; v && *v; v++)
                key_str(f, *v);
}

/* Everything the compiled program depends on, as bytes. Owned; NULL when it cannot be built. */
static char *cache_key(const struct oci_seccomp *sc, size_t *ret_len)
{
        const struct scmp_version *v = seccomp_version();
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        key_str(f, SECCOMP_CACHE_MAGIC);
        key_u64(f, v ? ((uint64_t) v->major << 32 | (uint64_t) v->minor << 16 | v->micro) : 0);
        key_u64(f, seccomp_arch_native());
        key_u64(f, (uint64_t) sc->default_action);
        key_u64(f, sc->has_default_errno_ret);
        key_u64(f, sc->default_errno_ret);
        key_strv(f, sc->architectures);
        key_strv(f, sc->flags);
        key_u64(f, sc->listener_path != NULL);
        key_u64(f, sc->n_rules);
        for (size_t i = 0; i < sc->n_rules; i++) {
                const struct oci_seccomp_rule *r = &sc->rules[i];

                key_strv(f, r->names);
                key_u64(f, (uint64_t) r->action);
                key_u64(f, r->has_errno_ret);
                key_u64(f, r->errno_ret);
                key_u64(f, r->n_args);
                for (size_t j = 0; j < r->n_args; j++) {
                        key_u64(f, r->args[j].index);
                        key_u64(f, (uint64_t) r->args[j].op);
                        key_u64(f, r->args[j].value);
                        key_u64(f, r->args[j].value_two);
                }
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        *ret_len = len;
        return buf;
}

/* The file name: FNV-1a of the description, in hex. */
static void cache_name(const char *key, size_t len, char name[17])
{
        uint64_t h = 0xcbf29ce484222325ULL;

        for (size_t i = 0; i < len; i++)
                h = (h ^ (uint8_t) key[i]) * 0x100000001b3ULL;
        snprintf(name, 17, "%016llx", (unsigned long long) h);
}

struct cache_trailer {
        uint64_t flags;
        uint64_t uses_notify;
        uint64_t n_insns;
};

/* True for a file or directory of ours that no one else may write. */
static bool private_to_us(int fd, mode_t type)
{
        struct stat st;

        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == geteuid() &&
               !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* 1 and *ret filled when the cache holds the program for key, 0 when not. */
static int cache_get(int dirfd, const char *name, const char *key, size_t key_len, struct seccomp_program **ret)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_free_ char *data = NULL;
        struct seccomp_program *prog;
        struct cache_trailer t;
        size_t len, insns_len;

        if (fd < 0 || !private_to_us(fd, S_IFREG) || read_all(fd, SECCOMP_CACHE_MAX_BYTES, &data, &len, NULL) < 0)
                return 0;
        if (len < key_len + sizeof(t) || memcmp(data, key, key_len) != 0)
                return 0;
        memcpy(&t, data + key_len, sizeof(t));
        insns_len = len - key_len - sizeof(t);
        if (t.n_insns == 0 || t.n_insns > SECCOMP_BPF_MAX_INSNS || insns_len != t.n_insns * sizeof(struct sock_filter))
                return 0;
        prog = xzalloc(sizeof(*prog));
        prog->flags = (unsigned long) t.flags;
        prog->uses_notify = t.uses_notify != 0;
        prog->n_insns = t.n_insns;
        prog->insns = xmalloc(insns_len);
        memcpy(prog->insns, data + key_len + sizeof(t), insns_len);
        *ret = prog;
        return 1;
}

/* Counts the entries, or removes them all. */
static size_t cache_entries(int dirfd, bool remove)
{
        int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        _cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *de;
        size_t n = 0;

        if (fd >= 0 && !d)
                close(fd);
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                if (remove)
                        (void) unlinkat(dirfd, de->d_name, 0);
        }
        return n;
}

/* Best effort: a cache that cannot be written only costs the next container the compilation. */
static void cache_put(int dirfd, const char *name, const char *key, size_t key_len,
                      const struct seccomp_program *prog)
{
        struct cache_trailer t = { .flags = prog->flags, .uses_notify = prog->uses_notify, .n_insns = prog->n_insns };
        size_t insns_len = prog->n_insns * sizeof(struct sock_filter), len = key_len + sizeof(t) + insns_len;
        _cleanup_free_ char *data = NULL;

        if (len > SECCOMP_CACHE_MAX_BYTES)
                return;
        if (cache_entries(dirfd, false) >= SECCOMP_CACHE_MAX_ENTRIES)
                (void) cache_entries(dirfd, true); /* start over: old profiles, or an older libseccomp's */
        data = xmalloc(len);
        memcpy(data, key, key_len);
        memcpy(data + key_len, &t, sizeof(t));
        memcpy(data + key_len + sizeof(t), prog->insns, insns_len);
        (void) write_file_atomic_at(dirfd, name, data, len, 0600, NULL);
}

int seccomp_program_new_cached(const struct oci_seccomp *sc, const char *state_root, struct seccomp_program **ret,
                               struct berr **err)
{
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        _cleanup_free_ char *key = NULL;
        struct seccomp_program *prog = NULL;
        size_t key_len = 0;
        char name[17];
        int r;

        if (state_root)
                rootfd = open(state_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd >= 0 && (mkdirat(rootfd, SECCOMP_CACHE_DIR, 0700) == 0 || errno == EEXIST))
                dirfd = openat(rootfd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dirfd >= 0 && private_to_us(dirfd, S_IFDIR))
                key = cache_key(sc, &key_len);
        if (key) {
                cache_name(key, key_len, name);
                if (cache_get(dirfd, name, key, key_len, ret) == 1)
                        return 0;
        }
        r = seccomp_program_new(sc, &prog, err);
        if (r < 0)
                return r;
        if (key)
                cache_put(dirfd, name, key, key_len, prog);
        *ret = prog;
        return 0;
}

int seccomp_program_load(struct seccomp_program *prog, struct berr **err)
{
        struct sock_fprog fprog = {
                .len = (unsigned short) prog->n_insns,
                .filter = prog->insns,
        };
        long r;

        if (prog->n_insns > 0xffff)
                return berr_set(err, E2BIG, "seccomp filter of %zu instructions is too large", prog->n_insns);
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog->flags, &fprog);
        if (r < 0)
                return berr_sys(err, "load seccomp filter");
        return prog->uses_notify ? (int) r : 0;
}

bool seccomp_program_uses_notify(const struct seccomp_program *prog)
{
        return prog->uses_notify;
}

struct seccomp_program *seccomp_program_free(struct seccomp_program *prog)
{
        if (!prog)
                return NULL;
        free(prog->insns);
        free(prog);
        return NULL;
}

int seccomp_send_listener(const char *listener_path, int listener_fd, const char *state_json, struct berr **err)
{
        _cleanup_close_ int sock = -1;
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        size_t len = strlen(state_json);
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl = {};
        struct iovec iov = { .iov_base = (void *) state_json, .iov_len = len };
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = ctl.buf,
                .msg_controllen = sizeof(ctl.buf),
        };
        struct cmsghdr *c;
        ssize_t n;

        if (strlen(listener_path) >= sizeof(addr.sun_path))
                return berr_set(err, ENAMETOOLONG, "seccomp listener path '%s' too long", listener_path);
        if (len == 0 || len > SECCOMP_STATE_MAX_BYTES)
                return berr_set(err, EINVAL, "seccomp listener: state of %zu bytes", len);
        strcpy(addr.sun_path, listener_path);
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return berr_sys(err, "socket");
        if (connect(sock, (struct sockaddr *) &addr, sizeof(addr)) < 0)
                return berr_sys(err, "connect to seccomp listener '%s'", listener_path);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &listener_fd, sizeof(int));
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return berr_sys(err, "send seccomp listener fd to '%s'", listener_path);
        if ((size_t) n < len && write_all(sock, state_json + n, len - (size_t) n) < 0)
                return berr_sys(err, "send state to seccomp listener '%s'", listener_path);
        return 0;
}

char **seccomp_known_actions(void)
{
        char **v = NULL;

        for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
                strv_push(&v, action_names[i]);
        return v;
}

char **seccomp_known_archs(void)
{
        char **v = NULL;

        for (size_t i = 0; i < ELEMENTSOF(arch_names); i++)
                if (arch_token(arch_names[i]) != 0)
                        strv_push(&v, arch_names[i]);
        return v;
}

char **seccomp_known_flags(void)
{
        char **v = NULL;

        for (size_t i = 0; i < ELEMENTSOF(filter_flags); i++)
                strv_push(&v, filter_flags[i].name);
        return v;
}

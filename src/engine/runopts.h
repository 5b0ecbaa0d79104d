/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * docker run's flags as values: each flag (a short option letter or an OPT_*
 * code) is checked and folded into docker's Config and HostConfig shapes.
 * The CLI does the getopt loop; this part is pure and unit-tested.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct berr;

#define RUNOPTS_ENV_FILE_MAX (1U << 20)

enum {
        OPT_RM = 1000, OPT_NAME, OPT_ENV_FILE, OPT_ENTRYPOINT, OPT_READ_ONLY, OPT_MEMORY_SWAP, OPT_CPUS,
        OPT_CPUSET_CPUS, OPT_PIDS_LIMIT, OPT_ULIMIT, OPT_CAP_ADD, OPT_CAP_DROP, OPT_PRIVILEGED, OPT_SECURITY_OPT,
        OPT_DEVICE, OPT_SYSCTL, OPT_SHM_SIZE, OPT_OOM_SCORE_ADJ, OPT_NETWORK, OPT_INIT, OPT_RESTART, OPT_STOP_SIGNAL,
        OPT_STOP_TIMEOUT, OPT_LOG_OPT, OPT_LOG_DRIVER, OPT_SIG_PROXY, OPT_GROUP_ADD, OPT_TMPFS, OPT_RUNTIME,
        OPT_HELP,
};

struct runopts {
        const char *image;        /* borrowed from argv */
        char **cmd;               /* borrowed from argv */
        size_t n_cmd;
        const char *name;         /* borrowed */
        bool interactive, tty, autoremove;
        struct json_object *cfg;  /* Config; owned */
        struct json_object *hc;   /* HostConfig; owned */
};
void runopts_done(struct runopts *ro);

/* Applies one flag ('e', 'm', OPT_CPUS...) with its value (NULL for switches). */
int runopts_apply(struct runopts *ro, int opt, const char *value, struct berr **err);
/* Checks the combination (--rm with --restart...) and adds the command. detach: -d was given. */
int runopts_finish(struct runopts *ro, bool detach, struct berr **err);
/* {"Config":..., "HostConfig":...}, owned. */
struct json_object *runopts_to_config(const struct runopts *ro);

/* The value parsers, for tests. */
int runopts_parse_cpus(const char *s, int64_t *ret_nano, struct berr **err);
int runopts_parse_ulimit(const char *s, struct json_object **ret, struct berr **err);
int runopts_parse_device(const char *s, struct json_object **ret, struct berr **err);
/* Appends the KEY=VALUE lines of an env file's text (comments and blank lines skipped; a bare KEY
 * takes the value from our environment, or is dropped when unset). */
int runopts_parse_env_file(const char *text, size_t len, struct json_object *env, struct berr **err);

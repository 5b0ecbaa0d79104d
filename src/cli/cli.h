/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The berth command line: global options, the subcommand table and what the
 * commands share. Each command lives in cmd-<verb>.c, parses its own options,
 * calls the library and returns the exit status (docker's: 0, 1 for a
 * failed operation, 125 for a usage error).
 */

#include <stdbool.h>
#include <stdio.h>

struct berr;
struct engine;
struct json_object;
struct store;

#define EXIT_USAGE  125
#define EXIT_FAILED 1

struct cli {
        const char *root;    /* --root */
        const char *runroot; /* --runroot */
        struct store *store; /* opened on first use; owned */
        struct engine *engine; /* opened on first use; owned */
};

struct cli_command {
        const char *name;
        int (*run)(struct cli *cli, int argc, char **argv);
        const char *summary;
};

/* Opens the store under --root (once); reports the error itself and returns NULL on failure. */
struct store *cli_store(struct cli *cli);
/* Prints "Error: <message>" on stderr and returns the exit status (EXIT_FAILED). */
int cli_error(struct berr *err);
/* Prints a usage error (unknown flag, wrong argument count) and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs the subcommand of a group ("image ls") from a table. */
int cli_dispatch(struct cli *cli, const char *group, const struct cli_command *cmds, int argc, char **argv);

int cmd_images(struct cli *cli, int argc, char **argv);
int cmd_image(struct cli *cli, int argc, char **argv);
int cmd_image_inspect(struct cli *cli, int argc, char **argv);
int cmd_inspect(struct cli *cli, int argc, char **argv);
int cmd_history(struct cli *cli, int argc, char **argv);
int cmd_tag(struct cli *cli, int argc, char **argv);
int cmd_rmi(struct cli *cli, int argc, char **argv);
int cmd_image_prune(struct cli *cli, int argc, char **argv);
int cmd_load(struct cli *cli, int argc, char **argv);
int cmd_save(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_system(struct cli *cli, int argc, char **argv);
int cmd_system_df(struct cli *cli, int argc, char **argv);
int cmd_busybox_image(struct cli *cli, int argc, char **argv);

/* Containers (cmd-run.c, cmd-ps.c, ...). */
/* Opens the engine on the store (once); reports the error itself and returns NULL on failure. */
struct engine *cli_engine(struct cli *cli);
/* For `inspect`: the container's document when what names one. 1 found, 0 not. */
int cli_container_inspect_json(struct cli *cli, const char *what, struct json_object **ret);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_stop(struct cli *cli, int argc, char **argv);
int cmd_restart(struct cli *cli, int argc, char **argv);
int cmd_kill(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_ps(struct cli *cli, int argc, char **argv);
int cmd_logs(struct cli *cli, int argc, char **argv);
int cmd_wait(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_container(struct cli *cli, int argc, char **argv);

/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The berth command line: global options, the subcommand table and what the
 * commands share. Each command lives in cmd-<verb>.c, parses its own options,
 * calls the library and returns the exit status (docker's: 0, 1 for a
 * failed operation, 125 for a usage error).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct berr;
struct engine;
struct engine_container;
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
/* Closes the engine and the store; cli_engine and cli_store open them again when asked. */
void cli_release_store(struct cli *cli);
/* For `inspect`: the container's document when what names one. 1 found, 0 not. */
int cli_container_inspect_json(struct cli *cli, const char *what, struct json_object **ret);
/* Finds a container by name, id or prefix: 0 found, or EXIT_FAILED after docker's message on stderr. */
int cli_container_find(struct engine *e, const char *what, struct engine_container **ret);
#define CLI_DAEMON_ERROR "Error response from daemon"
/*
 * The loop of the commands that act on each named container (containers.c): each of the n names
 * is resolved and act called on it; act returns 0 to have the name printed, 1 when it printed its
 * own output, or a negative error. A missing container or a failure is reported on stderr ("<err_prefix>:
 * <message>"), the others go on, and the result is EXIT_FAILED if any failed, else 0.
 */
struct cli_each {
        int (*act)(struct engine *e, struct engine_container *c, void *data, struct berr **err);
        void *data;             /* the command's options, passed to act */
        const char *err_prefix; /* CLI_DAEMON_ERROR or "Error" (docker's, per command) */
};
int cli_each_container(struct engine *e, char *const *names, int n, const struct cli_each *each);
/* A detach sequence typed on stdin (attach's ctrl-p ctrl-q); matched: bytes of it held back so far. */
struct cli_detach {
        const unsigned char *keys;
        size_t n, matched;
};
/*
 * Copies the monitor's output frames to stdout/stderr and stdin (d: with a detach sequence, may be
 * NULL) to the monitor until the exit frame; forwards resizes and, with sig_proxy and no tty, the
 * signals the CLI gets (attach-loop.c). Returns the exit code, -1 when the monitor vanished, -2
 * when the detach sequence was typed.
 */
int cli_attach_loop(int fd, bool with_stdin, bool tty, bool sig_proxy, struct cli_detach *d);
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
/* engine2: volumes, files, control (cmd-volume.c, cmd-cp.c, cmd-diff.c, cmd-control.c, cmd-stats.c). */
int cmd_volume(struct cli *cli, int argc, char **argv);
int cmd_attach(struct cli *cli, int argc, char **argv);
int cmd_cp(struct cli *cli, int argc, char **argv);
int cmd_diff(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_commit(struct cli *cli, int argc, char **argv);
int cmd_top(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_pause(struct cli *cli, int argc, char **argv);
int cmd_unpause(struct cli *cli, int argc, char **argv);
int cmd_rename(struct cli *cli, int argc, char **argv);
int cmd_port(struct cli *cli, int argc, char **argv);
int cmd_update(struct cli *cli, int argc, char **argv);
int cmd_container_prune(struct cli *cli, int argc, char **argv);

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth: the command-line program. Parses the global options, finds the
 * subcommand in the table and runs it; all the work is in the library. A
 * command returns docker's exit status for what happened.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "image/store.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/util.h"

static const char *arg_root = STORE_DEFAULT_ROOT;
static const char *arg_runroot = NULL; /* default: STORE_DEFAULT_RUNROOT, or <root>/run with --root alone */
static bool arg_root_given = false;

static const struct cli_command commands[] = {
        { "busybox-image", cmd_busybox_image, "Create the busybox image from the host's busybox-static" },
        { "container", cmd_container, "Manage containers" },
        { "create", cmd_create, "Create a new container" },
        { "exec", cmd_exec, "Execute a command in a running container" },
        { "history", cmd_history, "Show the history of an image" },
        { "image", cmd_image, "Manage images" },
        { "images", cmd_images, "List images" },
        { "import", cmd_import, "Import the contents from a tarball to create a filesystem image" },
        { "inspect", cmd_inspect, "Return low-level information on objects" },
        { "kill", cmd_kill, "Kill one or more running containers" },
        { "load", cmd_load, "Load an image from a tar archive or STDIN" },
        { "logs", cmd_logs, "Fetch the logs of a container" },
        { "ps", cmd_ps, "List containers" },
        { "restart", cmd_restart, "Restart one or more containers" },
        { "rm", cmd_rm, "Remove one or more containers" },
        { "rmi", cmd_rmi, "Remove one or more images" },
        { "run", cmd_run, "Create and run a new container from an image" },
        { "save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)" },
        { "start", cmd_start, "Start one or more stopped containers" },
        { "stop", cmd_stop, "Stop one or more running containers" },
        { "system", cmd_system, "Manage Berth" },
        { "tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE" },
        { "wait", cmd_wait, "Block until one or more containers stop, then print their exit codes" },
        { NULL, NULL, NULL },
};

struct store *cli_store(struct cli *cli)
{
        _cleanup_(berr_freep) struct berr *err = NULL;

        if (cli->store)
                return cli->store;
        if (store_open(cli->root, cli->runroot, &cli->store, &err) < 0) {
                cli_error(err);
                return NULL;
        }
        return cli->store;
}

int cli_error(struct berr *err)
{
        fprintf(stderr, "Error: %s\n", berr_msg(err));
        return EXIT_FAILED;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;

        fputs("berth: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nSee 'berth %s --help'.\n", cmd ? cmd : "");
        return EXIT_USAGE;
}

static void usage(FILE *out, const char *group, const struct cli_command *cmds)
{
        fprintf(out, "Usage:  berth %s%sCOMMAND\n\n", group ? group : "[OPTIONS] ", group ? " " : "");
        if (!group)
                fputs("A container engine\n\n"
                      "Options:\n"
                      "      --root DIR         Root of persistent state (default \"" STORE_DEFAULT_ROOT "\")\n"
                      "      --runroot DIR      Root of runtime state (default \"" STORE_DEFAULT_RUNROOT "\", or ROOT/run with --root)\n"
                      "  -l, --log-level LEVEL  Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\")\n"
                      "  -D, --debug            Enable debug mode\n"
                      "  -v, --version          Print version information and quit\n"
                      "  -h, --help             Print usage\n\n",
                      out);
        fputs("Commands:\n", out);
        for (size_t i = 0; cmds[i].name; i++)
                fprintf(out, "  %-14s %s\n", cmds[i].name, cmds[i].summary);
        fprintf(out, "\nRun 'berth %s%sCOMMAND --help' for more information on a command.\n", group ? group : "",
                group ? " " : "");
}

int cli_dispatch(struct cli *cli, const char *group, const struct cli_command *cmds, int argc, char **argv)
{
        if (argc < 1 || streq(argv[0], "--help") || streq(argv[0], "-h") || streq(argv[0], "help")) {
                usage(argc < 1 ? stderr : stdout, group, cmds);
                return argc < 1 ? EXIT_USAGE : 0;
        }
        for (size_t i = 0; cmds[i].name; i++)
                if (streq(cmds[i].name, argv[0])) {
                        optind = 0; /* each command runs getopt_long from the start */
                        return cmds[i].run(cli, argc, argv);
                }
        if (argv[0][0] == '-')
                return cli_usage_error(group, "unknown flag: %s", argv[0]);
        fprintf(stderr, "berth: '%s%s%s' is not a berth command.\nSee 'berth --help'\n", group ? group : "",
                group ? " " : "", argv[0]);
        return EXIT_USAGE;
}

static int parse_log_level(const char *s)
{
        static const char *const names[] = {"debug", "info", "warn", "error"};

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (int)i;
        if (streq(s, "warning"))
                return LOG_LEVEL_WARN;
        if (streq(s, "fatal") || streq(s, "panic"))
                return LOG_LEVEL_ERROR;
        return -EINVAL;
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"root", required_argument, NULL, 'R'},
                {"runroot", required_argument, NULL, 'U'},
                {"log-level", required_argument, NULL, 'l'},
                {"debug", no_argument, NULL, 'D'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, 'v'},
                {NULL, 0, NULL, 0},
        };
        struct cli cli = {0};
        struct rlimit rl;
        int c, r;

        log_set_program("berth");
        log_set_level(LOG_LEVEL_WARN);
        /* Loading an archive keeps one fd per large file: use the hard limit we are allowed. */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl); /* a lower limit only matters for huge archives */
        }
        while ((c = getopt_long(argc, argv, "+l:Dhv", opts, NULL)) != -1) {
                switch (c) {
                case 'R':
                        arg_root = optarg;
                        arg_root_given = true;
                        break;
                case 'U':
                        arg_runroot = optarg;
                        break;
                case 'l':
                        r = parse_log_level(optarg);
                        if (r < 0)
                                return cli_usage_error(NULL, "invalid log level '%s'", optarg);
                        log_set_level((enum log_level)r);
                        break;
                case 'D':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        usage(stdout, NULL, commands);
                        return 0;
                case 'v':
                        printf("Berth version %s\n", BERTH_VERSION);
                        return 0;
                default:
                        return cli_usage_error(NULL, "invalid global option");
                }
        }
        /* --root alone keeps the runtime state under it too, so separate roots never share state */
        _cleanup_free_ char *runroot_default = NULL;
        if (!arg_runroot)
                arg_runroot = arg_root_given ? (runroot_default = xasprintf("%s/run", arg_root)) : STORE_DEFAULT_RUNROOT;
        if (!*arg_root || !*arg_runroot)
                return cli_usage_error(NULL, "--root and --runroot must not be empty");
        cli.root = arg_root;
        cli.runroot = arg_runroot;
        r = cli_dispatch(&cli, NULL, commands, argc - optind, argv + optind);
        engine_free(cli.engine);
        store_close(cli.store);
        if (fflush(stdout) != 0 && r == 0) {
                fprintf(stderr, "Error: write output: %m\n");
                r = EXIT_FAILED;
        }
        return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth container COMMAND: the container verbs under one group, as docker has them. */
#include "cli/cli.h"

static int cmd_container_ls(struct cli *cli, int argc, char **argv)
{
        return cmd_ps(cli, argc, argv);
}

int cmd_container(struct cli *cli, int argc, char **argv)
{
        static const struct cli_command cmds[] = {
                { "create", cmd_create, "Create a new container" },
                { "exec", cmd_exec, "Execute a command in a running container" },
                { "inspect", cmd_inspect, "Display detailed information on one or more containers" },
                { "kill", cmd_kill, "Kill one or more running containers" },
                { "logs", cmd_logs, "Fetch the logs of a container" },
                { "ls", cmd_container_ls, "List containers" },
                { "list", cmd_container_ls, "List containers" },
                { "ps", cmd_container_ls, "List containers" },
                { "restart", cmd_restart, "Restart one or more containers" },
                { "rm", cmd_rm, "Remove one or more containers" },
                { "run", cmd_run, "Create and run a new container from an image" },
                { "start", cmd_start, "Start one or more stopped containers" },
                { "stop", cmd_stop, "Stop one or more running containers" },
                { "wait", cmd_wait, "Block until one or more containers stop, then print their exit codes" },
                { NULL, NULL, NULL },
        };

        return cli_dispatch(cli, "container", cmds, argc - 1, argv + 1);
}

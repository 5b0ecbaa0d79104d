/* SPDX-License-Identifier: Apache-2.0 */
/*
 * berth-init: the process `berth run --init` puts at PID 1 of a container
 * (bind-mounted at /sbin/docker-init, so the image needs nothing). It starts
 * the command as its child, forwards the signals it gets to it, reaps every
 * zombie that is reparented to it, and exits with the command's status
 * (128+signal when the command was killed). Linked statically: it must run
 * in any image, even one without a libc.
 *
 * Signals stay blocked and are taken with sigtimedwait(): as PID 1 of a PID
 * namespace, a signal with the default action would be dropped by the kernel,
 * but a blocked one is queued and delivered to us.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        sigset_t all, none;
        pid_t child;
        int first = 1, status, code = 0;

        if (argc > first && strcmp(argv[first], "--") == 0)
                first++;
        if (argc <= first) {
                fputs("berth-init: usage: berth-init [--] COMMAND [ARG...]\n", stderr);
                return 125;
        }
        sigfillset(&all);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &all, NULL);
        if (getpid() != 1)
                (void) prctl(PR_SET_CHILD_SUBREAPER, 1); /* not PID 1: still reap the orphans below us */
        child = fork();
        if (child < 0) {
                perror("berth-init: fork");
                return 125;
        }
        if (child == 0) {
                sigprocmask(SIG_SETMASK, &none, NULL);
                /* like tini: the command gets its own process group, so a tty's ^C reaches it */
                (void) setpgid(0, 0);
                (void) tcsetpgrp(STDIN_FILENO, getpid()); /* fails without a tty: nothing to do then */
                execvp(argv[first], argv + first);
                fprintf(stderr, "berth-init: exec %s: %s\n", argv[first], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        for (;;) {
                struct timespec ts = { 1, 0 };
                siginfo_t si;
                int sig = sigtimedwait(&all, &si, &ts);
                pid_t pid;

                if (sig > 0 && sig != SIGCHLD)
                        (void) kill(child, sig); /* the child may have exited meanwhile */
                while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                        if (pid != child)
                                continue;
                        code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        child = -1;
                }
                if (child < 0) {
                        /* the command is done: reap what is still exiting, then go */
                        while (waitpid(-1, &status, WNOHANG) > 0)
                                ;
                        return code;
                }
        }
}

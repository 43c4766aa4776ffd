/*
 * run.c - fork, exec and a pipe: a helper program's stdout, no shell.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pg.h"
#include "run.h"

/* In the child: stdout to the pipe, stderr to /dev/null, then exec. */
_Noreturn static void exec_child(char *const argv[], int fd[2])
{
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0)
        dup2(devnull, 2);
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    execvp(argv[0], argv);
    _exit(127);
}

static char *read_all(int fd, size_t *olen)
{
    size_t n = 0, cap = 4096;
    char *buf = pg_xrealloc(NULL, cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = pg_xrealloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *olen = n;
    return buf;
}

int pg_run_capture(char *const argv[], char **out, size_t *olen)
{
    *out = NULL;
    *olen = 0;
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0)
        exec_child(argv, fd);
    close(fd[1]);
    *out = read_all(fd[0], olen);
    close(fd[0]);
    int st = 0;
    pid_t w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (w != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

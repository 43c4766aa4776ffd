/*
 * main.c - the procid command: pidfiles for init scripts and shells.
 *
 * A thin user of procid.h. Exit codes follow the LSB init-script
 * conventions (status: 0 running, 1 dead with pidfile, 3 not running,
 * 4 unknown); usage errors exit 64 (EX_USAGE) for every command, so that no
 * code a script tests for can mean "you typed it wrong". One file per
 * command (cmd_*.c), shared helpers in cli_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_main[] =
    "usage: procid COMMAND [OPTIONS] ...\n"
    "       procid --version | --help\n"
    "\n"
    "Pidfiles that cannot point at the wrong process. procid records a\n"
    "process's identity (pid, start time, boot id, pidfs inode) and refuses\n"
    "to report or signal a process that merely reuses a recorded PID.\n"
    "\n"
    "commands:\n"
    "  id PID                 print a live process's identity (line 2 of a\n"
    "                         pidfile)\n"
    "  write FILE PID         atomically record PID's identity in FILE\n"
    "                         (a shell records itself with $$)\n"
    "  status FILE            report whether FILE's process runs (LSB codes)\n"
    "  stop FILE              signal FILE's process if it still is that\n"
    "                         process, and wait for it to exit\n"
    "  signal FILE SIG        send one signal to FILE's verified process\n"
    "  start FILE -- CMD...   start CMD unless FILE's process runs (one\n"
    "                         instance at a time), recording it in FILE\n"
    "  exec FILE -- CMD...    record own identity in FILE, then exec CMD\n"
    "                         under the same PID\n"
    "\n"
    "Run 'procid COMMAND --help' for a command's options and exit codes.\n"
    "Options take the forms -q, --quiet, -sHUP, -s HUP, --signal=HUP,\n"
    "--signal HUP; '--' ends the options. Usage errors exit 64.\n";

static const struct {
    const char *name;
    int (*run)(int, char **);
} commands[] = {
    {"id", cmd_id},     {"write", cmd_write},   {"status", cmd_status},
    {"stop", cmd_stop}, {"signal", cmd_signal}, {"start", cmd_start},
    {"exec", cmd_exec},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error(NULL, "expected a command");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("procid %s\n", procid_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return usage_error(NULL,
                           "unknown option '%s' (options follow the "
                           "command)",
                           cmd);
    return usage_error(NULL, "unknown command '%s'", cmd);
}

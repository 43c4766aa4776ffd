/*
 * cli.h - what the procid command's files share: messages, option parsing,
 * pidfile helpers. The command is a thin user of procid.h: nothing here
 * knows about /proc, pidfds or lock files.
 */
#ifndef PROCID_CLI_H
#define PROCID_CLI_H

#include <getopt.h>

#include "procid.h"

#define EXIT_USAGE 64

/* status (LSB) */
#define ST_RUNNING     0
#define ST_DEAD        1
#define ST_NOT_RUNNING 3
#define ST_UNKNOWN     4
/* stop and signal */
#define STOP_OK            0
#define STOP_FAILED        1
#define STOP_STILL_RUNNING 2
#define STOP_BAD_PIDFILE   4

/* ---- messages (cli_msg.c) ---------------------------------------------- */

/* Print to stdout unless quiet. */
void say(int quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "procid: <message>" on stderr. */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "procid: <cmd>: <message>" and "Try 'procid <cmd> --help' ..." on
   stderr; returns EXIT_USAGE. cmd NULL: the main command. */
int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- options (cli_opts.c) ---------------------------------------------- */

/*
 * getopt_long over argv[0..argc) for command `cmd`, with the messages of
 * usage_error(). Returns the option, -1 at the end, or -2 after printing a
 * usage error (the caller returns EXIT_USAGE). `shortopts` must start with
 * ':'.
 */
int next_opt(const char *cmd, int argc, char **argv, const char *shortopts,
             const struct option *longopts);

/* Index of the first "--" in argv (argc if none). */
int find_dashdash(int argc, char **argv);

/* A decimal PID > 0. 0 or -1. */
int parse_pid(const char *s, int *pid);

/* A signal by name (any case, with or without SIG, RTMIN+n, RTMAX-n) or
   number. 0 or -1. */
int parse_signal(const char *s, int *sig);

/* The name of sig without SIG ("TERM", "RTMIN+3"), into buf. */
const char *signal_name(int sig, char *buf, size_t cap);

/* A user name or numeric uid: 0, or -1 with a message printed. */
int parse_owner(const char *cmd, const char *s, unsigned long *uid);

#define SCHED_MAX 32
enum { STEP_SIGNAL, STEP_WAIT, STEP_FOREVER };
typedef struct step {
    int kind;
    int value; /* signal number or milliseconds */
} step;

/* A --retry schedule; 0, or -1 with the reason in why. *capped set when a
   timeout was capped at 24.8 days. */
int parse_schedule(const char *spec, int sig, step *out, int *n, int *capped,
                   char *why, size_t cap);

/* ---- process matching (cli_match.c) ------------------------------------ */

enum { OPT_EXEC = 512, OPT_NAME, OPT_USER };
#define MATCH_LONGOPTS                                                         \
    {"exec", required_argument, NULL, OPT_EXEC},                               \
        {"name", required_argument, NULL, OPT_NAME},                           \
        {"user", required_argument, NULL, OPT_USER}

/* Take option c into m if it is --exec, --name or --user: 0 (taken or not
   one of them), or -1 with a usage error printed. */
int match_option(const char *cmd, int c, const char *arg, procid_match *m);

/* 1 if m has a condition. */
int match_set(const procid_match *m);

/* pidfiles (cli_pidfile.c) follow. */
/* ---- pidfiles (cli_pidfile.c) ------------------------------------------ */

/* How a command reads FILE. */
typedef struct source {
    const char *file;
    unsigned read_flags;
    int has_owner;
    unsigned long owner;
    procid_match match; /* --exec, --name, --user */
} source;

/* Read FILE; on failure print why. 0, -ENOENT, or another error. */
int load(const source *src, procid_identity *id);

/* Remove FILE only if it still records id; print why not. */
void remove_recorded(const source *src, const procid_identity *id);

/* Write id to file; print why not (or the durability warning). 0 or <0. */
int write_pidfile(const char *file, const procid_identity *id);

/* Print an -EEXIST of procid_pidlock_open() for FILE. */
void say_held(int quiet, const char *file, const procid_identity *holder,
              const char *what);

/* ---- the verified process (cli_target.c) ------------------------------- */

typedef struct target {
    source src;
    unsigned open_flags;
    int quiet, remove;
} target;

/*
 * Read FILE and hold its process for stop and signal. Returns 1 with *h
 * set, or 0 with *code the command's exit code (nothing to signal, or
 * refused: printed).
 */
int target_open(const target *t, procid_identity *id, procid_handle **h,
                int *code);

/* ---- commands ---------------------------------------------------------- */

int cmd_id(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_signal(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_start(int argc, char **argv);

#endif

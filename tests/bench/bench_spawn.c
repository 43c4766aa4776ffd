/*
 * bench_spawn.c - whole-process timings: startup, work and exit, measured
 * from posix_spawn to wait4, for several commands run round-robin.
 *
 * usage: bench_spawn [-n RUNS] [-t TITLE] [-B NAME] [-a | -x CODES]
 *                    [-o JSON_FILE]
 *                    @KEY[=LABEL] CMD [ARG...] [@KEY[=LABEL] CMD [ARG...]]...
 *
 * The first command is the baseline every other is compared with. Each
 * round runs every command once, the order rotated per round; a ratio is
 * taken within a round, and the median over rounds is reported, with the
 * median / min / max wall time and the median peak RSS of each command.
 * stdin, stdout and stderr go to /dev/null. One untimed warm-up run per
 * command fixes its exit status: it must be 0 (or one of -x CODES, or any
 * with -a), and every timed run must exit the same way, so a failing command
 * is never timed. -x 0,1 suits checkers whose 1 means "findings" and 2 "could
 * not check" (procguard, grep): 2 still stops the benchmark.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"

extern char **environ;

typedef struct cmd {
    char key[64];
    char label[128];
    char **argv; /* points into main's argv, NULL-terminated by us */
    int status;  /* wait status of the warm-up run */
    double *ns;  /* per round */
    double *rss; /* per round, kB */
} cmd;

/* Run c once; wall ns in *ns, peak RSS in *rss_kb, wait status returned. */
static int run_once(const cmd *c, double *ns, double *rss_kb)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null",
                                         fd ? O_WRONLY : O_RDONLY, 0);
    pid_t pid;
    struct rusage ru;
    int st = -1;
    double t0 = bench_now_ns();
    int r = posix_spawnp(&pid, c->argv[0], &fa, NULL, c->argv, environ);
    if (r == 0) {
        while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
            ;
    }
    double t1 = bench_now_ns();
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) {
        fprintf(stderr, "bench_spawn: %s: %s\n", c->argv[0], strerror(r));
        return -1;
    }
    *ns = t1 - t0;
    *rss_kb = (double)ru.ru_maxrss;
    return st;
}

static void describe(const cmd *c, int st, char *buf, size_t cap)
{
    if (WIFEXITED(st))
        snprintf(buf, cap, "%s exited %d", c->key, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, cap, "%s killed by signal %d", c->key, WTERMSIG(st));
    else
        snprintf(buf, cap, "%s: status %#x", c->key, (unsigned)st);
}

/* Exit codes accepted besides 0 (-x), as a bit set. */
static unsigned char accepted[256 / 8] = {1};

static int accepted_status(int st)
{
    return WIFEXITED(st) &&
           (accepted[WEXITSTATUS(st) / 8] >> (WEXITSTATUS(st) % 8)) & 1;
}

/* "0,1" into accepted; 0, or -1 when malformed. */
static int parse_codes(const char *s)
{
    memset(accepted, 0, sizeof accepted);
    for (;;) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > 255 || (*end != ',' && *end != '\0'))
            return -1;
        accepted[v / 8] |= (unsigned char)(1u << (v % 8));
        if (*end == '\0')
            return 0;
        s = end + 1;
    }
}

static int warm_up(cmd *c, int any_status)
{
    double ns, rss;
    char what[160];
    c->status = run_once(c, &ns, &rss);
    if (c->status < 0)
        return -1;
    if (!any_status && !accepted_status(c->status)) {
        describe(c, c->status, what, sizeof what);
        fprintf(stderr,
                "bench_spawn: %s; refusing to time a failing "
                "command (-x CODES accepts those exit codes, -a any)\n",
                what);
        return -1;
    }
    return 0;
}

static int run_rounds(cmd *cmds, size_t n, long runs)
{
    char what[160];
    for (long k = 0; k < runs; k++) {
        for (size_t i = 0; i < n; i++) {
            cmd *c = &cmds[(i + (size_t)k) % n];
            int st = run_once(c, &c->ns[k], &c->rss[k]);
            if (st < 0)
                return -1;
            if (st != c->status) {
                describe(c, st, what, sizeof what);
                fprintf(stderr,
                        "bench_spawn: %s in round %ld, not as in "
                        "the warm-up run\n",
                        what, k + 1);
                return -1;
            }
        }
    }
    return 0;
}

/* Split argv at "@KEY[=LABEL]" markers into cmds; returns how many. */
static size_t parse_cmds(int argc, char **argv, cmd *cmds)
{
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] != '@')
            continue;
        cmd *c = &cmds[n++];
        const char *eq = strchr(argv[i] + 1, '=');
        size_t klen = eq ? (size_t)(eq - argv[i] - 1) : strlen(argv[i] + 1);
        snprintf(c->key, sizeof c->key, "%.*s", (int)klen, argv[i] + 1);
        c->argv = &argv[i + 1];
        argv[i] = NULL; /* terminates the previous command's argv */
        if (eq) {
            snprintf(c->label, sizeof c->label, "%s", eq + 1);
        } else {
            size_t off = 0;
            for (int j = i + 1; j < argc && argv[j][0] != '@'; j++) {
                const char *a = argv[j];
                if (j == i + 1 && strrchr(a, '/'))
                    a = strrchr(a, '/') + 1;
                int w = snprintf(c->label + off, sizeof c->label - off, "%s%s",
                                 off ? " " : "", a);
                if (w < 0 || (size_t)w >= sizeof c->label - off)
                    break;
                off += (size_t)w;
            }
        }
    }
    return n;
}

static void usage(FILE *f)
{
    fputs("usage: bench_spawn [-n RUNS] [-t TITLE] [-B NAME] [-a | -x CODES] "
          "[-o JSON_FILE]\n"
          "                   @KEY[=LABEL] CMD [ARG...] "
          "[@KEY[=LABEL] CMD [ARG...]]...\n"
          "  -n RUNS  rounds, each running every command once (default 51)\n"
          "  -t TITLE table title\n"
          "  -B NAME  benchmark name in the JSON file (default: process)\n"
          "  -a       accept any exit status (still required to be stable)\n"
          "  -x CODES accept these exit codes, comma-separated (default 0;\n"
          "           still required to be stable)\n"
          "The first command is the baseline.\n",
          f);
}

int main(int argc, char **argv)
{
    long runs = 51;
    int any_status = 0;
    const char *json = NULL, *bench = "process";
    const char *title = "whole process: wall time from posix_spawn to wait4";
    int opt;
    while ((opt = getopt(argc, argv, "+hn:o:t:B:ax:")) != -1) {
        char *end;
        switch (opt) {
        case 'n':
            runs = strtol(optarg, &end, 10);
            if (*end || runs <= 0 || runs > 100000)
                runs = -1;
            break;
        case 'o': json = optarg; break;
        case 't': title = optarg; break;
        case 'B': bench = optarg; break;
        case 'a': any_status = 1; break;
        case 'x':
            if (parse_codes(optarg) != 0) {
                fprintf(stderr, "bench_spawn: -x wants exit codes 0-255 "
                                "separated by commas, not '%s'\n",
                        optarg);
                return 64;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 64;
        }
    }
    int nargs = argc - optind;
    if (runs < 0 || nargs < 2 || argv[optind][0] != '@') {
        usage(stderr);
        return 64;
    }
    cmd *cmds = calloc((size_t)nargs, sizeof *cmds);
    bench_row *rows = calloc((size_t)nargs, sizeof *rows);
    if (cmds == NULL || rows == NULL) {
        free(cmds);
        free(rows);
        return 1;
    }
    size_t n = parse_cmds(nargs, argv + optind, cmds);
    int rc = 1;
    for (size_t i = 0; i < n; i++) {
        if (cmds[i].argv[0] == NULL) {
            fprintf(stderr, "bench_spawn: @%s: no command\n", cmds[i].key);
            rc = 64;
            goto out;
        }
        cmds[i].ns = calloc((size_t)runs, sizeof(double));
        cmds[i].rss = calloc((size_t)runs, sizeof(double));
        if (cmds[i].ns == NULL || cmds[i].rss == NULL)
            goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (warm_up(&cmds[i], any_status) < 0)
            goto out;
    if (run_rounds(cmds, n, runs) < 0)
        goto out;

    for (size_t i = 0; i < n; i++) {
        bench_summary rss;
        bench_summarise(cmds[i].rss, (size_t)runs, &rss);
        rows[i] = (bench_row){
            .name = cmds[i].key,
            .label = cmds[i].label,
            .kind = i ? "subject" : "baseline",
            .baseline = cmds[0].key,
            .samples = cmds[i].ns,
            .n = (size_t)runs,
            .ratio = bench_paired_ratio(cmds[i].ns, cmds[0].ns, (size_t)runs),
            .maxrss_kb = (long)rss.median,
        };
    }
    char head[256];
    snprintf(head, sizeof head, "%s (%ld rounds, interleaved)", title, runs);
    bench_print_table(stdout, head, rows, n);
    rc = 0;
    if (json != NULL) {
        char meta[64];
        snprintf(meta, sizeof meta, "\"runs\": %ld", runs);
        int r = bench_write_json(json, bench, meta, rows, n);
        if (r < 0) {
            fprintf(stderr, "bench_spawn: %s: %s\n", json, strerror(-r));
            rc = 1;
        }
    }
out:
    for (size_t i = 0; i < n; i++) {
        free(cmds[i].ns);
        free(cmds[i].rss);
    }
    free(cmds);
    free(rows);
    return rc;
}

/*
 * bench_runtime.c - what a libprocid check costs, next to its physical floor.
 *
 * Every operation runs in K batches of M iterations (more for the single-
 * syscall ones), all operations interleaved batch by batch, the order
 * rotated each round, so that a neighbour's noise falls on every operation
 * alike. Reported per operation: median / min / max ns per call and the
 * median of its per-round ratio to its floor.
 *
 * Floors: open + read + close of /proc/<pid>/stat (what any /proc-based
 * identity costs at least) and kill(pid, 0) (the cheapest syscall that
 * names a process). The target process is a child that waits in pause().
 *
 * Speed is never asserted here: the program fails only when an operation
 * does not give the expected answer (a benchmark of an error path would be
 * worthless).
 *
 * usage: bench_runtime [-k BATCHES] [-m ITERS] [JSON_FILE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procid.h"
#include "stats.h"

typedef struct ctx {
    int pid;
    char stat_path[64];
    char pidfile[PATH_MAX];
    procid_identity with_ino;    /* parsed from a formatted pidfile */
    procid_identity without_ino; /* the same, ino dropped: start-time path */
    procid_handle *handle;
} ctx;

/* Each returns 0 when the answer is the expected one (the process runs). */
typedef int (*op_fn)(ctx *c);

static int op_floor_proc_read(ctx *c)
{
    char buf[1024];
    int fd = open(c->stat_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return n <= 0;
}

static int op_floor_kill(ctx *c)
{
    return kill(c->pid, 0) != 0;
}

static int op_identity_of(ctx *c)
{
    procid_identity id;
    return procid_identity_of(c->pid, &id) != 0;
}

static int check_running(const procid_identity *id)
{
    procid_state st;
    return procid_check(id, &st) != 0 || st != PROCID_RUNNING;
}

static int op_check_ino(ctx *c)
{
    return check_running(&c->with_ino);
}

static int op_check_start(ctx *c)
{
    return check_running(&c->without_ino);
}

static int op_handle_alive(ctx *c)
{
    return procid_handle_alive(c->handle) != 1;
}

static int op_pidfile_check(ctx *c)
{
    procid_identity id;
    if (procid_pidfile_read(c->pidfile, 0, &id, NULL) != 0)
        return 1;
    return check_running(&id);
}

typedef struct op {
    const char *name, *label, *kind, *baseline;
    op_fn fn;
    int scale; /* iterations per batch = M * scale */
} op;

static const op ops[] = {
    {"floor_proc_read", "floor: open+read+close /proc/<pid>/stat", "floor",
     "floor_proc_read", op_floor_proc_read, 1},
    {"floor_kill", "floor: kill(pid, 0)", "floor", "floor_proc_read",
     op_floor_kill, 10},
    {"identity_of", "procid_identity_of(live pid)", "subject",
     "floor_proc_read", op_identity_of, 1},
    {"check_ino", "procid_check, parsed identity with ino", "subject",
     "floor_proc_read", op_check_ino, 1},
    {"check_start", "procid_check, without ino (start time)", "subject",
     "floor_proc_read", op_check_start, 1},
    {"handle_alive", "procid_handle_alive, held handle", "subject",
     "floor_kill", op_handle_alive, 10},
    {"pidfile_read_check", "procid_pidfile_read + procid_check", "subject",
     "floor_proc_read", op_pidfile_check, 1},
};
#define NOPS (sizeof ops / sizeof ops[0])

static int find_op(const char *name)
{
    for (size_t i = 0; i < NOPS; i++)
        if (!strcmp(ops[i].name, name))
            return (int)i;
    return -1;
}

/* ns per call of one batch; *bad set when an answer was unexpected. */
static double run_batch(const op *o, ctx *c, long iters, int *bad)
{
    int b = 0;
    double t0 = bench_now_ns();
    for (long i = 0; i < iters; i++)
        b |= o->fn(c);
    double t1 = bench_now_ns();
    *bad = b;
    return (t1 - t0) / (double)iters;
}

static pid_t spawn_target(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static int setup(ctx *c, char *dir)
{
    procid_identity live;
    procid_error perr;
    char buf[PROCID_PIDFILE_MAX];
    int r;

    static const char stat_fmt[] =
        "/proc/%d/stat"; // portability: the floor measured is this very /proc read
    snprintf(c->stat_path, sizeof c->stat_path, stat_fmt, c->pid);
    if ((r = procid_identity_of(c->pid, &live)) < 0) {
        fprintf(stderr, "bench_runtime: pid %d: %s\n", c->pid,
                procid_strerror(r));
        return -1;
    }
    int len = procid_pidfile_format(&live, buf, sizeof buf);
    if (len < 0 ||
        procid_pidfile_parse(buf, (size_t)len, &c->with_ino, &perr) < 0) {
        fprintf(stderr, "bench_runtime: cannot round-trip an identity\n");
        return -1;
    }
    c->without_ino = c->with_ino;
    c->without_ino.have &= ~PROCID_HAVE_INO;

    snprintf(c->pidfile, sizeof c->pidfile, "%s/target.pid", dir);
    if ((r = procid_pidfile_write(c->pidfile, &live)) < 0) {
        fprintf(stderr, "bench_runtime: %s: %s\n", c->pidfile,
                procid_strerror(r));
        return -1;
    }
    procid_state st;
    if ((r = procid_open(&c->with_ino, 0, &c->handle, &st)) < 0) {
        fprintf(stderr, "bench_runtime: pid %d: cannot hold: %s\n", c->pid,
                procid_strerror(r));
        return -1;
    }
    return 0;
}

static int parse_count(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v <= 0 || v > 10000000)
        return -1;
    *out = v;
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: bench_runtime [-k BATCHES] [-m ITERS] [JSON_FILE]\n"
          "  -k BATCHES  batches per operation (default 31)\n"
          "  -m ITERS    calls per batch (default 2000; x10 for the\n"
          "              single-syscall operations)\n",
          f);
}

/* Measure every op K times, interleaved; fills samples[op][k]. */
static int measure(ctx *c, long k_batches, long m_iters, double **samples)
{
    int bad;
    for (size_t j = 0; j < NOPS; j++) { /* warm up, and check the answers */
        run_batch(&ops[j], c, m_iters * ops[j].scale, &bad);
        if (bad) {
            fprintf(stderr, "bench_runtime: %s: unexpected answer\n",
                    ops[j].name);
            return -1;
        }
    }
    for (long k = 0; k < k_batches; k++) {
        for (size_t i = 0; i < NOPS; i++) {
            size_t j = (i + (size_t)k) % NOPS;
            samples[j][k] = run_batch(&ops[j], c, m_iters * ops[j].scale, &bad);
            if (bad) {
                fprintf(stderr, "bench_runtime: %s: unexpected answer\n",
                        ops[j].name);
                return -1;
            }
        }
    }
    return 0;
}

static int report(const ctx *c, long k_batches, long m_iters, double **samples,
                  const char *json)
{
    bench_row rows[NOPS];
    for (size_t j = 0; j < NOPS; j++) {
        int b = find_op(ops[j].baseline);
        rows[j] = (bench_row){
            .name = ops[j].name,
            .label = ops[j].label,
            .kind = ops[j].kind,
            .baseline = ops[j].baseline,
            .samples = samples[j],
            .n = (size_t)k_batches,
            .ratio =
                bench_paired_ratio(samples[j], samples[b], (size_t)k_batches),
            .maxrss_kb = -1,
        };
    }
    char title[160];
    snprintf(title, sizeof title,
             "runtime: ns per call, %ld batches of %ld calls, interleaved",
             k_batches, m_iters);
    bench_print_table(stdout, title, rows, NOPS);
    if (json == NULL)
        return 0;

    struct utsname u;
    char meta[512];
    if (uname(&u) < 0)
        memset(&u, 0, sizeof u);
    snprintf(meta, sizeof meta,
             "\"kernel\": \"%s %s\", \"machine\": \"%s\", \"pid\": %d, "
             "\"batches\": %ld, \"iters\": %ld, \"pidfs_ino\": %s",
             u.sysname, u.release, u.machine, c->pid, k_batches, m_iters,
             (c->with_ino.have & PROCID_HAVE_INO) ? "true" : "false");
    int r = bench_write_json(json, "runtime", meta, rows, NOPS);
    if (r < 0) {
        fprintf(stderr, "bench_runtime: %s: %s\n", json, strerror(-r));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long k_batches = 31, m_iters = 2000;
    const char *json = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "hk:m:")) != -1) {
        if (opt == 'k' && parse_count(optarg, &k_batches) == 0)
            continue;
        if (opt == 'm' && parse_count(optarg, &m_iters) == 0)
            continue;
        usage(opt == 'h' ? stdout : stderr);
        return opt == 'h' ? 0 : 64;
    }
    if (optind < argc)
        json = argv[optind++];
    if (optind < argc) {
        usage(stderr);
        return 64;
    }

    char dir[] = "/tmp/procid-bench-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("bench_runtime: mkdtemp");
        return 1;
    }
    ctx c = {0};
    c.pid = (int)spawn_target();
    double *samples[NOPS] = {0};
    int rc = 1;
    if (c.pid < 0) {
        perror("bench_runtime: fork");
        goto out;
    }
    for (size_t j = 0; j < NOPS; j++)
        if ((samples[j] = calloc((size_t)k_batches, sizeof(double))) == NULL)
            goto out;
    if (setup(&c, dir) == 0 && measure(&c, k_batches, m_iters, samples) == 0 &&
        report(&c, k_batches, m_iters, samples, json) == 0)
        rc = 0;
out:
    procid_close(c.handle);
    if (c.pid > 0) {
        kill(c.pid, SIGKILL);
        waitpid(c.pid, NULL, 0);
    }
    if (c.pidfile[0])
        unlink(c.pidfile);
    rmdir(dir);
    for (size_t j = 0; j < NOPS; j++)
        free(samples[j]);
    return rc;
}

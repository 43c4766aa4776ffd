/*
 * stats.h - what the benchmark programs share: a monotonic clock, the
 * summary of a set of batch timings, and the JSON they write.
 *
 * Every benchmark measures its subjects and their baselines in the same run,
 * batches interleaved, and summarises each one by the median of its batches
 * (min and max shown for spread). Ratios are taken batch by batch against
 * the baseline batch of the same round, then the median of those ratios is
 * reported: a noisy neighbour that slows one round slows both sides of it.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdio.h>

/* Nanoseconds from CLOCK_MONOTONIC. */
double bench_now_ns(void);

/* Median, min and max of n values (n > 0). Does not reorder `v`. */
typedef struct bench_summary {
    double median, min, max;
} bench_summary;

int bench_summarise(const double *v, size_t n, bench_summary *out);

/* Median of a[i] / b[i] over i < n. */
double bench_paired_ratio(const double *a, const double *b, size_t n);

/* One row of a result file. */
typedef struct bench_row {
    const char *name;      /* stable key, e.g. "check_ino" */
    const char *label;     /* what a reader sees in the table */
    const char *kind;      /* "floor", "subject", "peer" or "baseline" */
    const char *baseline;  /* name of the row it is compared with */
    const double *samples; /* ns per operation, one per batch/run */
    size_t n;
    double ratio;   /* median of paired ratios against `baseline` */
    long maxrss_kb; /* peak RSS of a whole-process row, -1 if n/a */
} bench_row;

/*
 * Write a result file: {"benchmark", "unit", "meta": {...}, "rows": [...]}.
 * `meta` is a pre-formatted JSON object body (without braces) or NULL.
 * Returns 0 or -errno.
 */
int bench_write_json(const char *path, const char *benchmark, const char *meta,
                     const bench_row *rows, size_t nrows);

/* Print the human table of rows to f. */
void bench_print_table(FILE *f, const char *title, const bench_row *rows,
                       size_t nrows);

#endif

/*
 * stats.c - medians, paired ratios, the table and the JSON of a benchmark.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"

double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_inplace(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_summarise(const double *v, size_t n, bench_summary *out)
{
    if (n == 0)
        return -EINVAL;
    double *c = malloc(n * sizeof *c);
    if (c == NULL)
        return -ENOMEM;
    memcpy(c, v, n * sizeof *c);
    out->median = median_inplace(c, n);
    out->min = c[0];
    out->max = c[n - 1];
    free(c);
    return 0;
}

double bench_paired_ratio(const double *a, const double *b, size_t n)
{
    double *r = malloc(n * sizeof *r);
    if (r == NULL || n == 0) {
        free(r);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        r[i] = b[i] > 0 ? a[i] / b[i] : 0;
    double m = median_inplace(r, n);
    free(r);
    return m;
}

/* The labels are ours, but keep the JSON valid whatever they hold. */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

int bench_write_json(const char *path, const char *benchmark, const char *meta,
                     const bench_row *rows, size_t nrows)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -errno;
    fprintf(f, "{\n  \"benchmark\": ");
    put_string(f, benchmark);
    fprintf(f, ",\n  \"unit\": \"ns\",\n  \"meta\": {%s},\n  \"rows\": [",
            meta ? meta : "");
    for (size_t i = 0; i < nrows; i++) {
        const bench_row *r = &rows[i];
        bench_summary s;
        if (bench_summarise(r->samples, r->n, &s) < 0)
            memset(&s, 0, sizeof s);
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        put_string(f, r->name);
        fprintf(f, ", \"label\": ");
        put_string(f, r->label);
        fprintf(f, ", \"kind\": ");
        put_string(f, r->kind);
        fprintf(f, ", \"baseline\": ");
        put_string(f, r->baseline);
        fprintf(f,
                ",\n     \"median\": %.1f, \"min\": %.1f, \"max\": %.1f, "
                "\"ratio\": %.4f, \"maxrss_kb\": %ld,\n     \"samples\": [",
                s.median, s.min, s.max, r->ratio, r->maxrss_kb);
        for (size_t k = 0; k < r->n; k++)
            fprintf(f, "%s%.1f", k ? ", " : "", r->samples[k]);
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ]\n}\n");
    if (fclose(f) != 0)
        return -errno;
    return 0;
}

/* 1234.5 ns -> "1.23 us"; keeps the columns short and comparable. */
static void fmt_ns(char *buf, size_t cap, double ns)
{
    if (ns >= 1e6)
        snprintf(buf, cap, "%.2f ms", ns / 1e6);
    else if (ns >= 1e3)
        snprintf(buf, cap, "%.2f us", ns / 1e3);
    else
        snprintf(buf, cap, "%.0f ns", ns);
}

void bench_print_table(FILE *f, const char *title, const bench_row *rows,
                       size_t nrows)
{
    fprintf(f, "%s\n", title);
    fprintf(f, "  %-44s %10s %10s %10s %8s  %s\n", "operation", "median", "min",
            "max", "ratio", "vs");
    for (size_t i = 0; i < nrows; i++) {
        const bench_row *r = &rows[i];
        bench_summary s;
        char med[32], lo[32], hi[32];
        if (bench_summarise(r->samples, r->n, &s) < 0)
            continue;
        fmt_ns(med, sizeof med, s.median);
        fmt_ns(lo, sizeof lo, s.min);
        fmt_ns(hi, sizeof hi, s.max);
        fprintf(f, "  %-44s %10s %10s %10s %7.2fx  %s\n", r->label, med, lo, hi,
                r->ratio, r->baseline);
    }
}

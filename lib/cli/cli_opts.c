/*
 * cli_opts.c - option and argument parsing shared by every command:
 * getopt_long with one-line usage errors, PIDs, signals, users, schedules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* The option the user typed, for a message: "--signal", "-s". */
static int bad_option(const char *cmd, int c, char **argv)
{
    const char *a = optind > 0 ? argv[optind - 1] : "";
    int is_long = a[0] == '-' && a[1] == '-';
    int n = (int)strcspn(a, "=");
    if (c == ':' && is_long)
        return usage_error(cmd, "option '%.*s' needs an argument", n, a);
    if (c == ':')
        return usage_error(cmd, "option '-%c' needs an argument", optopt);
    if (optopt != 0 && is_long && a[n] == '=')
        return usage_error(cmd, "option '%.*s' takes no argument", n, a);
    if (optopt != 0)
        return usage_error(cmd, "unknown option '-%c'", optopt);
    return usage_error(cmd, "unknown option '%.*s'", n, a);
}

int next_opt(const char *cmd, int argc, char **argv, const char *shortopts,
             const struct option *longopts)
{
    opterr = 0;
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == '?' || c == ':') {
        bad_option(cmd, c, argv);
        return -2;
    }
    return c;
}

int find_dashdash(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0)
            return i;
    return argc;
}

int parse_pid(const char *s, int *pid)
{
    if (*s < '1' || *s > '9')
        return -1;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX)
            return -1;
    }
    *pid = (int)v;
    return 0;
}

/* ---- signals ----------------------------------------------------------- */

#define SIG(n)                                                                 \
    {                                                                          \
#n, SIG##n                                                             \
    }
static const struct {
    const char *name;
    int sig;
} signals[] = {
    SIG(HUP),    SIG(INT),  SIG(QUIT),  SIG(ILL),  SIG(TRAP), SIG(ABRT),
    SIG(BUS),    SIG(FPE),  SIG(KILL),  SIG(USR1), SIG(SEGV), SIG(USR2),
    SIG(PIPE),   SIG(ALRM), SIG(TERM),  SIG(CHLD), SIG(CONT), SIG(STOP),
    SIG(TSTP),   SIG(TTIN), SIG(TTOU),  SIG(URG),  SIG(XCPU), SIG(XFSZ),
    SIG(VTALRM), SIG(PROF), SIG(WINCH), SIG(SYS),
#ifdef SIGIO
    SIG(IO),
#endif
#ifdef SIGPOLL
    SIG(POLL),
#endif
#ifdef SIGIOT
    SIG(IOT),
#endif
#ifdef SIGSTKFLT
    SIG(STKFLT),
#endif
#ifdef SIGPWR
    SIG(PWR),
#endif
#ifdef SIGEMT
    SIG(EMT),
#endif
#ifdef SIGINFO
    SIG(INFO),
#endif
#ifdef SIGCLD
    SIG(CLD),
#endif
};

static int sig_max(void)
{
#ifdef SIGRTMAX
    return SIGRTMAX;
#elif defined(NSIG)
    return NSIG - 1;
#else
    return 31;
#endif
}

/* A decimal in [lo, hi], the whole string. */
static int small_number(const char *s, long lo, long hi, long *v)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    *v = strtol(s, &end, 10);
    return (*end != '\0' || errno != 0 || *v < lo || *v > hi) ? -1 : 0;
}

/* RTMIN, RTMIN+n, RTMAX, RTMAX-n */
static int parse_rt(const char *s, int *sig)
{
#ifdef SIGRTMIN
    long n = 0;
    int span = SIGRTMAX - SIGRTMIN;
    if (strncasecmp(s, "RTMIN", 5) == 0 &&
        (s[5] == '\0' ||
         (s[5] == '+' && small_number(s + 6, 0, span, &n) == 0))) {
        *sig = SIGRTMIN + (int)n;
        return 0;
    }
    if (strncasecmp(s, "RTMAX", 5) == 0 &&
        (s[5] == '\0' ||
         (s[5] == '-' && small_number(s + 6, 0, span, &n) == 0))) {
        *sig = SIGRTMAX - (int)n;
        return 0;
    }
#else
    (void)s;
    (void)sig;
#endif
    return -1;
}

int parse_signal(const char *s, int *sig)
{
    long v;
    if (*s >= '0' && *s <= '9') {
        if (small_number(s, 1, sig_max(), &v) < 0)
            return -1;
        *sig = (int)v;
        return 0;
    }
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (strcasecmp(s, signals[i].name) == 0) {
            *sig = signals[i].sig;
            return 0;
        }
    return parse_rt(s, sig);
}

const char *signal_name(int sig, char *buf, size_t cap)
{
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (signals[i].sig == sig) {
            snprintf(buf, cap, "%s", signals[i].name);
            return buf;
        }
#ifdef SIGRTMIN
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        snprintf(buf, cap, "RTMIN+%d", sig - SIGRTMIN);
        return buf;
    }
#endif
    snprintf(buf, cap, "%d", sig);
    return buf;
}

int parse_owner(const char *cmd, const char *s, unsigned long *uid)
{
    long v;
    struct passwd *pw = getpwnam(s);
    if (pw != NULL) {
        *uid = (unsigned long)pw->pw_uid;
        return 0;
    }
    if (small_number(s, 0, INT32_MAX, &v) == 0) {
        *uid = (unsigned long)v;
        return 0;
    }
    usage_error(cmd, "--owner '%s': no such user", s);
    return -1;
}

/* ---- schedules --------------------------------------------------------- */

/* The longest wait one step can take: INT_MAX ms, about 24.8 days. */
#define WAIT_MAX_MS INT_MAX

/* Seconds with up to three decimals, as milliseconds, capped at
   WAIT_MAX_MS. Digits accumulate in 64 bits and saturate: no overflow. */
static int parse_seconds(const char *s, int *ms, int *capped)
{
    uint64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (whole <= WAIT_MAX_MS)
            whole = whole * 10 + (uint64_t)(*s - '0');
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9' && fdigits < 3; s++, fdigits++)
            frac = frac * 10 + (uint64_t)(*s - '0');
        if (fdigits == 0)
            return -1;
        for (int i = fdigits; i < 3; i++)
            frac *= 10;
    }
    if (digits == 0 || *s != '\0')
        return -1;
    uint64_t total =
        whole > WAIT_MAX_MS ? (uint64_t)WAIT_MAX_MS + 1 : whole * 1000 + frac;
    if (total > WAIT_MAX_MS) {
        total = WAIT_MAX_MS;
        *capped = 1;
    }
    *ms = (int)total;
    return 0;
}

/* One item of a schedule. 0 or -1 with why filled. */
static int parse_item(const char *tok, int idx, step *st, int *capped,
                      char *why, size_t cap)
{
    int ms;
    if (*tok == '\0') {
        snprintf(why, cap, "item %d is empty", idx);
        return -1;
    }
    if (strcmp(tok, "forever") == 0)
        *st = (step){STEP_FOREVER, 0};
    else if (parse_seconds(tok, &ms, capped) == 0)
        *st = (step){STEP_WAIT, ms};
    else if (parse_signal(tok[0] == '-' ? tok + 1 : tok, &st->value) == 0)
        st->kind = STEP_SIGNAL;
    else {
        snprintf(why, cap,
                 "item %d '%s' is neither a signal, seconds nor "
                 "'forever'",
                 idx, tok);
        return -1;
    }
    return 0;
}

/* forever only after a signal, once, with something to repeat that waits;
   at least one signal. */
static int check_schedule(const step *s, int n, char *why, size_t cap)
{
    int signals_seen = 0, forever = -1, waits_after = 0;
    for (int i = 0; i < n; i++) {
        if (s[i].kind == STEP_SIGNAL)
            signals_seen++;
        else if (s[i].kind == STEP_WAIT && forever >= 0)
            waits_after++;
        else if (s[i].kind == STEP_FOREVER) {
            if (forever >= 0 || signals_seen == 0) {
                snprintf(why, cap,
                         "'forever' (item %d) must follow a signal, "
                         "once",
                         i + 1);
                return -1;
            }
            forever = i;
        }
    }
    if (signals_seen == 0) {
        snprintf(why, cap, "it never sends a signal");
        return -1;
    }
    if (forever >= 0 && waits_after == 0) {
        snprintf(why, cap, "what 'forever' repeats must include a timeout");
        return -1;
    }
    return 0;
}

int parse_schedule(const char *spec, int sig, step *out, int *n, int *capped,
                   char *why, size_t cap)
{
    int ms;
    *n = 0;
    if (parse_seconds(spec, &ms, capped) == 0) { /* T means SIG/T/KILL/T */
        out[0] = (step){STEP_SIGNAL, sig};
        out[1] = (step){STEP_WAIT, ms};
        out[2] = (step){STEP_SIGNAL, SIGKILL};
        out[3] = (step){STEP_WAIT, ms};
        *n = 4;
        return 0;
    }
    const char *p = spec;
    for (;;) {
        size_t len = strcspn(p, "/");
        char tok[64];
        if (*n == SCHED_MAX) {
            snprintf(why, cap, "more than %d items", SCHED_MAX);
            return -1;
        }
        if (len >= sizeof tok) {
            snprintf(why, cap, "item %d is too long", *n + 1);
            return -1;
        }
        snprintf(tok, sizeof tok, "%.*s", (int)len, p);
        if (parse_item(tok, *n + 1, &out[*n], capped, why, cap) < 0)
            return -1;
        (*n)++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return check_schedule(out, *n, why, cap);
}

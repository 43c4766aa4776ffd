/*
 * cmd_write.c - procid write [--exclusive] FILE PID: record PID's identity.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: procid write [--exclusive] [--quiet] FILE PID\n"
    "\n"
    "Record PID's identity in FILE, replacing it atomically (temporary file,\n"
    "fsync, rename): readers see the old file or the new one, never a torn\n"
    "one. PID is required: a shell records itself with $$ (procid's parent\n"
    "is not always the process meant: 'bash -c' execs its last command).\n"
    "Only a regular file is replaced; a FIFO, socket, device node, symlink\n"
    "or directory at FILE is refused.\n"
    "\n"
    "  -x, --exclusive  refuse when FILE records a live process (verified),\n"
    "                   or another process holds FILE's lock (FILE.lock);\n"
    "                   write under that lock, which is released on exit\n"
    "  -q, --quiet      print nothing on stdout\n"
    "\n"
    "exit: 0 written (a warning on stderr if the directory could not be\n"
    "flushed after the rename: the file is replaced, but a crash may bring\n"
    "the old one back), 1 failed or (--exclusive) already running: FILE\n"
    "untouched, 64 usage\n";

static int write_exclusive(const char *file, const procid_identity *id,
                           int quiet)
{
    procid_pidlock *lk = NULL;
    procid_identity holder;
    procid_error e = {{0}};
    int r = procid_pidlock_open(file, 0, &lk, &holder, &e);
    if (r == -EEXIST) {
        say_held(quiet, file, &holder, "not written");
        return 1;
    }
    if (r < 0) {
        err("%s: %s; not written", file, e.msg[0] ? e.msg : procid_strerror(r));
        return 1;
    }
    r = write_pidfile(file, id);
    procid_pidlock_close(lk);
    return r < 0 ? 1 : 0;
}

int cmd_write(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"exclusive", no_argument, NULL, 'x'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, pid, exclusive = 0, quiet = 0;
    while ((c = next_opt("write", argc, argv, ":xqh", longopts)) != -1) {
        if (c == -2)
            return EXIT_USAGE;
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        exclusive |= c == 'x';
        quiet |= c == 'q';
    }
    if (argc - optind != 2)
        return usage_error("write", "expected FILE PID (a shell records itself "
                                    "with $$)");
    const char *file = argv[optind];
    if (file[0] == '\0')
        return usage_error("write", "FILE is empty");
    if (parse_pid(argv[optind + 1], &pid) < 0)
        return usage_error("write", "'%s' is not a PID", argv[optind + 1]);
    procid_identity id;
    int r = procid_identity_of(pid, &id);
    if (r < 0) {
        err("pid %d: %s; %s not written", pid, procid_strerror(r), file);
        return 1;
    }
    if (exclusive)
        return write_exclusive(file, &id, quiet);
    return write_pidfile(file, &id) < 0 ? 1 : 0;
}

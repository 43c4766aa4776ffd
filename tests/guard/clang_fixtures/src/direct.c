#include "paths.h"
#include <stdio.h>

const char *direct = "/proc/self/status";
const char *via_macro = ROOT "/%d/stat";
const char *concat = "/pr" "oc/self/maps";
int fmt(char *buf, int pid) { return sprintf(buf, "/proc/%d/cmdline", pid); }
/* reading /proc here is fine in a comment */
const char *log_msg = "reading /proc failed";
const char *other = "/processes";
#ifdef __FreeBSD__
const char *bsd = "/proc/curproc/file";
#endif
#define WRAP(x) x
const char *wrapped = WRAP("/proc/loadavg");
const char *nested = SELF_DIR "/fd";
const char *wide = (const char *)L"/proc/uptime";

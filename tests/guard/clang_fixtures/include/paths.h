#ifndef PATHS_H
#define PATHS_H
#define ROOT "/proc"
#define SELF_DIR ROOT "/self"
static const char *const shared_path = "/proc/meminfo";
#endif

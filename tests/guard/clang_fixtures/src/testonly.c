#ifdef TEST
const char *t = "/proc/self/fd";
#endif
int testonly;

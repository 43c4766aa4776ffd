#include "paths.h"

const char *spaced = SPACED_PATH;
const char *none = "/proc-not";

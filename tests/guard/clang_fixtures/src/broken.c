#include "paths.h"
#include "nope.h"
int broken;

#!/usr/bin/env python3
"""gen_repo.py DIR - write a foreign C and Python project with 400+ raw /proc
sites (direct, through macros, in inactive #if branches, in Python) and no
acknowledgements, plus its compile_commands.json (absolute paths), the way
an existing codebase looks before it adopts procguard."""
import json
import os
import sys

root = sys.argv[1]
os.makedirs(os.path.join(root, "src"), exist_ok=True)
os.makedirs(os.path.join(root, "tools"), exist_ok=True)
db = []
for i in range(20):
    lines = ["#include <stdio.h>", "#include <string.h>", "",
             f'#define STAT_{i} "/proc/%d/stat"',
             f'#define MEMINFO_{i} "/proc/meminfo"', ""]
    for k in range(5):
        lines += [f"int read_{i}_{k}(int pid)", "{", "    char buf[64];",
                  f'    snprintf(buf, sizeof buf, "/proc/%d/status", pid + {k});',
                  f'    FILE *f = fopen(STAT_{i}, "r");',
                  "    if (f == NULL)",
                  "        return -1;",
                  "    fclose(f);",
                  f'    return (int)strlen(buf) + (int)strlen("/proc/self/fd/{k}");',
                  "}", ""]
    lines += ["#if 0", f'static const char *legacy_{i} = "/proc/self/maps";',
              "#endif", "#ifdef NOT_DEFINED_ANYWHERE",
              f'static const char *other_{i} = "/proc/loadavg";', "#endif",
              f"const char *mem_{i}(void) {{ return MEMINFO_{i}; }}", ""]
    rel = f"src/mod{i:02d}.c"
    with open(os.path.join(root, rel), "w") as fh:
        fh.write("\n".join(lines))
    db.append({"directory": root, "file": os.path.join(root, rel),
               "arguments": ["cc", "-std=c11", "-c", rel, "-o", f"{rel}.o"]})
for i in range(10):
    lines = ["import os", "", ""]
    for k in range(6):
        lines += [f"def status_{k}(pid):",
                  f'    with open(f"/proc/{{pid}}/status") as fh:',
                  "        return fh.read()", "",
                  f"def root_{k}():",
                  f'    return os.path.join("/proc", "self", "{k}")', "", ""]
    with open(os.path.join(root, f"tools/tool{i}.py"), "w") as fh:
        fh.write("\n".join(lines))
with open(os.path.join(root, "tools/runner"), "w") as fh:
    fh.write('#!/usr/bin/env python3\nprint(open("/proc/uptime").read())\n')
os.chmod(os.path.join(root, "tools/runner"), 0o755)
with open(os.path.join(root, "compile_commands.json"), "w") as fh:
    json.dump(db, fh, indent=1)

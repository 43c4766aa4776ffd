"""sitedir.py PREFIX - print the directory, relative to PREFIX, where this
Python looks for packages installed under PREFIX (Debian: /usr ->
lib/python3/dist-packages, /usr/local -> lib/python3.X/dist-packages);
for a prefix it does not search, the standard lib/python3.X/site-packages
(add it to PYTHONPATH)."""
import os
import site
import sys
import sysconfig

prefix = os.path.realpath(sys.argv[1])
for path in site.getsitepackages():
    if os.path.realpath(path).startswith(prefix + os.sep):
        print(os.path.relpath(os.path.realpath(path), prefix))
        break
else:
    print(os.path.relpath(sysconfig.get_path(
        "purelib", "posix_prefix", vars={"base": prefix, "platbase": prefix}),
        prefix))

"""The ctypes mirrors of procid.h match the header: a C program compiled
against the header under test prints every size, offset and constant the
binding relies on, and each must equal the binding's."""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict

import pytest

from procid import State, _lib

PROBE = r"""
#include <stddef.h>
#include <stdio.h>
#include <procid.h>
#define P(name, v) printf("%s %lld\n", name, (long long)(v))
#define F(field) P("identity." #field, offsetof(procid_identity, field)); \
                 P("identity." #field ".size", sizeof(((procid_identity *)0)->field))
int main(void) {
    P("identity", sizeof(procid_identity));
    P("identity.align", _Alignof(procid_identity));
    F(pid); F(have); F(start); F(boot); F(ino); F(reserved);
    P("error", sizeof(procid_error));
    P("error.msg", offsetof(procid_error, msg));
    P("state", sizeof(procid_state));
    P("PROCID_RUNNING", PROCID_RUNNING);
    P("PROCID_DEAD", PROCID_DEAD);
    P("PROCID_RECYCLED", PROCID_RECYCLED);
    P("PROCID_UNVERIFIED", PROCID_UNVERIFIED);
    P("PROCID_BOOT_MAX", PROCID_BOOT_MAX);
    P("PROCID_PIDFILE_MAX", PROCID_PIDFILE_MAX);
    P("PROCID_HAVE_START", PROCID_HAVE_START);
    P("PROCID_HAVE_BOOT", PROCID_HAVE_BOOT);
    P("PROCID_HAVE_INO", PROCID_HAVE_INO);
    P("PROCID_READ_INSECURE", PROCID_READ_INSECURE);
    P("PROCID_PIDLOCK_INHERIT", PROCID_PIDLOCK_INHERIT);
    P("PROCID_VERSION_MAJOR", PROCID_VERSION_MAJOR);
    return 0;
}
"""


@pytest.fixture(scope="module")
def header() -> Dict[str, int]:
    inc = os.environ.get("PROCID_INCLUDE_DIR")
    if not inc or not (Path(inc) / "procid.h").is_file():
        pytest.skip("PROCID_INCLUDE_DIR does not name a directory with "
                    "procid.h (got %r): the layout cannot be compared" % inc)
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler (cc): the layout cannot be compared")
    work = Path(os.environ.get("TMPDIR", "/tmp"))
    import tempfile
    with tempfile.TemporaryDirectory(dir=work) as d:
        src, exe = Path(d) / "probe.c", Path(d) / "probe"
        src.write_text(PROBE)
        subprocess.run([cc, "-std=c11", "-I", inc, str(src), "-o", str(exe)],
                       check=True)
        out = subprocess.run([str(exe)], check=True, capture_output=True,
                             text=True).stdout
    return {k: int(v) for k, v in (line.split() for line in out.splitlines())}


def test_identity_struct_matches_the_header(header: Dict[str, int]) -> None:
    c = _lib.CIdentity
    assert ctypes.sizeof(c) == header["identity"]
    assert ctypes.alignment(c) == header["identity.align"]
    for name, _ in c._fields_:
        field = getattr(c, name)
        assert (name, field.offset) == (name, header["identity." + name])
        assert (name, field.size) == (name, header["identity.%s.size" % name])
    # every member of the C struct is mirrored, none invented
    assert sorted(n for n, _ in c._fields_) == sorted(
        k.split(".")[1] for k in header
        if k.startswith("identity.") and k.count(".") == 1
        and k != "identity.align")


def test_error_struct_matches_the_header(header: Dict[str, int]) -> None:
    assert ctypes.sizeof(_lib.CError) == header["error"]
    assert _lib.CError.msg.offset == header["error.msg"]
    assert header["state"] == ctypes.sizeof(ctypes.c_int)


def test_constants_and_states_match_the_header(header: Dict[str, int]) -> None:
    assert _lib.BOOT_MAX == header["PROCID_BOOT_MAX"]
    assert _lib.PIDFILE_MAX == header["PROCID_PIDFILE_MAX"]
    assert _lib.HAVE_START == header["PROCID_HAVE_START"]
    assert _lib.HAVE_BOOT == header["PROCID_HAVE_BOOT"]
    assert _lib.HAVE_INO == header["PROCID_HAVE_INO"]
    assert _lib.READ_INSECURE == header["PROCID_READ_INSECURE"]
    assert _lib.PIDLOCK_INHERIT == header["PROCID_PIDLOCK_INHERIT"]
    assert _lib.ABI_MAJOR == header["PROCID_VERSION_MAJOR"]
    for st in State:
        assert st.value == header["PROCID_" + st.name]
    assert len(State) == 4


def test_state_names_match_the_library() -> None:
    for st in State:
        assert _lib.lib.procid_state_name(st.value).decode() == st.name

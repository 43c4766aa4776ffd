"""Loading libprocid and declaring its C API for ctypes.

The structures below mirror lib/include/procid.h exactly (field order,
types, sizes); tests/python/test_abi.py compiles a C program against the
header and compares every size and offset with these.

Which library is loaded, in order:
  1. $PROCID_LIBRARY, a path (only that one: a wrong path is an error);
  2. the library the package was installed next to (``_location.py``,
     written by ``cmake --install`` with PROCID_BUILD_PYTHON=ON);
  3. the platform's name for libprocid's ABI 0 through the dynamic
     loader's search path (``libprocid.so.0``, ``libprocid.0.dylib``,
     ``procid.dll``).
"""
from __future__ import annotations

import ctypes
import os
import sys
from typing import List, Tuple

# ---- constants of procid.h ------------------------------------------------

BOOT_MAX = 64
PIDFILE_MAX = 256
HAVE_START = 0x1
HAVE_BOOT = 0x2
HAVE_INO = 0x4
READ_INSECURE = 0x1
PIDLOCK_INHERIT = 0x100
ERROR_MSG_MAX = 200
ABI_MAJOR = 0


class CIdentity(ctypes.Structure):
    """struct procid_identity."""

    _fields_ = [
        ("pid", ctypes.c_int),
        ("have", ctypes.c_uint),
        ("start", ctypes.c_uint64),
        ("boot", ctypes.c_char * BOOT_MAX),
        ("ino", ctypes.c_uint64),
        ("reserved", ctypes.c_uint64 * 4),
    ]


class CError(ctypes.Structure):
    """struct procid_error."""

    _fields_ = [("msg", ctypes.c_char * ERROR_MSG_MAX)]


# ---- loading --------------------------------------------------------------


def _default_names() -> List[str]:
    if sys.platform == "darwin":
        return ["libprocid.0.dylib"]
    if sys.platform == "win32":
        return ["procid.dll", "libprocid.dll"]
    return ["libprocid.so.0"]


def _installed_path() -> List[str]:
    try:
        # written by cmake --install; absent from a pip install
        from ._location import LIBRARY  # type: ignore[import]
    except ImportError:
        return []
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.normpath(os.path.join(here, str(LIBRARY)))]


def _load() -> Tuple[ctypes.CDLL, str]:
    env = os.environ.get("PROCID_LIBRARY")
    if env:
        try:
            return ctypes.CDLL(env), env
        except OSError as e:
            raise ImportError(
                "procid: cannot load PROCID_LIBRARY=%s: %s" % (env, e)) from e
    tried = []
    for name in _installed_path() + _default_names():
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            tried.append("%s (%s)" % (name, e))
    raise ImportError(
        "procid: libprocid not found; tried %s. Install libprocid "
        "(cmake --install), or set PROCID_LIBRARY to the path of "
        "libprocid.so.0" % "; ".join(tried))


lib, path = _load()


def _proto(name: str, restype: object, *argtypes: object) -> None:
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)


_P_ID = ctypes.POINTER(CIdentity)
_P_ERR = ctypes.POINTER(CError)
_P_INT = ctypes.POINTER(ctypes.c_int)
_P_HANDLE = ctypes.POINTER(ctypes.c_void_p)

_proto("procid_strerror", ctypes.c_char_p, ctypes.c_int)
_proto("procid_state_name", ctypes.c_char_p, ctypes.c_int)
_proto("procid_version", ctypes.c_char_p)
_proto("procid_identity_of", ctypes.c_int, ctypes.c_int, _P_ID)
_proto("procid_self", ctypes.c_int, _P_ID)
_proto("procid_identity_match", ctypes.c_int, _P_ID, _P_ID)
_proto("procid_pidfile_format", ctypes.c_int, _P_ID, ctypes.c_char_p,
       ctypes.c_size_t)
_proto("procid_pidfile_parse", ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
       _P_ID, _P_ERR)
_proto("procid_pidfile_write", ctypes.c_int, ctypes.c_char_p, _P_ID)
_proto("procid_pidfile_read", ctypes.c_int, ctypes.c_char_p, ctypes.c_uint,
       _P_ID, _P_ERR)
_proto("procid_check", ctypes.c_int, _P_ID, _P_INT)
_proto("procid_signal", ctypes.c_int, _P_ID, ctypes.c_int, _P_INT)
_proto("procid_open", ctypes.c_int, _P_ID, ctypes.c_int, _P_HANDLE, _P_INT)
_proto("procid_handle_alive", ctypes.c_int, ctypes.c_void_p)
_proto("procid_handle_signal", ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
_proto("procid_handle_wait", ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
_proto("procid_handle_identity", _P_ID, ctypes.c_void_p)
_proto("procid_close", None, ctypes.c_void_p)
_proto("procid_pidfile_read_owner", ctypes.c_int, ctypes.c_char_p,
       ctypes.c_uint, ctypes.c_ulong, _P_ID, _P_ERR)
_proto("procid_pidlock_open", ctypes.c_int, ctypes.c_char_p, ctypes.c_uint,
       _P_HANDLE, _P_ID, _P_ERR)
_proto("procid_pidlock_write", ctypes.c_int, ctypes.c_void_p, _P_ID)
_proto("procid_pidlock_remove", ctypes.c_int, ctypes.c_void_p, _P_ERR)
_proto("procid_pidlock_close", None, ctypes.c_void_p)
_proto("procid_pidlock_fd", ctypes.c_int, ctypes.c_void_p)

version: str = lib.procid_version().decode("ascii")
if int(version.split(".")[0]) != ABI_MAJOR:
    raise ImportError("procid: %s is libprocid %s; this package needs %d.x"
                      % (path, version, ABI_MAJOR))


def strerror(err: int) -> str:
    """procid_strerror() of a negative errno value."""
    name: bytes = lib.procid_strerror(err)
    return name.decode("utf-8", "replace")

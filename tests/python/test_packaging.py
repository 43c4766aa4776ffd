"""The package as shipped: typed, and written for Python >= 3.9 (checked
by parsing every module with the 3.9 grammar, whatever runs the tests)."""
from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import procid

PKG = Path(procid.__file__).resolve().parent


def test_package_ships_py_typed() -> None:
    assert (PKG / "py.typed").is_file()


@pytest.mark.parametrize("module", sorted(p.name for p in PKG.glob("*.py")))
def test_module_parses_with_the_python_3_9_grammar(module: str) -> None:
    if sys.version_info < (3, 9):
        pytest.skip("this Python is older than 3.9")
    ast.parse((PKG / module).read_text(), module, feature_version=(3, 9))


def test_public_names_exist_and_are_documented() -> None:
    for name in procid.__all__:
        obj = getattr(procid, name)
        if callable(obj):
            assert obj.__doc__, name
    assert procid.open is procid.Handle.open or \
        procid.open.__func__ is procid.Handle.open.__func__


def test_type_hints_check_strictly(tmp_path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("no mypy for %s (Debian: apt-get install python3-mypy): "
                    "the type hints are not checked" % sys.executable)
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-warn-unused-ignores",
         "--python-version", "3.9", "--cache-dir", str(tmp_path), str(PKG)],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr

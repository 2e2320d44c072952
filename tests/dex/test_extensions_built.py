"""Where a C compiler and the Python headers are present (a development tree, CI), the C kernels must be built.

``setup.py`` falls back to the pure-Python walker when an extension fails to compile, on purpose: an installation
without a compiler still works. But then a C error that lands (a bad merge, say) leaves every test passing on the
twins, only several times slower, and nobody notices. This test makes it visible: with a compiler, every extension
imports, from its source tree, and is not older than its source.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sysconfig
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "appwarden"
EXTENSIONS = sorted(SRC.rglob("_*.c"))

needs_compiler = pytest.mark.skipif(
    not (shutil.which("gcc") or shutil.which("cc"))
    or not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")),
    reason="no C compiler or Python headers here: the pure-Python walker is the supported fallback",
)


def test_the_extensions_are_found() -> None:
    names = {p.stem for p in EXTENSIONS}
    assert {"_dexscan", "_reach", "_flow"} <= names


@needs_compiler
@pytest.mark.parametrize("source", EXTENSIONS, ids=lambda p: p.stem)
def test_each_extension_is_built_from_its_current_source(source: Path) -> None:
    name = ".".join(source.relative_to(SRC.parent).with_suffix("").parts)
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - what the test is for
        pytest.fail(f"{name} is not built ({exc}); run `make setup` (setup.py printed why it was not)")
    built = Path(module.__file__)
    if built.parent != source.parent:  # an installed copy elsewhere: not this tree's build
        pytest.skip(f"{name} is imported from {built.parent}, not from this source tree")
    deps = [source, *source.parent.glob("_*.h")]
    newest = max(p.stat().st_mtime for p in deps)
    assert built.stat().st_mtime >= newest, f"{built.name} is older than its source: run `make setup`"


@needs_compiler
def test_the_dex_walker_is_the_c_one() -> None:
    from appwarden.dex import backend

    if os.environ.get("APPWARDEN_DEX_BACKEND") == "python":
        pytest.skip("the Python backend is forced by APPWARDEN_DEX_BACKEND")
    assert backend() == "c"

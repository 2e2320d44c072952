"""Build the compiled parts: the C accelerator for the DEX instruction walk and the native ``appwarden`` command.

Both are optional and degrade to pure Python when no C compiler is available:

* ``appwarden.dex._dexscan``: without it the pure-Python DEX walker is used (much slower);
  ``appwarden.dex.backend()`` says which one is active.
* the ``appwarden`` command: on Linux it is the native client ``src/appwarden/daemon/client.c``, which hands
  ``appwarden scan`` to a running scan daemon without starting an interpreter and otherwise execs the Python
  launcher ``appwarden-py`` (a console script) installed beside it. Where it cannot be built, ``appwarden`` is a
  Python script that runs the same launcher (``appwarden.launch:main``), so the command behaves the same, only the
  daemon path is ~20 ms slower.
"""

import os
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# isort: split
# setuptools' own distutils: importable as `distutils` once setuptools is imported
from distutils.command.build_scripts import build_scripts

# command name -> (C source of its native build, Python entry point it runs when that cannot be built)
NATIVE_COMMANDS = {"appwarden": ("src/appwarden/daemon/client.c", "appwarden.launch:main")}
PYTHON_FALLBACK = """#!python
# The `{name}` command without its native client (it could not be built here): the Python launcher itself.
import sys

from {module} import {function}

if __name__ == "__main__":
    sys.exit({function}())
"""


class OptionalBuildExt(build_ext):
    """Build C extensions, but do not fail the install when the compiler is missing."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # any compiler failure falls back to pure Python
            print(f"warning: C accelerator not built ({exc}); using the pure-Python DEX walker")

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"warning: {ext.name} not built ({exc}); using the pure-Python DEX walker")


class NativeCommands(build_scripts):
    """Build each of NATIVE_COMMANDS as a native executable, or else as a Python script running its entry point."""

    def run(self) -> None:
        self.mkpath(self.build_dir)
        version = self.distribution.get_version()
        for name, (source, entry) in NATIVE_COMMANDS.items():
            target = os.path.join(self.build_dir, name)
            problem = _compile(source, target, version)
            if problem is not None:
                print(
                    f"warning: native `{name}` command not built ({problem}); installing the Python launcher"
                )
                module, function = entry.split(":")
                Path(target).write_text(
                    PYTHON_FALLBACK.format(name=name, module=module, function=function), encoding="utf-8"
                )
            os.chmod(target, 0o755)

    def get_outputs(self) -> list[str]:
        return [os.path.join(self.build_dir, name) for name in NATIVE_COMMANDS]


def _compile(source: str, target: str, version: str) -> str | None:
    """Compile ``source`` into the executable ``target``; None on success, else why not."""
    if not sys.platform.startswith("linux"):
        return "the native client needs Linux"
    command = [
        os.environ.get("CC") or "cc",
        "-O2",
        "-std=gnu99",
        "-Wall",
        f'-DAPPWARDEN_VERSION="{version}"',
        "-o",
        target,
        source,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    return None


source = Path("src/appwarden/dex/_dexscan.c")
ext_modules = (
    [Extension("appwarden.dex._dexscan", [str(source)], extra_compile_args=["-O2", "-std=c99"])]
    if source.exists()
    else []
)
setup(
    ext_modules=ext_modules,
    # listed so that the build and install steps run build_scripts (NativeCommands builds from NATIVE_COMMANDS)
    scripts=[source for source, _ in NATIVE_COMMANDS.values()],
    cmdclass={"build_ext": OptionalBuildExt, "build_scripts": NativeCommands},
)

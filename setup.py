"""Build the compiled parts: the C accelerators (``appwarden.dex._dexscan`` and any other ``src/appwarden/**/_*.c``).

It is optional and degrades to pure Python when no C compiler is available: without it the pure-Python DEX walker
is used (much slower); ``appwarden.dex.backend()`` says which one is active. The commands are plain console
scripts (``[project.scripts]`` in pyproject.toml).
"""

from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


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


def _extensions() -> list[Extension]:
    """One optional extension per ``src/appwarden/**/_*.c`` file, named by its path (``appwarden.dex._dexscan``);
    the ``_*.h`` files of the package (code shared by extensions, e.g. ``dex/_dexdesc.h``, which
    ``screening/_flow.c`` includes too) rebuild it when changed."""
    root = Path("src")
    headers = [str(h) for h in sorted(root.glob("appwarden/**/_*.h"))]  # shared code an extension may include
    return [
        Extension(
            ".".join(path.relative_to(root).with_suffix("").parts),
            [str(path)],
            depends=headers,
            extra_compile_args=["-O2", "-std=c99"],
        )
        for path in sorted(root.glob("appwarden/**/_*.c"))
    ]


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})

"""Build the compiled part: the C accelerator for the DEX instruction walk (``appwarden.dex._dexscan``).

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


source = Path("src/appwarden/dex/_dexscan.c")
ext_modules = (
    [Extension("appwarden.dex._dexscan", [str(source)], extra_compile_args=["-O2", "-std=c99"])]
    if source.exists()
    else []
)
setup(ext_modules=ext_modules, cmdclass={"build_ext": OptionalBuildExt})

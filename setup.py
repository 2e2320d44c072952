"""Build the optional C accelerator for the DEX instruction walk.

The extension is optional: when no compiler is available the pure-Python walker is used (much slower);
`appwarden.dex.backend()` says which one is active.
"""

from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Build C extensions, but do not fail the install when the compiler is missing."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any compiler failure falls back to pure Python
            print(f"warning: C accelerator not built ({exc}); using the pure-Python DEX walker")

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            print(f"warning: {ext.name} not built ({exc}); using the pure-Python DEX walker")


source = Path("src/appwarden/dex/_dexscan.c")
ext_modules = (
    [Extension("appwarden.dex._dexscan", [str(source)], extra_compile_args=["-O2", "-std=c99"])]
    if source.exists()
    else []
)
setup(ext_modules=ext_modules, cmdclass={"build_ext": OptionalBuildExt})

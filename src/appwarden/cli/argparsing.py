"""The command line's argument parser and help formatter: argparse's, with the help width found without
:mod:`shutil` (see :func:`terminal_columns`). Imported when a parser is built (``appwarden.cli.build_parser``)."""

from __future__ import annotations

import argparse
import os
import sys


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (``$COLUMNS`` when a positive integer, else the width of the terminal
    on standard output, else 80), without importing :mod:`shutil`: argparse's help formatter imports it (and with
    it ``bz2``, ``lzma``, ``fnmatch``: ~3 ms) for every argument a parser adds, on every command's start-up."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, closed, detached or not a terminal
            columns = 80
    return columns


class HelpFormatter(argparse.HelpFormatter):
    """argparse's default help formatter, its width found by :func:`terminal_columns` (the same number)."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ):
        if width is None:
            width = terminal_columns() - 2  # what argparse.HelpFormatter does with shutil's size
        super().__init__(prog, indent_increment, max_help_position, width)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser with :class:`HelpFormatter` as the default formatter; subcommand parsers inherit it
    (``add_subparsers`` makes parsers of the parent's class). A ``formatter_class`` given is used as is."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        if len(args) < 6:  # formatter_class is the sixth positional parameter
            kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

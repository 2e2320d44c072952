"""The command line's help formatter (appwarden.cli.HelpFormatter): argparse's own, its width found without
importing shutil (a per-command start-up cost, issue #19); the same width and the same help text."""

from __future__ import annotations

import argparse
import shutil

import pytest

from appwarden.cli import ArgumentParser, HelpFormatter, build_parser, terminal_columns


@pytest.mark.parametrize("columns", [None, "100", "37", "abc", "0", "-3", " 120 ", ""])
def test_width_is_shutils(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    out = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                out += _parsers(child)
    return out


@pytest.mark.parametrize("columns", ["60", "150"])
def test_help_text_is_argparses(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    parsers = _parsers(build_parser())  # every command
    assert len(parsers) > 20
    for parser in parsers:
        ours = parser.format_help(), parser.format_usage()
        assert isinstance(parser, ArgumentParser)
        if parser.formatter_class is HelpFormatter:
            parser.formatter_class = argparse.HelpFormatter
            assert (parser.format_help(), parser.format_usage()) == ours, parser.prog


def test_an_explicit_formatter_class_is_kept() -> None:
    parser = ArgumentParser(prog="x", formatter_class=argparse.RawDescriptionHelpFormatter)
    assert parser.formatter_class is argparse.RawDescriptionHelpFormatter
    assert ArgumentParser(prog="x").formatter_class is HelpFormatter

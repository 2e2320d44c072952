"""Each command name maps to the module that registers it (so a command imports only its own module)."""

from __future__ import annotations

import argparse

from appwarden.cli import COMMANDS, build_parser, cached_parser, main


def _choices(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_command_table_matches_registered_commands() -> None:
    assert _choices(build_parser()) == set(COMMANDS)
    for name in COMMANDS:
        assert name in _choices(build_parser(name))


def test_unknown_command_is_an_error(capsys) -> None:
    try:
        code = main(["frobnicate"])
    except SystemExit as exc:  # argparse exits 2 on an unknown choice
        code = exc.code
    assert code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_cached_parser_keeps_no_state_between_runs() -> None:
    parser = cached_parser("scan")
    assert cached_parser("scan") is parser and cached_parser("report") is not parser
    assert _choices(cached_parser()) == set(COMMANDS)
    first = parser.parse_args(["scan", "a.apk", "--engine", "androguard", "-q"])
    second = parser.parse_args(["scan", "b.apk"])
    assert first.engine == ["androguard"] and first.quiet
    assert second.engine == [] and not second.quiet and str(second.apk) == "b.apk"

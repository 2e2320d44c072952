"""The one exception family of appwarden.

Every failure the engine can predict (bad input, limits, knowledge-base errors) raises a subclass of
:class:`AppwardenError` whose message is one clear line meant for the user. The CLI prints it on stderr and exits
with code 2; batch runners record it as the app's failure reason. Any other exception escaping a parser is a bug.
"""

from __future__ import annotations

import os


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as text that can be written as UTF-8 (into a report, a CSV, HTML): a file name that is not UTF-8
    (``os.fsdecode`` keeps its odd bytes as lone surrogates, which no UTF-8 writer accepts) gets ``\\xff``
    escapes; any other path is ``str(path)`` unchanged."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


class AppwardenError(Exception):
    """Base of all predictable appwarden errors; ``str(err)`` is a one-line message for the user."""

    code = "error"

    def __str__(self) -> str:
        text = super().__str__()
        return " ".join(text.split())  # always one line


class InputError(AppwardenError):
    """The input file cannot be read at all (missing, a directory, unreadable)."""

    code = "input"


class ApkFormatError(AppwardenError):
    """The file is not an APK Android would install: not a zip, truncated, no manifest, ..."""

    code = "apk_format"


class AxmlFormatError(ApkFormatError):
    """Binary XML (AndroidManifest.xml or another compiled XML) is malformed."""

    code = "axml_format"


class ArscFormatError(ApkFormatError):
    """resources.arsc is malformed."""

    code = "arsc_format"


class SigningError(ApkFormatError):
    """The signature data (v1 PKCS#7 or the APK Signing Block) is malformed."""

    code = "signing_format"


class DexFormatError(AppwardenError):
    """A DEX file is malformed (bad magic, out-of-range offsets, looping structures)."""

    code = "dex_format"


class LimitExceeded(AppwardenError):
    """A configured safety limit (size, entry count, ratio, time) was exceeded: a zip bomb or a hostile input."""

    code = "limit"


class StageTimeout(LimitExceeded):
    """A scan stage ran past its deadline (``Limits.stage_timeout``); what it had not done is reported as skipped."""

    code = "timeout"


class KnowledgeError(AppwardenError):
    """A knowledge-base file (SDKs, PI APIs, rules, regulations) is malformed; the message names file and line."""

    code = "knowledge"


class RuleError(KnowledgeError):
    """A rule is invalid (unknown predicate, clause or evidence kind)."""

    code = "rule"


class PolicyError(AppwardenError):
    """A privacy-policy input cannot be analysed (binary, empty, too large, undecodable)."""

    code = "policy"


class TraceFormatError(AppwardenError):
    """A runtime trace is malformed beyond recovery (bad header, wrong schema version)."""

    code = "trace_format"

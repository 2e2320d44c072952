"""The policy stage's deadline, checked cooperatively inside the readers' and detectors' loops.

Contract: :meth:`Deadline.start` ``(seconds)`` starts a wall-clock budget (``seconds <= 0``: none);
:meth:`Deadline.check` raises :class:`PolicyTimeout` (a :class:`~appwarden.errors.PolicyError` and a
:class:`~appwarden.errors.StageTimeout`, one line) once it has passed. Every loop of the policy stage whose length
depends on the input (HTML tokens, Markdown blocks, PDF characters, lines, sentences, pattern matches) calls
:meth:`Deadline.tick` or :meth:`Deadline.check`, so the stage stops at ``Limits.stage_timeout`` (or the pipeline's
active stage deadline, if earlier) in any thread, also inside markdown-it's and pdfminer's loops. No single step
between two checks is super-linear.
"""

from __future__ import annotations

import time

from appwarden.errors import LimitExceeded, PolicyError, StageTimeout
from appwarden.limits import current_deadline


class PolicyTooLarge(PolicyError, LimitExceeded):
    """The policy input is over a size limit: ``Limits.max_policy_size``, HTML nodes, PDF inflated bytes or
    characters."""

    code = "policy"


class PolicyTimeout(PolicyError, StageTimeout):
    """The policy stage ran past its time limit (``Limits.stage_timeout``); a StageTimeout, so the pipeline records
    it in ``errors`` like its own stage deadline."""

    code = "policy"


class Deadline:
    """A monotonic-clock deadline; ``Deadline.none()`` never expires."""

    __slots__ = ("_count", "at", "seconds")

    def __init__(self, at: float | None, seconds: float = 0.0) -> None:
        self.at = at
        self.seconds = seconds
        self._count = 0

    @classmethod
    def start(cls, seconds: float | None) -> Deadline:
        """A deadline ``seconds`` from now (none when ``seconds`` is None or <= 0), never later than the pipeline's
        active stage deadline (:func:`appwarden.limits.current_deadline`, set by ``scan.stage_deadline``)."""
        at = time.monotonic() + seconds if seconds and seconds > 0 else None
        outer = current_deadline()
        if outer is not None and (at is None or outer.expires_at < at):
            return cls(outer.expires_at, outer.seconds)
        return cls(at, seconds or 0.0)

    @classmethod
    def none(cls) -> Deadline:
        return cls(None)

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() > self.at

    def check(self) -> None:
        """Raise PolicyTimeout when the deadline has passed."""
        if self.at is not None and time.monotonic() > self.at:
            raise PolicyTimeout(f"stage 'policy' exceeded its time limit of {self.seconds:g} s")

    def tick(self, every: int = 1024) -> None:
        """Cheap check for tight loops: looks at the clock once per ``every`` calls."""
        self._count += 1
        if self._count >= every:
            self._count = 0
            self.check()


NO_DEADLINE = Deadline(None)

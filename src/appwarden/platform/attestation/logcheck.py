"""The full check of the database transparency log: every leaf body and every stored tree node re-hashed against
every signed checkpoint.

Contract: :func:`verify_log` streams the entries in index order (``batch`` rows at a time, keyset pages) with the
tree nodes they complete and the checkpoints in size order, keeping O(batch + log n) in memory, and returns the
first problem as one line (None when the log verifies). It checks that the entries are 0..n-1 without a gap, each
body hashes to its stored ``leaf_hash``, each envelope is signed by the platform key and matches its leaf, each
stored node equals the hash of its two children re-computed from the bodies (no node missing, none past the tree),
and each checkpoint's envelope verifies, says its row's size and root, and that root is the tree of the bodies at
that size; the last checkpoint covers every entry. Appends check only the O(log n) frontier
(``services.DbLog.append``), so a body rewritten in the database under its old stored hash is found here: run it
periodically (Celery beat and the embedded worker do daily; ``python -m appwarden.platform verify_attestation_log``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from appwarden.attest import merkle
from appwarden.attest.dsse import parse_envelope
from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import VerifyKey
from appwarden.attest.log import checkpoint_signed_by, envelope_digests, parse_checkpoint, parse_leaf
from appwarden.platform.attestation.models import Checkpoint, LogEntry, TreeNode
from appwarden.platform.attestation.tree import Builder, Node

log = logging.getLogger(__name__)
BATCH = 2000


@dataclass
class LogCheck:
    entries: int
    checkpoints: int
    problem: str | None


def _nodes_completed_in(start: int, end: int) -> dict[Node, str]:
    """The stored nodes of level >= 1 completed by leaves ``start`` .. ``end - 1``."""
    cond = Q()
    level = 1
    while (1 << level) <= end:
        lo, hi = ((start + (1 << level)) >> level) - 1, (end >> level) - 1
        if lo <= hi:
            cond |= Q(level=level, index__gte=lo, index__lte=hi)
        level += 1
    if not cond:
        return {}
    return {(lvl, i): h for lvl, i, h in TreeNode.objects.filter(cond).values_list("level", "index", "hash")}


def verify_log(batch: int = BATCH) -> LogCheck:
    """Re-verify the whole log (see the module docstring); logs an error on a problem."""
    result = check_log(batch)
    if result.problem:
        log.error("transparency log check failed: %s", result.problem)
    return result


def check_log(batch: int = BATCH) -> LogCheck:
    """:func:`verify_log` without logging (the command prints the problem itself)."""
    from appwarden.platform.attestation.services import platform_key

    key = platform_key().verify_key()
    origin = f"appwarden-log/{key.keyid}"
    builder = Builder()
    cps = (
        Checkpoint.objects.order_by("size").values_list("size", "root", "envelope").iterator(chunk_size=batch)
    )
    pending = next(cps, None)
    seen_cps = 0

    def fail(problem: str) -> LogCheck:
        return LogCheck(builder.size, seen_cps, problem)

    while True:
        start = builder.size
        rows = list(
            LogEntry.objects.filter(index__gte=start)
            .order_by("index")
            .values_list("index", "body", "leaf_hash", "envelope")[:batch]
        )
        if not rows:
            break
        stored = _nodes_completed_in(start, rows[-1][0] + 1)
        for index, body, stored_leaf, envelope in rows:
            if index != builder.size:
                return fail(f"entry {builder.size} is missing (the next entry is {index})")
            body = bytes(body)
            leaf = merkle.leaf_hash(body)
            if leaf.hex() != stored_leaf:
                return fail(f"entry {index}: the leaf body does not hash to its stored leaf hash (rewritten)")
            try:
                data = parse_leaf(body)
                if any(data.get(k) != v for k, v in envelope_digests(envelope).items()):
                    return fail(f"entry {index}: the leaf does not match its envelope")
                env = parse_envelope(envelope)
            except AttestInputError as exc:
                return fail(f"entry {index}: {exc}")
            if not any(k == key.keyid and key.verify(s, env.message) for k, s in env.signatures):
                return fail(f"entry {index}: the envelope is not signed by the platform key")
            for node, h in builder.push(leaf).items():
                if node not in stored:
                    return fail(f"tree node {node} (completed by entry {index}) is missing")
                if stored[node] != h.hex():
                    return fail(f"tree node {node} differs from the hash of the leaves under it (rewritten)")
            while pending is not None and pending[0] <= builder.size:
                size, root, cp_env = pending
                problem = _checkpoint_problem(size, root, cp_env, builder, key, origin)
                if problem:
                    return fail(problem)
                seen_cps += 1
                pending = next(cps, None)
    n = builder.size
    if pending is not None:
        return fail(f"checkpoint of size {pending[0]} exceeds the {n} entries")
    last = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() or 0
    if last != n:
        return fail(f"{n - last} entries are not covered by a signed checkpoint")
    extra = Q()
    for level in range(1, max(n, 1).bit_length() + 1):
        extra |= Q(level=level, index__gte=n >> level)
    extra |= Q(level__gt=max(n, 1).bit_length())
    beyond = TreeNode.objects.filter(extra).values_list("level", "index").first()
    if beyond:
        return fail(f"tree node {tuple(beyond)} lies past the {n} entries")
    return LogCheck(n, seen_cps, None)


def _checkpoint_problem(
    size: int, root: str, envelope: Any, builder: Builder, key: VerifyKey, origin: str
) -> str | None:
    """Why the checkpoint row ``(size, root, envelope)`` does not hold for the tree built so far (None if it does)."""
    if size != builder.size:
        return f"checkpoint of size {size}: no such tree size was reached in order"
    try:
        cp = parse_checkpoint(envelope)
    except AttestInputError as exc:
        return f"checkpoint of size {size}: {exc}"
    if cp.origin != origin or checkpoint_signed_by(cp, [key]) is None:
        return f"checkpoint of size {size}: the signature does not verify with the platform key"
    if (cp.size, cp.root.hex()) != (size, root):
        return f"checkpoint of size {size}: the row differs from its signed text"
    if builder.root().hex() != root:
        return f"checkpoint of size {size}: the root does not match the leaves (the log was rewritten)"
    return None

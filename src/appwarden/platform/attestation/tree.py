"""RFC 6962 / RFC 9162 tree arithmetic over stored complete subtrees (the tlog-tiles / Trillian layout).

Contract:

* a *node* ``(level, index)`` is the Merkle Tree Hash of the complete, aligned subtree of leaves
  ``index * 2**level .. (index + 1) * 2**level - 1``; level 0 is a leaf hash. Each node is written once, by the
  append of the leaf that completes it, and never changes;
* every subtree the RFC's proofs and roots use is either such a node or a right-edge subtree ``[start, size)`` that
  splits into them (:func:`subtree_nodes`), so a root, an inclusion proof or a consistency proof needs
  O(log size) nodes, fetched by one call of ``fetch`` (``{(level, index): hash}`` for the asked nodes);
* the results are byte-for-byte those of :mod:`appwarden.attest.merkle` computed from all the leaf hashes
  (``tests/platform/test_attestation_tree.py`` checks every (index, size) and (old, new) pair up to 70).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from appwarden.attest import merkle

Node = tuple[int, int]
Fetch = Callable[[Iterable[Node]], dict[Node, bytes]]


def subtree_nodes(start: int, end: int) -> list[Node]:
    """The complete aligned nodes, left to right, whose fold (right-associated) is MTH(leaves[start:end]).

    ``start`` must be a multiple of the largest power of two not above ``end - start`` (true of every subtree
    the RFC's definitions visit); ValueError otherwise."""
    nodes: list[Node] = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1  # the largest 2**level <= size
        if start % (1 << level):
            raise ValueError(f"subtree [{start}, {end}) is not aligned")
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: list[bytes]) -> bytes:
    """MTH of a right-edge subtree from its :func:`subtree_nodes` hashes: ``H(a, H(b, H(c, ...)))``."""
    if not hashes:
        return merkle.EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = merkle.node_hash(h, acc)
    return acc


def frontier(size: int) -> list[Node]:
    """The nodes whose fold is the root of the tree of ``size`` leaves (one per set bit of ``size``)."""
    return subtree_nodes(0, size)


# the proofs' subtree ranges are the engine's (one definition of RFC 9162's split for both)
inclusion_ranges = merkle.inclusion_ranges
consistency_ranges = merkle.consistency_ranges


def hash_ranges(ranges: list[tuple[int, int]], fetch: Fetch) -> list[bytes]:
    """MTH of each range, with one ``fetch`` of all the nodes they need; KeyError when a node is missing."""
    per_range = [subtree_nodes(s, e) for s, e in ranges]
    wanted = {n for nodes in per_range for n in nodes}
    got = fetch(wanted) if wanted else {}
    missing = wanted - got.keys()
    if missing:
        raise KeyError(f"stored tree nodes missing: {sorted(missing)[:3]}")
    return [fold([got[n] for n in nodes]) for nodes in per_range]


def root(size: int, fetch: Fetch) -> bytes:
    """The root of the tree of ``size`` leaves."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return hash_ranges([(0, size)], fetch)[0]


def completed_by(index: int) -> list[Node]:
    """The nodes of level >= 1 that leaf ``index`` completes, lowest first (one per trailing 1-bit of ``index``)."""
    nodes: list[Node] = []
    level, n = 1, index + 1
    while n % (1 << level) == 0:
        nodes.append((level, (n >> level) - 1))
        level += 1
    return nodes


def new_nodes(index: int, leaf: bytes, left_siblings: dict[Node, bytes]) -> dict[Node, bytes]:
    """The hashes of the nodes leaf ``index`` (hash ``leaf``) completes, given the left siblings it pairs with
    (the frontier of the tree of ``index`` leaves: node ``(level - 1, 2 * i)`` for each completed ``(level, i)``)."""
    out: dict[Node, bytes] = {}
    right = leaf
    for level, i in completed_by(index):
        right = merkle.node_hash(left_siblings[(level - 1, 2 * i)], right)
        out[(level, i)] = right
    return out


class Builder:
    """The tree built leaf by leaf in O(log n) memory (the frontier): for backfilling and re-verifying a log by
    streaming its leaves in index order."""

    def __init__(self) -> None:
        self.size = 0
        self._frontier: list[tuple[int, bytes]] = []  # (level, hash), highest level first

    def push(self, leaf: bytes) -> dict[Node, bytes]:
        """Add the next leaf hash; returns the nodes of level >= 1 it completes (as :func:`new_nodes`)."""
        index = self.size
        lefts = {(lvl, (index >> lvl) - 1): h for lvl, h in self._frontier}
        made = new_nodes(index, leaf, lefts)
        top = max(made, default=(0, index))
        self._frontier = [(lvl, h) for lvl, h in self._frontier if lvl > top[0]]
        self._frontier.append((top[0], made.get(top, leaf)))
        self.size += 1
        return made

    def root(self) -> bytes:
        """The root of the tree of the leaves pushed so far."""
        return fold([h for _lvl, h in self._frontier])

"""Merkle proofs against an independent transcription of RFC 9162 section 2.1's recursive definitions (MTH, PATH,
PROOF/SUBPROOF) on random trees, and against the RFC 6962 reference test vectors."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.attest import merkle


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_mth(d: list[bytes]) -> bytes:
    """RFC 9162 2.1.1: MTH({}) = SHA-256(); MTH({d0}) = SHA-256(0x00 || d0); else split at k."""
    n = len(d)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    """RFC 9162 2.1.3.1 PATH(m, D[n])."""
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b)."""
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True) if 0 < m < len(d) else []


leaves = st.lists(st.binary(max_size=8), min_size=1, max_size=70, unique=True)


@settings(max_examples=150, deadline=None)
@given(data=leaves, pick=st.integers(min_value=0))
def test_root_and_inclusion_match_the_rfc(data: list[bytes], pick: int) -> None:
    hashes = [merkle.leaf_hash(x) for x in data]
    root = merkle.root_hash(hashes)
    assert root == ref_mth(data)
    index = pick % len(data)
    proof = merkle.inclusion_proof(hashes, index)
    assert proof == ref_path(index, data)
    assert merkle.verify_inclusion(index, len(data), hashes[index], proof, root)
    # any other leaf, index, size or a flipped bit fails
    assert not merkle.verify_inclusion(index, len(data), merkle.leaf_hash(data[index] + b"x"), proof, root)
    if len(data) > 1:
        assert not merkle.verify_inclusion((index + 1) % len(data), len(data), hashes[index], proof, root)
        bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not merkle.verify_inclusion(index, len(data), hashes[index], bad, root)
        assert not merkle.verify_inclusion(index, len(data), hashes[index], proof[:-1], root)


@settings(max_examples=150, deadline=None)
@given(data=leaves, pick=st.integers(min_value=0))
def test_consistency_matches_the_rfc(data: list[bytes], pick: int) -> None:
    hashes = [merkle.leaf_hash(x) for x in data]
    n = len(data)
    m = pick % (n + 1)
    proof = merkle.consistency_proof(hashes, m)
    assert proof == ref_proof(m, data)
    old_root, new_root = ref_mth(data[:m]), ref_mth(data)
    assert merkle.verify_consistency(m, n, old_root, new_root, proof)
    if 0 < m < n:
        assert not merkle.verify_consistency(m, n, _h(b"other"), new_root, proof)
        assert not merkle.verify_consistency(m, n, old_root, _h(b"other"), proof)
        bad = [bytes([proof[-1][0] ^ 1]) + proof[-1][1:], *proof[:-1]][::-1]
        assert not merkle.verify_consistency(m, n, old_root, new_root, [*proof[:-1], bad[0]])
        # a history rewritten inside the old tree is detected
        changed = [*data[: m - 1], data[m - 1] + b"!", *data[m:]]
        changed_root = ref_mth(changed)
        assert not merkle.verify_consistency(
            m, n, old_root, changed_root, merkle.consistency_proof([merkle.leaf_hash(x) for x in changed], m)
        )


@settings(max_examples=60, deadline=None)
@given(a=leaves, b=leaves, pick=st.integers(min_value=0))
def test_a_proof_from_another_tree_fails(a: list[bytes], b: list[bytes], pick: int) -> None:
    ha, hb = [merkle.leaf_hash(x) for x in a], [merkle.leaf_hash(x) for x in b]
    if merkle.root_hash(ha) == merkle.root_hash(hb):
        return
    i = pick % len(b)
    other_proof = merkle.inclusion_proof(hb, i)
    assert merkle.verify_inclusion(i, len(b), hb[i], other_proof, merkle.root_hash(hb))
    if hb[i] not in ha:  # b's leaf is not in a: no proof may show it there
        for size in {len(a), len(b)}:
            assert not merkle.verify_inclusion(i, size, hb[i], other_proof, merkle.root_hash(ha))


# RFC 6962 reference vectors (certificate-transparency-go merkle tests): the 8 leaves and the roots of each prefix.
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_rfc6962_reference_roots() -> None:
    hashes = [merkle.leaf_hash(x) for x in RFC6962_LEAVES]
    for size, want in enumerate(RFC6962_ROOTS, 1):
        assert merkle.root_hash(hashes[:size]).hex() == want
    assert merkle.root_hash([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_malformed_proofs_are_rejected_not_raised() -> None:
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(5)]
    root = merkle.root_hash(hashes)
    assert not merkle.verify_inclusion(7, 5, hashes[0], [], root)
    assert not merkle.verify_inclusion(0, 5, hashes[0], [b"short"], root)
    assert not merkle.verify_consistency(3, 2, root, root, [])
    assert not merkle.verify_consistency(2, 5, root, root, [])
    assert merkle.verify_consistency(5, 5, root, root, [])

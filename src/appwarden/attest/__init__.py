"""Signed, verifiable compliance attestations (APP认证签名, testing side) with a transparency log.

A testing lab signs "this exact APK, with these signer certificates, was tested against these rules, with this
result" as an in-toto Statement v1 in a DSSE envelope (:mod:`~appwarden.attest.statement`,
:mod:`~appwarden.attest.dsse`, :mod:`~appwarden.attest.keys`), logs it in an RFC 9162 Merkle log with signed
checkpoints (:mod:`~appwarden.attest.merkle`, :mod:`~appwarden.attest.log`) and hands out a bundle
(:mod:`~appwarden.attest.bundle`) that anyone verifies offline (:mod:`~appwarden.attest.verify`). Format and threat
model: ``docs/attestation.md``. This is not an implementation of T/TAF 084 (whose format is not public).
"""

"""认证签名 on the platform: the transparency log in the database, attestations issued when an order closes after a
passed re-test, revoked when a later test of the same APK fails, served publicly at ``/api/attestations/<sha>/``,
and a store's view of its listings' 认证 status. Format and threat model: ``docs/attestation.md``."""

"""Shared platform pieces: roles and profiles, the append-only audit log, storage, working days, charts."""

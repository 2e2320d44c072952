"""Tests of appwarden.apk (a package so that test module names do not clash with other areas)."""

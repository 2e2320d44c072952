#!/usr/bin/env bash
# Rebuild the rule-fixture APKs (tests/rules/_apps/<name>.apk) from their smali sources in tests/rules/_apps/src/,
# with the shared fixture builder and key (Debian's apktool, zipalign, apksigner and a JDK are needed).
# Usage: tests/rules/build_all.sh [NAME...]   (no name: every app; names: only those, e.g. nsc_strict)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../fixtures/apks/build_apps.sh" "$here/_apps" "$@"

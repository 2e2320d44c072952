#!/usr/bin/env bash
# Rebuild the screening fixture APKs (tests/screening/_apps/<name>.apk) from their smali sources in
# tests/screening/_apps/src/, with the shared fixture builder and key (apktool, zipalign, apksigner, a JDK).
# Usage: tests/screening/build_all.sh [NAME...]   (no name: every app)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../fixtures/apks/build_apps.sh" "$here/_apps" "$@"

#!/usr/bin/env bash
# Rebuild the screening fixture APKs (tests/screening/_apps/<name>.apk) from their smali sources in
# tests/screening/_apps/src/, with the shared fixture builder and key (apktool, zipalign, apksigner, a JDK).
# Usage: tests/screening/build_all.sh [NAME...]   (no name: every app)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../fixtures/apks"
export FIXTURE_KEYSTORE="$fixtures/fixture-key.jks"
if [ $# -gt 0 ]; then
  srcs=(); for name in "$@"; do srcs+=("$here/_apps/src/$name/"); done
else
  srcs=("$here"/_apps/src/*/)
fi
for src in "${srcs[@]}"; do
  [ -d "$src" ] || { echo "no fixture app source: $src" >&2; exit 2; }
  name=$(basename "$src")
  "$fixtures/build_fixture_apk.sh" "$src" "$here/_apps/$name.apk"
  rm -rf "$src/build"
done

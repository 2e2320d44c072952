#!/usr/bin/env bash
# Rebuild the rule-fixture APKs (tests/rules/_apps/<name>.apk) from their smali sources in tests/rules/_apps/src/,
# with the shared fixture builder and key (Debian's apktool, zipalign, apksigner and a JDK are needed).
# Usage: tests/rules/build_all.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../fixtures/apks"
export FIXTURE_KEYSTORE="$fixtures/fixture-key.jks"
for src in "$here"/_apps/src/*/; do
  name=$(basename "$src")
  "$fixtures/build_fixture_apk.sh" "$src" "$here/_apps/$name.apk"
  rm -rf "$src/build"
done

#!/usr/bin/env bash
# Rebuild tests/sdk/_apps/<name>.apk from tests/sdk/_apps/src/<name>/ (apktool form: AndroidManifest.xml in text,
# apktool.yml, smali/) with the shared fixture builder; the key stays in tests/sdk/_apps/fixture-key.jks.
# Needs Debian's apktool, zipalign, apksigner and a JDK (`make deb-tools`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
builder="$here/../fixtures/apks/build_fixture_apk.sh"
[ -x "$builder" ] || builder=/work/shared/tools/build_fixture_apk.sh
export FIXTURE_KEYSTORE="$here/_apps/fixture-key.jks"
for src in "$here"/_apps/src/*/; do
  name=$(basename "$src")
  "$builder" "$src" "$here/_apps/$name.apk"
  rm -rf "$src/build"
done

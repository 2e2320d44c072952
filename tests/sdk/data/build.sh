#!/usr/bin/env bash
# Rebuild tests/sdk/data/sdkapp.apk from the smali in sdkapp/ (needs Debian's apktool, zipalign, apksigner).
# Signed with the shared fixture key of tests/fixtures/apks. Only the zip timestamps/signature change on rebuild.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
FIXTURE_KEYSTORE="$here/../../fixtures/apks/fixture-key.jks" \
  bash "$here/../../fixtures/apks/build_fixture_apk.sh" "$here/sdkapp" "$here/sdkapp.apk"
rm -rf "$here/sdkapp/build"

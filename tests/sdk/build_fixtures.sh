#!/usr/bin/env bash
# Rebuild tests/sdk/_apps/<name>.apk from tests/sdk/_apps/src/<name>/ (apktool form: AndroidManifest.xml in text,
# apktool.yml, smali/) with the shared fixture builder; the key stays in tests/sdk/_apps/fixture-key.jks.
# Needs Debian's apktool, zipalign, apksigner and a JDK (`make deb-tools`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
FIXTURE_KEYSTORE="$here/_apps/fixture-key.jks" exec "$here/../fixtures/apks/build_apps.sh" "$here/_apps" "$@"

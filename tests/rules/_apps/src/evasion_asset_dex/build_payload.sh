#!/usr/bin/env bash
# assets/plugin.dex from payload/ (Debian's smali); run before tests/rules/build_all.sh evasion_asset_dex
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
smali a -o "$here/assets/plugin.dex" "$here/payload"

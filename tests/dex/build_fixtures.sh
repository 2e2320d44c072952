#!/bin/sh
# Rebuild tests/dex/data/main.dex and hier.dex from the smali sources (Debian's smali jar, shipped with apktool).
# API 28 gives a DEX 039 file, which allows invoke-polymorphic and invoke-custom.
set -eu
cd "$(dirname "$0")"
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/main.dex smali/main/*.smali
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/hier.dex smali/hier/*.smali

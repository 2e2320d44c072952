#!/bin/sh
# Rebuild tests/dex/data/*.dex from the smali sources (Debian's smali jar, shipped with apktool).
# API 28 gives a DEX 039 file, which allows invoke-polymorphic and invoke-custom.
set -eu
cd "$(dirname "$0")"
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/main.dex smali/main/*.smali
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/hier.dex smali/hier/*.smali
# the same classes split over two DEX files (class hierarchies that span DEXes)
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/hier_a.dex \
  smali/hier/Sink.smali smali/hier/SinkA.smali smali/hier/Animal.smali smali/hier/Leaf.smali smali/hier/Main.smali
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/hier_b.dex \
  smali/hier/SinkB.smali smali/hier/Dog.smali smali/hier/Puppy.smali smali/hier/Cat.smali
# register reaching values along branches (dex/regs.reaching_values)
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/regs.dex smali/regs/*.smali
# constant-string reflection (the call graph's reflective edges)
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/reflect.dex smali/reflect/*.smali
# the same caller without the class Target (a class the app does not define)
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/reflect_main.dex smali/reflect/Main.smali smali/reflect/Other.smali
# classes of more than 32 methods, overridden in part down a hierarchy (hierarchy_all's lookup in a big class)
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/big.dex smali/big/*.smali
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/big_a.dex smali/big/Base.smali smali/big/Mid.smali smali/big/Main.smali
java -jar /usr/share/java/smali.jar assemble --api 28 -o data/big_b.dex smali/big/Leaf1.smali smali/big/Leaf2.smali

.class public Lkotlin/jvm/internal/Reflection;
.super Ljava/lang/Object;
.source "Reflection.java"

# The Kotlin runtime loading a class by name: reflection, not evasion.
.method public static load(Ljava/lang/String;)Ljava/lang/Object;
    .locals 1
    invoke-static {p0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    return-object v0
.end method

.class public Lcom/appwarden/sdkc/Prefs;
.super Ljava/lang/Object;
.source "Prefs.java"

.field public static AGREED:Z

.method public static agreed(Landroid/content/Context;)Z
    .locals 1
    sget-boolean v0, Lcom/appwarden/sdkc/Prefs;->AGREED:Z
    return v0
.end method

.class public Lcom/appwarden/rules/notarget/Main;
.super Landroid/app/Activity;
.source "Main.java"

# No targetSdkVersion in the manifest: Android then takes minSdkVersion (21) as the target, so cleartext traffic
# is permitted by default (sec.cleartext).
.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

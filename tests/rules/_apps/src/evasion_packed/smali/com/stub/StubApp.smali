.class public Lcom/stub/StubApp;
.super Landroid/app/Application;

# A 360 Jiagu-style loader stub (tests/cli/test_scan_cli.py): the app's real code, collection included, would be
# decrypted from the packer's native library at run time; the DEX holds only this stub, so static analysis of the
# app's behaviour cannot complete.
.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method protected attachBaseContext(Landroid/content/Context;)V
    .locals 1
    invoke-super {p0, p1}, Landroid/app/Application;->attachBaseContext(Landroid/content/Context;)V
    const-string v0, "jiagu"
    invoke-static {v0}, Ljava/lang/System;->loadLibrary(Ljava/lang/String;)V
    return-void
.end method

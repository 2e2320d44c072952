.class public Lcom/appwarden/rules/clean/FilesProvider;
.super Landroid/content/ContentProvider;
.source "FilesProvider.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

.method public onCreate()Z
    .locals 1
    const/4 v0, 0x1
    return v0
.end method

.class public Lcom/appwarden/rules/clean/App;
.super Landroid/app/Application;
.source "App.java"

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

# No PI at start-up: only a plain super call.
.method public onCreate()V
    .locals 0
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    return-void
.end method

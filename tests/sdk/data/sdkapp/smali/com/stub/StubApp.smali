.class public Lcom/stub/StubApp;
.super Landroid/app/Application;

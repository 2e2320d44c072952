.class public Lcom/umeng/example/Main;
.super Landroid/app/Activity;

# Host code of a demo app whose package lies inside the UMeng namespace: must stay "host".
.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

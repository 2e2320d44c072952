.class public Lcom/example/dispatch/Constant;
.super Ljava/lang/Object;
.implements Lcom/example/dispatch/Source;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public get(Landroid/content/Context;)Ljava/lang/String;
    .locals 1
    const-string v0, "constant"
    return-object v0
.end method

.class public Lcom/aw/t/Job;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .registers 2
    const/4 v0, 0x0
    invoke-static {v0}, Lcom/aw/t/Pi;->androidId(Landroid/content/ContentResolver;)Ljava/lang/String;
    return-void
.end method

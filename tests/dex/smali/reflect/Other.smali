.class public Lcom/aw/r/Other;
.super Ljava/lang/Object;

.method public go()V
    .registers 1
    return-void
.end method

.method public alone()V
    .registers 1
    return-void
.end method

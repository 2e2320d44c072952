.class public Lcom/aw/r/Target;
.super Ljava/lang/Object;

.method static constructor <clinit>()V
    .registers 0
    return-void
.end method

.method public static hit()V
    .registers 0
    return-void
.end method

.method public static hit(I)V
    .registers 1
    return-void
.end method

.method public static miss()V
    .registers 0
    return-void
.end method

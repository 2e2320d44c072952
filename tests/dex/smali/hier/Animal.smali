.class public Lcom/aw/h/Animal;
.super Ljava/lang/Object;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public speak()V
    .registers 1
    invoke-static {}, Lcom/aw/h/Leaf;->animal()V
    return-void
.end method

.method public walk()V
    .registers 1
    invoke-static {}, Lcom/aw/h/Leaf;->walk()V
    return-void
.end method

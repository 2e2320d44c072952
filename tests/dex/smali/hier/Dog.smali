.class public Lcom/aw/h/Dog;
.super Lcom/aw/h/Animal;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/h/Animal;-><init>()V
    return-void
.end method

.method public speak()V
    .registers 1
    invoke-static {}, Lcom/aw/h/Leaf;->dog()V
    return-void
.end method

.method public bark()V
    .registers 1
    invoke-super {p0}, Lcom/aw/h/Dog;->speak()V
    return-void
.end method

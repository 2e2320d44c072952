.class public Lcom/aw/h/Leaf;
.super Ljava/lang/Object;

.method public static sinkA()V
    .registers 1
    const-string v0, "sinkA"
    return-void
.end method

.method public static sinkB()V
    .registers 1
    const-string v0, "sinkB"
    return-void
.end method

.method public static animal()V
    .registers 1
    const-string v0, "animal"
    return-void
.end method

.method public static walk()V
    .registers 1
    const-string v0, "walk"
    return-void
.end method

.method public static dog()V
    .registers 1
    const-string v0, "dog"
    return-void
.end method

.method public static puppy()V
    .registers 1
    const-string v0, "puppy"
    return-void
.end method

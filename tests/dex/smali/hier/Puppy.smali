.class public Lcom/aw/h/Puppy;
.super Lcom/aw/h/Dog;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/h/Dog;-><init>()V
    return-void
.end method

.method public speak()V
    .registers 1
    invoke-static {}, Lcom/aw/h/Leaf;->puppy()V
    return-void
.end method

.method public yelp()V
    .registers 1
    invoke-super {p0}, Lcom/aw/h/Puppy;->walk()V
    return-void
.end method

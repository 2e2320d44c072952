.class public Lcom/aw/big/Leaf1;
.super Lcom/aw/big/Mid;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/big/Mid;-><init>()V
    return-void
.end method

.method public m1()V
    .registers 3
    return-void
.end method
.method public m5()V
    .registers 3
    return-void
.end method
.method public m9()V
    .registers 3
    return-void
.end method
.method public m13()V
    .registers 3
    return-void
.end method
.method public m17()V
    .registers 3
    return-void
.end method
.method public m21()V
    .registers 3
    return-void
.end method
.method public m25()V
    .registers 3
    return-void
.end method
.method public m29()V
    .registers 3
    return-void
.end method
.method public m33()V
    .registers 3
    return-void
.end method
.method public m37()V
    .registers 3
    return-void
.end method
.method public m41()V
    .registers 3
    return-void
.end method
.method public m45()V
    .registers 3
    return-void
.end method
.method public m49()V
    .registers 3
    return-void
.end method
.method public m53()V
    .registers 3
    return-void
.end method
.method public m57()V
    .registers 3
    return-void
.end method
.method public n1()V
    .registers 3
    return-void
.end method
.method public n5()V
    .registers 3
    return-void
.end method
.method public n9()V
    .registers 3
    return-void
.end method
.method public n13()V
    .registers 3
    return-void
.end method
.method public n17()V
    .registers 3
    return-void
.end method
.method public n21()V
    .registers 3
    return-void
.end method
.method public n25()V
    .registers 3
    return-void
.end method
.method public n29()V
    .registers 3
    return-void
.end method
.method public n33()V
    .registers 3
    return-void
.end method
.method public n37()V
    .registers 3
    return-void
.end method
.method public m1(I)V
    .registers 3
    return-void
.end method
.method public m6(I)V
    .registers 3
    return-void
.end method
.method public m11(I)V
    .registers 3
    return-void
.end method
.method public m16(I)V
    .registers 3
    return-void
.end method
.method public m21(I)V
    .registers 3
    return-void
.end method
.method public m26(I)V
    .registers 3
    return-void
.end method

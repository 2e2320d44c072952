.class public Lcom/aw/big/Leaf2;
.super Lcom/aw/big/Mid;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/big/Mid;-><init>()V
    return-void
.end method

.method public m2()V
    .registers 3
    return-void
.end method
.method public m7()V
    .registers 3
    return-void
.end method
.method public m12()V
    .registers 3
    return-void
.end method
.method public m17()V
    .registers 3
    return-void
.end method
.method public m22()V
    .registers 3
    return-void
.end method
.method public m27()V
    .registers 3
    return-void
.end method
.method public m32()V
    .registers 3
    return-void
.end method
.method public m37()V
    .registers 3
    return-void
.end method
.method public m42()V
    .registers 3
    return-void
.end method
.method public m47()V
    .registers 3
    return-void
.end method
.method public m52()V
    .registers 3
    return-void
.end method
.method public m57()V
    .registers 3
    return-void
.end method
.method public n2()V
    .registers 3
    return-void
.end method
.method public n7()V
    .registers 3
    return-void
.end method
.method public n12()V
    .registers 3
    return-void
.end method
.method public n17()V
    .registers 3
    return-void
.end method
.method public n22()V
    .registers 3
    return-void
.end method
.method public n27()V
    .registers 3
    return-void
.end method
.method public n32()V
    .registers 3
    return-void
.end method
.method public n37()V
    .registers 3
    return-void
.end method
.method public m2(I)V
    .registers 3
    return-void
.end method
.method public m8(I)V
    .registers 3
    return-void
.end method
.method public m14(I)V
    .registers 3
    return-void
.end method
.method public m20(I)V
    .registers 3
    return-void
.end method
.method public m26(I)V
    .registers 3
    return-void
.end method

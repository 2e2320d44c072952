.class public Lcom/aw/big/Mid;
.super Lcom/aw/big/Base;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/big/Base;-><init>()V
    return-void
.end method

.method public m0()V
    .registers 3
    return-void
.end method
.method public m3()V
    .registers 3
    return-void
.end method
.method public m6()V
    .registers 3
    return-void
.end method
.method public m9()V
    .registers 3
    return-void
.end method
.method public m12()V
    .registers 3
    return-void
.end method
.method public m15()V
    .registers 3
    return-void
.end method
.method public m18()V
    .registers 3
    return-void
.end method
.method public m21()V
    .registers 3
    return-void
.end method
.method public m24()V
    .registers 3
    return-void
.end method
.method public m27()V
    .registers 3
    return-void
.end method
.method public m30()V
    .registers 3
    return-void
.end method
.method public m33()V
    .registers 3
    return-void
.end method
.method public m36()V
    .registers 3
    return-void
.end method
.method public m39()V
    .registers 3
    return-void
.end method
.method public m42()V
    .registers 3
    return-void
.end method
.method public m45()V
    .registers 3
    return-void
.end method
.method public m48()V
    .registers 3
    return-void
.end method
.method public m51()V
    .registers 3
    return-void
.end method
.method public m54()V
    .registers 3
    return-void
.end method
.method public m57()V
    .registers 3
    return-void
.end method
.method public m0(I)V
    .registers 3
    return-void
.end method
.method public m2(I)V
    .registers 3
    return-void
.end method
.method public m4(I)V
    .registers 3
    return-void
.end method
.method public m6(I)V
    .registers 3
    return-void
.end method
.method public m8(I)V
    .registers 3
    return-void
.end method
.method public m10(I)V
    .registers 3
    return-void
.end method
.method public m12(I)V
    .registers 3
    return-void
.end method
.method public m14(I)V
    .registers 3
    return-void
.end method
.method public m16(I)V
    .registers 3
    return-void
.end method
.method public m18(I)V
    .registers 3
    return-void
.end method
.method public m20(I)V
    .registers 3
    return-void
.end method
.method public m22(I)V
    .registers 3
    return-void
.end method
.method public m24(I)V
    .registers 3
    return-void
.end method
.method public m26(I)V
    .registers 3
    return-void
.end method
.method public m28(I)V
    .registers 3
    return-void
.end method
.method public n0()V
    .registers 3
    return-void
.end method
.method public n1()V
    .registers 3
    return-void
.end method
.method public n2()V
    .registers 3
    return-void
.end method
.method public n3()V
    .registers 3
    return-void
.end method
.method public n4()V
    .registers 3
    return-void
.end method
.method public n5()V
    .registers 3
    return-void
.end method
.method public n6()V
    .registers 3
    return-void
.end method
.method public n7()V
    .registers 3
    return-void
.end method
.method public n8()V
    .registers 3
    return-void
.end method
.method public n9()V
    .registers 3
    return-void
.end method
.method public n10()V
    .registers 3
    return-void
.end method
.method public n11()V
    .registers 3
    return-void
.end method
.method public n12()V
    .registers 3
    return-void
.end method
.method public n13()V
    .registers 3
    return-void
.end method
.method public n14()V
    .registers 3
    return-void
.end method
.method public n15()V
    .registers 3
    return-void
.end method
.method public n16()V
    .registers 3
    return-void
.end method
.method public n17()V
    .registers 3
    return-void
.end method
.method public n18()V
    .registers 3
    return-void
.end method
.method public n19()V
    .registers 3
    return-void
.end method
.method public n20()V
    .registers 3
    return-void
.end method
.method public n21()V
    .registers 3
    return-void
.end method
.method public n22()V
    .registers 3
    return-void
.end method
.method public n23()V
    .registers 3
    return-void
.end method
.method public n24()V
    .registers 3
    return-void
.end method
.method public n25()V
    .registers 3
    return-void
.end method
.method public n26()V
    .registers 3
    return-void
.end method
.method public n27()V
    .registers 3
    return-void
.end method
.method public n28()V
    .registers 3
    return-void
.end method
.method public n29()V
    .registers 3
    return-void
.end method
.method public n30()V
    .registers 3
    return-void
.end method
.method public n31()V
    .registers 3
    return-void
.end method
.method public n32()V
    .registers 3
    return-void
.end method
.method public n33()V
    .registers 3
    return-void
.end method
.method public n34()V
    .registers 3
    return-void
.end method
.method public n35()V
    .registers 3
    return-void
.end method
.method public n36()V
    .registers 3
    return-void
.end method
.method public n37()V
    .registers 3
    return-void
.end method
.method public n38()V
    .registers 3
    return-void
.end method
.method public n39()V
    .registers 3
    return-void
.end method

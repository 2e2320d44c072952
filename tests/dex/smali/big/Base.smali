.class public Lcom/aw/big/Base;
.super Ljava/lang/Object;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public m0()V
    .registers 3
    return-void
.end method
.method public m1()V
    .registers 3
    return-void
.end method
.method public m2()V
    .registers 3
    return-void
.end method
.method public m3()V
    .registers 3
    return-void
.end method
.method public m4()V
    .registers 3
    return-void
.end method
.method public m5()V
    .registers 3
    return-void
.end method
.method public m6()V
    .registers 3
    return-void
.end method
.method public m7()V
    .registers 3
    return-void
.end method
.method public m8()V
    .registers 3
    return-void
.end method
.method public m9()V
    .registers 3
    return-void
.end method
.method public m10()V
    .registers 3
    return-void
.end method
.method public m11()V
    .registers 3
    return-void
.end method
.method public m12()V
    .registers 3
    return-void
.end method
.method public m13()V
    .registers 3
    return-void
.end method
.method public m14()V
    .registers 3
    return-void
.end method
.method public m15()V
    .registers 3
    return-void
.end method
.method public m16()V
    .registers 3
    return-void
.end method
.method public m17()V
    .registers 3
    return-void
.end method
.method public m18()V
    .registers 3
    return-void
.end method
.method public m19()V
    .registers 3
    return-void
.end method
.method public m20()V
    .registers 3
    return-void
.end method
.method public m21()V
    .registers 3
    return-void
.end method
.method public m22()V
    .registers 3
    return-void
.end method
.method public m23()V
    .registers 3
    return-void
.end method
.method public m24()V
    .registers 3
    return-void
.end method
.method public m25()V
    .registers 3
    return-void
.end method
.method public m26()V
    .registers 3
    return-void
.end method
.method public m27()V
    .registers 3
    return-void
.end method
.method public m28()V
    .registers 3
    return-void
.end method
.method public m29()V
    .registers 3
    return-void
.end method
.method public m30()V
    .registers 3
    return-void
.end method
.method public m31()V
    .registers 3
    return-void
.end method
.method public m32()V
    .registers 3
    return-void
.end method
.method public m33()V
    .registers 3
    return-void
.end method
.method public m34()V
    .registers 3
    return-void
.end method
.method public m35()V
    .registers 3
    return-void
.end method
.method public m36()V
    .registers 3
    return-void
.end method
.method public m37()V
    .registers 3
    return-void
.end method
.method public m38()V
    .registers 3
    return-void
.end method
.method public m39()V
    .registers 3
    return-void
.end method
.method public m40()V
    .registers 3
    return-void
.end method
.method public m41()V
    .registers 3
    return-void
.end method
.method public m42()V
    .registers 3
    return-void
.end method
.method public m43()V
    .registers 3
    return-void
.end method
.method public m44()V
    .registers 3
    return-void
.end method
.method public m45()V
    .registers 3
    return-void
.end method
.method public m46()V
    .registers 3
    return-void
.end method
.method public m47()V
    .registers 3
    return-void
.end method
.method public m48()V
    .registers 3
    return-void
.end method
.method public m49()V
    .registers 3
    return-void
.end method
.method public m50()V
    .registers 3
    return-void
.end method
.method public m51()V
    .registers 3
    return-void
.end method
.method public m52()V
    .registers 3
    return-void
.end method
.method public m53()V
    .registers 3
    return-void
.end method
.method public m54()V
    .registers 3
    return-void
.end method
.method public m55()V
    .registers 3
    return-void
.end method
.method public m56()V
    .registers 3
    return-void
.end method
.method public m57()V
    .registers 3
    return-void
.end method
.method public m58()V
    .registers 3
    return-void
.end method
.method public m59()V
    .registers 3
    return-void
.end method
.method public m0(I)V
    .registers 3
    return-void
.end method
.method public m1(I)V
    .registers 3
    return-void
.end method
.method public m2(I)V
    .registers 3
    return-void
.end method
.method public m3(I)V
    .registers 3
    return-void
.end method
.method public m4(I)V
    .registers 3
    return-void
.end method
.method public m5(I)V
    .registers 3
    return-void
.end method
.method public m6(I)V
    .registers 3
    return-void
.end method
.method public m7(I)V
    .registers 3
    return-void
.end method
.method public m8(I)V
    .registers 3
    return-void
.end method
.method public m9(I)V
    .registers 3
    return-void
.end method
.method public m10(I)V
    .registers 3
    return-void
.end method
.method public m11(I)V
    .registers 3
    return-void
.end method
.method public m12(I)V
    .registers 3
    return-void
.end method
.method public m13(I)V
    .registers 3
    return-void
.end method
.method public m14(I)V
    .registers 3
    return-void
.end method
.method public m15(I)V
    .registers 3
    return-void
.end method
.method public m16(I)V
    .registers 3
    return-void
.end method
.method public m17(I)V
    .registers 3
    return-void
.end method
.method public m18(I)V
    .registers 3
    return-void
.end method
.method public m19(I)V
    .registers 3
    return-void
.end method
.method public m20(I)V
    .registers 3
    return-void
.end method
.method public m21(I)V
    .registers 3
    return-void
.end method
.method public m22(I)V
    .registers 3
    return-void
.end method
.method public m23(I)V
    .registers 3
    return-void
.end method
.method public m24(I)V
    .registers 3
    return-void
.end method
.method public m25(I)V
    .registers 3
    return-void
.end method
.method public m26(I)V
    .registers 3
    return-void
.end method
.method public m27(I)V
    .registers 3
    return-void
.end method
.method public m28(I)V
    .registers 3
    return-void
.end method
.method public m29(I)V
    .registers 3
    return-void
.end method

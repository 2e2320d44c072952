.class public Lcom/aw/big/Main;
.super Lcom/aw/big/Leaf1;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/big/Leaf1;-><init>()V
    return-void
.end method

.method public run()V
    .registers 3
    const/4 v0, 0x1
    invoke-virtual {p0}, Lcom/aw/big/Base;->m0()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m1()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m2()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m3()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m4()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m5()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m6()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m7()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m8()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m9()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m10()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m11()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m12()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m13()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m14()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m15()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m16()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m17()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m18()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m19()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m20()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m21()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m22()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m23()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m24()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m25()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m26()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m27()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m28()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m29()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m30()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m31()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m32()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m33()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m34()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m35()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m36()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m37()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m38()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m39()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m40()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m41()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m42()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m43()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m44()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m45()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m46()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m47()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m48()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m49()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m50()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m51()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m52()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m53()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m54()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m55()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m56()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m57()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m58()V
    invoke-virtual {p0}, Lcom/aw/big/Base;->m59()V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m0(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m1(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m2(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m3(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m4(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m5(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m6(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m7(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m8(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m9(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m10(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m11(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m12(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m13(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m14(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m15(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m16(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m17(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m18(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m19(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m20(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m21(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m22(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m23(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m24(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m25(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m26(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m27(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m28(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Base;->m29(I)V
    invoke-virtual {p0}, Lcom/aw/big/Base;->missing()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m0()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m1()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m2()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m3()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m4()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m5()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m6()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m7()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m8()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m9()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m10()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m11()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m12()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m13()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m14()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m15()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m16()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m17()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m18()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m19()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m20()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m21()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m22()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m23()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m24()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m25()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m26()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m27()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m28()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m29()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m30()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m31()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m32()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m33()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m34()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m35()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m36()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m37()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m38()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m39()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m40()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m41()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m42()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m43()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m44()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m45()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m46()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m47()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m48()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m49()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m50()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m51()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m52()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m53()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m54()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m55()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m56()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m57()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m58()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->m59()V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m0(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m1(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m2(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m3(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m4(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m5(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m6(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m7(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m8(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m9(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m10(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m11(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m12(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m13(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m14(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m15(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m16(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m17(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m18(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m19(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m20(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m21(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m22(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m23(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m24(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m25(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m26(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m27(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m28(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Mid;->m29(I)V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n0()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n1()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n2()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n3()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n4()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n5()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n6()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n7()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n8()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n9()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n10()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n11()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n12()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n13()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n14()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n15()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n16()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n17()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n18()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n19()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n20()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n21()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n22()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n23()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n24()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n25()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n26()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n27()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n28()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n29()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n30()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n31()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n32()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n33()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n34()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n35()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n36()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n37()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n38()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->n39()V
    invoke-virtual {p0}, Lcom/aw/big/Mid;->missing()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m0()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m1()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m2()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m3()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m4()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m5()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m6()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m7()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m8()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m9()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m10()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m11()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m12()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m13()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m14()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m15()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m16()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m17()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m18()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m19()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m20()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m21()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m22()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m23()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m24()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m25()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m26()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m27()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m28()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m29()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m30()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m31()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m32()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m33()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m34()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m35()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m36()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m37()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m38()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m39()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m40()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m41()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m42()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m43()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m44()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m45()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m46()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m47()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m48()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m49()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m50()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m51()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m52()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m53()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m54()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m55()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m56()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m57()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m58()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->m59()V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m0(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m1(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m2(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m3(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m4(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m5(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m6(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m7(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m8(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m9(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m10(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m11(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m12(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m13(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m14(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m15(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m16(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m17(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m18(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m19(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m20(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m21(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m22(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m23(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m24(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m25(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m26(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m27(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m28(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf1;->m29(I)V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n0()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n1()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n2()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n3()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n4()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n5()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n6()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n7()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n8()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n9()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n10()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n11()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n12()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n13()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n14()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n15()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n16()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n17()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n18()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n19()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n20()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n21()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n22()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n23()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n24()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n25()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n26()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n27()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n28()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n29()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n30()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n31()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n32()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n33()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n34()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n35()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n36()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n37()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n38()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->n39()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf1;->missing()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m0()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m1()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m2()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m3()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m4()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m5()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m6()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m7()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m8()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m9()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m10()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m11()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m12()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m13()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m14()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m15()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m16()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m17()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m18()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m19()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m20()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m21()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m22()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m23()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m24()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m25()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m26()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m27()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m28()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m29()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m30()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m31()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m32()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m33()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m34()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m35()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m36()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m37()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m38()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m39()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m40()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m41()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m42()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m43()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m44()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m45()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m46()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m47()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m48()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m49()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m50()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m51()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m52()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m53()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m54()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m55()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m56()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m57()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m58()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->m59()V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m0(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m1(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m2(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m3(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m4(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m5(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m6(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m7(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m8(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m9(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m10(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m11(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m12(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m13(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m14(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m15(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m16(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m17(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m18(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m19(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m20(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m21(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m22(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m23(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m24(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m25(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m26(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m27(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m28(I)V
    invoke-virtual {p0, v0}, Lcom/aw/big/Leaf2;->m29(I)V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n0()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n1()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n2()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n3()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n4()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n5()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n6()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n7()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n8()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n9()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n10()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n11()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n12()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n13()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n14()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n15()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n16()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n17()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n18()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n19()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n20()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n21()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n22()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n23()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n24()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n25()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n26()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n27()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n28()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n29()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n30()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n31()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n32()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n33()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n34()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n35()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n36()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n37()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n38()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->n39()V
    invoke-virtual {p0}, Lcom/aw/big/Leaf2;->missing()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m0()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m2()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m4()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m6()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m8()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m10()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m12()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m14()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m16()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m18()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m20()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m22()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m24()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m26()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m28()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m30()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m32()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m34()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m36()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m38()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m40()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m42()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m44()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m46()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m48()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m50()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m52()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m54()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m56()V
    invoke-super {p0}, Lcom/aw/big/Leaf1;->m58()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n0()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n3()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n6()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n9()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n12()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n15()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n18()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n21()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n24()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n27()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n30()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n33()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n36()V
    invoke-super {p0}, Lcom/aw/big/Mid;->n39()V
    return-void
.end method

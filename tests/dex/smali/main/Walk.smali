.class public Lcom/aw/t/Walk;
.super Ljava/lang/Object;

# Every instruction form the walker records, with payloads in the middle of the code.

.field public static counter:I

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static literals()V
    .registers 4
    const/4 v0, -0x3
    const/16 v0, -0x1234
    const v0, 0x12345678
    const/high16 v0, 0x7f010000
    const-wide/16 v0, -0x2
    const-wide/32 v0, 0x10000
    const-wide v0, 0x123456789abcdef0L
    const-wide/high16 v0, 0x4000000000000000L
    return-void
.end method

.method public static payloads(I)I
    .registers 5
    const/4 v0, 0x1
    packed-switch p0, :pswitch
    sparse-switch p0, :sswitch
    const/4 v1, 0x3
    new-array v1, v1, [I
    fill-array-data v1, :array
    const-string v2, "after-payloads"
    invoke-static {v2}, Lcom/aw/t/Walk;->sink(Ljava/lang/String;)V
    return v0

    :pswitch
    .packed-switch 0x0
        :l0
        :l1
    .end packed-switch

    :sswitch
    .sparse-switch
        0x5 -> :l0
        0x50 -> :l1
    .end sparse-switch

    :array
    .array-data 4
        0x1001a
        0x6e
        0x71
    .end array-data

    :l0
    const-string v2, "case0"
    return v0
    :l1
    const-string/jumbo v2, "case1-jumbo"
    return v0
.end method

.method public static sink(Ljava/lang/String;)V
    .registers 1
    return-void
.end method

.method public static many(IIIIII)V
    .registers 6
    invoke-static/range {p0 .. p5}, Lcom/aw/t/Walk;->many(IIIIII)V
    return-void
.end method

.method public static fields()I
    .registers 2
    sget v0, Lcom/aw/t/Walk;->counter:I
    sget-object v1, Landroid/os/Build;->SERIAL:Ljava/lang/String;
    const-class v1, Lcom/aw/t/Walk;
    return v0
.end method

.method public static poly(Ljava/lang/invoke/MethodHandle;Ljava/lang/String;)Ljava/lang/Object;
    .registers 10
    invoke-polymorphic {p0, p1}, Ljava/lang/invoke/MethodHandle;->invoke([Ljava/lang/Object;)Ljava/lang/Object;, (Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    invoke-polymorphic/range {p0 .. p1}, Ljava/lang/invoke/MethodHandle;->invokeExact([Ljava/lang/Object;)Ljava/lang/Object;, (Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    return-object v0
.end method

.method public static unicode()Ljava/lang/String;
    .registers 1
    const-string v0, "\u4e2a\u4eba\u4fe1\u606f \ud83d\ude00 nul:\u0000."
    return-object v0
.end method

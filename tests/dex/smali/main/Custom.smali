.class public Lcom/aw/t/Custom;
.super Ljava/lang/Object;

.method public static bsm(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;
    .registers 3
    const/4 v0, 0x0
    return-object v0
.end method

.method public static use(I)V
    .registers 8
    invoke-custom {p0}, call_site_0("doit", (I)V)@Lcom/aw/t/Custom;->bsm(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;
    invoke-custom/range {p0 .. p0}, call_site_1("doit2", (I)V)@Lcom/aw/t/Custom;->bsm(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;
    const-string v0, "after-custom"
    return-void
.end method

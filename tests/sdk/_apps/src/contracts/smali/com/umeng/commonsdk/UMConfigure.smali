.class public Lcom/umeng/commonsdk/UMConfigure;
.super Ljava/lang/Object;
.source "UMConfigure.java"

# Stub of the vendor class (signatures as in the UMeng compliance guide).
.method public static preInit(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;)V
    .locals 0
    return-void
.end method

.method public static init(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;)V
    .locals 0
    return-void
.end method

# The SDK's own overload chain: an internal call, not a call by the app.
.method public static init(Landroid/content/Context;ILjava/lang/String;)V
    .locals 2
    const/4 v0, 0x0
    const/4 v1, 0x0
    invoke-static {p0, v0, v1, p1, p2}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;ILjava/lang/String;)V
    return-void
.end method

.class public Lcn/jiguang/api/utils/JCollectionAuth;
.super Ljava/lang/Object;

# A no-op stand-in: the app defines the vendor switch itself.
.method public static setAuth(Landroid/content/Context;Z)V
    .locals 0
    return-void
.end method

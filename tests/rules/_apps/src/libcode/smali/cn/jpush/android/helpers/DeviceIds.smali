.class public Lcn/jpush/android/helpers/DeviceIds;
.super Ljava/lang/Object;
.source "DeviceIds.java"

# An SDK (JPush) reading a setting whose key it computes at run time (unresolved): JPush documents collecting the
# Android ID (pi_collected in the SDK knowledge base), so policy.pi.undeclared names it, at possible only; it does
# not document contacts, so its unresolved ContentResolver.query is not evidence.
.method public static read(Landroid/content/ContentResolver;Ljava/lang/String;Landroid/net/Uri;)V
    .locals 6
    invoke-static {p0, p1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    move-object v0, p0
    move-object v1, p2
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    return-void
.end method

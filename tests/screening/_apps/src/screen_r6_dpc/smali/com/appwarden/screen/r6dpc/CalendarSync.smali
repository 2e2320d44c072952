.class public Lcom/appwarden/screen/r6dpc/CalendarSync;
.super Ljava/lang/Object;

# a sync adapter's read of the provider it syncs (the URI arrives as a parameter) next to its server address

.method public static pull(Landroid/content/ContentProviderClient;Landroid/net/Uri;)Ljava/lang/String;
    .locals 6
    move-object v0, p0
    move-object v1, p1
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentProviderClient;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    const-string v2, "https://sync.example.com/calendar/feeds/"
    return-object v2
.end method

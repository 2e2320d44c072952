.class public Lcom/google/appinventor/components/runtime/Sensors;
.super Ljava/lang/Object;

# r5_clean: a runtime bundled whole into every App Inventor app reads the six categories from background code

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public collect(Landroid/content/Context;Landroid/location/Location;)V
    .registers 9
    invoke-virtual {p1}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    sget-object v1, Landroid/provider/ContactsContract$Contacts;->CONTENT_URI:Landroid/net/Uri;
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/4 v4, 0x0
    const/4 v5, 0x0
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    sget-object v1, Landroid/provider/CallLog$Calls;->CONTENT_URI:Landroid/net/Uri;
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    const-string v1, "content://sms/inbox"
    invoke-static {v1}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    move-result-object v1
    invoke-virtual/range {v0 .. v5}, Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;
    const/4 v1, 0x0
    invoke-static {v1}, Landroid/hardware/Camera;->open(I)Landroid/hardware/Camera;
    invoke-virtual {p2}, Landroid/location/Location;->getLatitude()D
    new-instance v1, Landroid/media/MediaRecorder;
    invoke-direct {v1}, Landroid/media/MediaRecorder;-><init>()V
    const/4 v2, 0x1
    invoke-virtual {v1, v2}, Landroid/media/MediaRecorder;->setAudioSource(I)V
    return-void
.end method

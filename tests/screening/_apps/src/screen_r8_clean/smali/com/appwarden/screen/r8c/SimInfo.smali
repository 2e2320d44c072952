.class public Lcom/appwarden/screen/r8c/SimInfo;
.super Ljava/lang/Object;

# r8_clean: SmsManager.getSmsManagerForSubscriptionId(1) by reflection (a dual-SIM lookup), no SEND_SMS held.

.method public static smsManagerForSlot()Ljava/lang/Object;
    .registers 8
    const-string v0, "android.telephony.SmsManager"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "getSmsManagerForSubscriptionId"
    const/4 v2, 0x1
    new-array v3, v2, [Ljava/lang/Class;
    sget-object v4, Ljava/lang/Integer;->TYPE:Ljava/lang/Class;
    const/4 v5, 0x0
    aput-object v4, v3, v5
    invoke-virtual {v0, v1, v3}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v1
    new-array v6, v2, [Ljava/lang/Object;
    invoke-static {v2}, Ljava/lang/Integer;->valueOf(I)Ljava/lang/Integer;
    move-result-object v7
    aput-object v7, v6, v5
    const/4 v4, 0x0
    invoke-virtual {v1, v4, v6}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0
    return-object v0
.end method

.class public Lcom/appwarden/screen/r11c/MainActivity;
.super Landroid/app/Activity;

# Round eleven clean: an app that logs its user in with the QQ login SDK (oicq.wlogin_sdk). Its own code only
# starts the login; the cipher, the log-folder walk and the deletes are the SDK's (oicq/wlogin_sdk/tools/util).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public onCreate(Landroid/os/Bundle;)V
    .registers 3
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Loicq/wlogin_sdk/request/WtloginHelper;
    invoke-direct {v0, p0}, Loicq/wlogin_sdk/request/WtloginHelper;-><init>(Landroid/content/Context;)V
    invoke-virtual {v0}, Loicq/wlogin_sdk/request/WtloginHelper;->GetStWithPasswd()Ljava/lang/String;
    return-void
.end method

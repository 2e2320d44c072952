.class public Loicq/wlogin_sdk/request/WtloginHelper;
.super Ljava/lang/Object;

# Round eleven clean: the entry class an app of the QQ login SDK calls (our own smali, named like the SDK's).

.field private mContext:Landroid/content/Context;

.method public constructor <init>(Landroid/content/Context;)V
    .registers 2
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Loicq/wlogin_sdk/request/WtloginHelper;->mContext:Landroid/content/Context;
    return-void
.end method

.method public GetStWithPasswd()Ljava/lang/String;
    .registers 2
    iget-object v0, p0, Loicq/wlogin_sdk/request/WtloginHelper;->mContext:Landroid/content/Context;
    invoke-static {v0}, Loicq/wlogin_sdk/tools/util;->get_IMEI(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v0
    invoke-static {}, Loicq/wlogin_sdk/tools/util;->deleteExpireLog()V
    return-object v0
.end method

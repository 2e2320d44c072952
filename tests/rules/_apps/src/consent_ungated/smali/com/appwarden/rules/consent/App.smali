.class public Lcom/appwarden/rules/consent/App;
.super Landroid/app/Application;

.method static constructor <clinit>()V
    .locals 1
    invoke-static {}, Lcom/tencent/bugly/Bugly;->init()V
    return-void
.end method

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Application;-><init>()V
    return-void
.end method

.method public onCreate()V
    .locals 1
    invoke-super {p0}, Landroid/app/Application;->onCreate()V
    invoke-static {p0}, Lcom/appwarden/rules/consent/Host;->imsi(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/umeng/commonsdk/UMConfigure;->init(Landroid/content/Context;)V
    return-void
.end method

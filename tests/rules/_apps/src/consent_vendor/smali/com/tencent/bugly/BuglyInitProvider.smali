.class public Lcom/tencent/bugly/BuglyInitProvider;
.super Landroid/content/ContentProvider;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

# an SDK auto-init provider: Android starts it before Application.onCreate; the app never calls it
.method public onCreate()Z
    .locals 1
    invoke-static {}, Lcom/tencent/bugly/Bugly;->init()V
    const/4 v0, 0x1
    return v0
.end method

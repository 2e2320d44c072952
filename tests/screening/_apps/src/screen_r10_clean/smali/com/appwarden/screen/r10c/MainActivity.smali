.class public Lcom/appwarden/screen/r10c/MainActivity;
.super Landroid/app/Activity;

# r10 clean: a phone-cleaner suite with a file manager. Its task manager (this activity) lists the running apps; its floating ball
# (FloatBall, an unrelated class) draws a window over other apps. Both powers, in unrelated classes.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method listRunning()V
    .registers 3
    const-string v0, "activity"
    invoke-virtual {p0, v0}, Landroid/app/Activity;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v1
    check-cast v1, Landroid/app/ActivityManager;
    invoke-virtual {v1}, Landroid/app/ActivityManager;->getRunningAppProcesses()Ljava/util/List;
    return-void
.end method

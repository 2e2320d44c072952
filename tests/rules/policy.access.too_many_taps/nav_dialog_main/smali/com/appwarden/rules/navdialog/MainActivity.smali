.class public Lcom/appwarden/rules/navdialog/MainActivity;
.super Landroid/app/Activity;
.source "MainActivity.java"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method protected onCreate(Landroid/os/Bundle;)V
    .registers 4
    invoke-super {p0, p1}, Landroid/app/Activity;->onCreate(Landroid/os/Bundle;)V
    new-instance v0, Landroid/widget/Button;
    invoke-direct {v0, p0}, Landroid/widget/Button;-><init>(Landroid/content/Context;)V
    new-instance v1, Lcom/appwarden/rules/navdialog/MainActivity$1;
    invoke-direct {v1, p0}, Lcom/appwarden/rules/navdialog/MainActivity$1;-><init>(Lcom/appwarden/rules/navdialog/MainActivity;)V
    invoke-virtual {v0, v1}, Landroid/widget/Button;->setOnClickListener(Landroid/view/View$OnClickListener;)V
    invoke-virtual {p0, v0}, Landroid/app/Activity;->setContentView(Landroid/view/View;)V
    invoke-virtual {p0}, Lcom/appwarden/rules/navdialog/MainActivity;->showPrivacy()V
    return-void
.end method

.method public showPrivacy()V
    .registers 5
    new-instance v0, Landroid/app/AlertDialog$Builder;
    invoke-direct {v0, p0}, Landroid/app/AlertDialog$Builder;-><init>(Landroid/content/Context;)V
    const-string v1, "请您阅读并同意《隐私政策》后使用本应用"
    invoke-virtual {v0, v1}, Landroid/app/AlertDialog$Builder;->setMessage(Ljava/lang/CharSequence;)Landroid/app/AlertDialog$Builder;
    new-instance v2, Lcom/appwarden/rules/navdialog/MainActivity$2;
    invoke-direct {v2, p0}, Lcom/appwarden/rules/navdialog/MainActivity$2;-><init>(Lcom/appwarden/rules/navdialog/MainActivity;)V
    const-string v1, "同意"
    const/4 v3, 0x0
    invoke-virtual {v0, v1, v3}, Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;
    invoke-virtual {v0}, Landroid/app/AlertDialog$Builder;->show()Landroid/app/AlertDialog;
    return-void
.end method

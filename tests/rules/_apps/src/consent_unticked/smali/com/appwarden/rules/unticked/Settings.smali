.class public Lcom/appwarden/rules/unticked/Settings;
.super Ljava/lang/Object;

.method public static show(Landroid/widget/Switch;)V
    .registers 2
    const/4 v0, 0x1
    invoke-virtual {p0, v0}, Landroid/widget/Switch;->setChecked(Z)V
    return-void
.end method

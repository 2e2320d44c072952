.class public Lcom/appwarden/rules/unticked/ConsentDialog;
.super Ljava/lang/Object;

# the consent box starts unticked; a settings switch elsewhere is ticked (no consent text there)
.method public static show(Landroid/widget/CheckBox;Landroid/widget/TextView;)V
    .registers 4
    const-string v0, "我已阅读并同意《用户协议》和《隐私政策》"
    invoke-virtual {p1, v0}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V
    const/4 v1, 0x0
    invoke-virtual {p0, v1}, Landroid/widget/CheckBox;->setChecked(Z)V
    return-void
.end method

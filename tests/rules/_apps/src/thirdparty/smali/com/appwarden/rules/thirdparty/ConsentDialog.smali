.class public Lcom/appwarden/rules/thirdparty/ConsentDialog;
.super Ljava/lang/Object;

.method public static show(Landroid/widget/CheckBox;Landroid/widget/TextView;)V
    .registers 4
    const-string v0, "我已阅读并同意《用户协议》和《隐私政策》"
    invoke-virtual {p1, v0}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V
    const/4 v1, 0x1
    invoke-virtual {p0, v1}, Landroid/widget/CheckBox;->setChecked(Z)V
    return-void
.end method

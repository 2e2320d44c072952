.class Lcom/appwarden/screen/r6skip/MainActivity$1;
.super Ljava/lang/Object;
.implements Landroid/view/View$OnClickListener;

.field final synthetic this$0:Lcom/appwarden/screen/r6skip/MainActivity;

.method constructor <init>(Lcom/appwarden/screen/r6skip/MainActivity;)V
    .locals 0
    iput-object p1, p0, Lcom/appwarden/screen/r6skip/MainActivity$1;->this$0:Lcom/appwarden/screen/r6skip/MainActivity;
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public onClick(Landroid/view/View;)V
    .locals 2
    iget-object v0, p0, Lcom/appwarden/screen/r6skip/MainActivity$1;->this$0:Lcom/appwarden/screen/r6skip/MainActivity;
    const-string v1, "device_policy"
    invoke-virtual {v0, v1}, Lcom/appwarden/screen/r6skip/MainActivity;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/app/admin/DevicePolicyManager;
    invoke-virtual {v0}, Landroid/app/admin/DevicePolicyManager;->lockNow()V
    return-void
.end method

.class Lcom/appwarden/screen/r10/OverlayService$1;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;

.field final synthetic this$0:Lcom/appwarden/screen/r10/OverlayService;

.method constructor <init>(Lcom/appwarden/screen/r10/OverlayService;)V
    .registers 2
    iput-object p1, p0, Lcom/appwarden/screen/r10/OverlayService$1;->this$0:Lcom/appwarden/screen/r10/OverlayService;
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .registers 4
    iget-object v0, p0, Lcom/appwarden/screen/r10/OverlayService$1;->this$0:Lcom/appwarden/screen/r10/OverlayService;
    const-string v1, "activity"
    invoke-virtual {v0, v1}, Landroid/app/Service;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v1
    check-cast v1, Landroid/app/ActivityManager;
    const/4 v2, 0x1
    invoke-virtual {v1, v2}, Landroid/app/ActivityManager;->getRunningTasks(I)Ljava/util/List;
    return-void
.end method

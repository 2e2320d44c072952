.class public Lcom/aw/t/Graph;
.super Landroid/app/Activity;

.method public onCreate(Landroid/os/Bundle;)V
    .registers 4
    new-instance v0, Lcom/aw/t/Job;
    invoke-direct {v0}, Lcom/aw/t/Job;-><init>()V
    new-instance v1, Ljava/lang/Thread;
    invoke-direct {v1, v0}, Ljava/lang/Thread;-><init>(Ljava/lang/Runnable;)V
    invoke-virtual {v1}, Ljava/lang/Thread;->start()V
    new-instance v0, Lcom/aw/t/Task;
    invoke-direct {v0}, Lcom/aw/t/Task;-><init>()V
    const/4 v1, 0x0
    new-array v1, v1, [Ljava/lang/Object;
    invoke-virtual {v0, v1}, Lcom/aw/t/Task;->execute([Ljava/lang/Object;)Landroid/os/AsyncTask;
    new-instance v0, Lcom/aw/t/Sub;
    invoke-direct {v0}, Lcom/aw/t/Sub;-><init>()V
    invoke-virtual {v0}, Lcom/aw/t/Base;->work()V
    return-void
.end method

.method public onHandler(Landroid/os/Handler;)V
    .registers 3
    new-instance v0, Lcom/aw/t/Job;
    invoke-direct {v0}, Lcom/aw/t/Job;-><init>()V
    invoke-virtual {p1, v0}, Landroid/os/Handler;->post(Ljava/lang/Runnable;)Z
    return-void
.end method

.method public unreached()V
    .registers 1
    return-void
.end method

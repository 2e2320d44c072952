.class public Lcom/aw/t/Task;
.super Landroid/os/AsyncTask;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/os/AsyncTask;-><init>()V
    return-void
.end method

.method protected doInBackground([Ljava/lang/Object;)Ljava/lang/Object;
    .registers 3
    const/4 v0, 0x0
    invoke-static {v0}, Lcom/aw/t/Pi;->sms(Landroid/content/ContentResolver;)Landroid/database/Cursor;
    const/4 v0, 0x0
    return-object v0
.end method

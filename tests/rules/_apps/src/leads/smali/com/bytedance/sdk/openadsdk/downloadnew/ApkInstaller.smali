.class public Lcom/bytedance/sdk/openadsdk/downloadnew/ApkInstaller;
.super Ljava/lang/Object;

# ruleid: ads.sdk.app_install — an advertising SDK that downloads and opens the package installer
.method public static download(Landroid/content/Context;Landroid/app/DownloadManager$Request;)J
    .registers 4
    const-string v0, "download"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/app/DownloadManager;
    invoke-virtual {v0, p1}, Landroid/app/DownloadManager;->enqueue(Landroid/app/DownloadManager$Request;)J
    move-result-wide v0
    return-wide v0
.end method

.method public static install(Landroid/content/Context;Landroid/net/Uri;)V
    .registers 5
    new-instance v0, Landroid/content/Intent;
    const-string v1, "android.intent.action.VIEW"
    invoke-direct {v0, v1}, Landroid/content/Intent;-><init>(Ljava/lang/String;)V
    const-string v1, "application/vnd.android.package-archive"
    invoke-virtual {v0, p1, v1}, Landroid/content/Intent;->setDataAndType(Landroid/net/Uri;Ljava/lang/String;)Landroid/content/Intent;
    invoke-virtual {p0, v0}, Landroid/content/Context;->startActivity(Landroid/content/Intent;)V
    return-void
.end method

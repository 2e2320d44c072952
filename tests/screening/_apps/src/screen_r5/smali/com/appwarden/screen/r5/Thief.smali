.class public Lcom/appwarden/screen/r5/Thief;
.super Ljava/lang/Object;

# r5: copies another app's WebView cookie store with a root shell.
# r5_clean: its own database, and another app's helper binary (not a data store).

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static steal()V
    .registers 4
    invoke-static {}, Ljava/lang/Runtime;->getRuntime()Ljava/lang/Runtime;
    move-result-object v0
    const-string v1, "su"
    invoke-virtual {v0, v1}, Ljava/lang/Runtime;->exec(Ljava/lang/String;)Ljava/lang/Process;
    const-string v2, "/data/data/org.example.browser/app_webview/Cookies"
    new-instance v3, Ljava/io/File;
    invoke-direct {v3, v2}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    return-void
.end method

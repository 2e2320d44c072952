.class public Lcom/appwarden/screen/r5clean/Backup;
.super Ljava/lang/Object;

# the app's own database and another app's helper binary (not a data store), with a root shell

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static backup()V
    .registers 4
    invoke-static {}, Ljava/lang/Runtime;->getRuntime()Ljava/lang/Runtime;
    move-result-object v0
    const-string v1, "su"
    invoke-virtual {v0, v1}, Ljava/lang/Runtime;->exec(Ljava/lang/String;)Ljava/lang/Process;
    const-string v2, "/data/data/com.appwarden.screen.r5clean/databases/notes.db"
    new-instance v3, Ljava/io/File;
    invoke-direct {v3, v2}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    const-string v2, "/data/data/org.example.tools/files/busybox"
    new-instance v3, Ljava/io/File;
    invoke-direct {v3, v2}, Ljava/io/File;-><init>(Ljava/lang/String;)V
    return-void
.end method

.class public Lcom/appwarden/screen/r5clean/Page;
.super Ljava/lang/Object;

# loads the page whose address is kept in assets/server.txt (r5: an SMS-receiving app; r5_clean: no SMS receiver)

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static show(Landroid/webkit/WebView;Ljava/lang/String;)V
    .registers 2
    invoke-virtual {p0, p1}, Landroid/webkit/WebView;->loadUrl(Ljava/lang/String;)V
    return-void
.end method

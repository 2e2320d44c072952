.class public Lcom/tencent/bugly/Bugly;
.super Ljava/lang/Object;

# Stand-in for the Bugly SDK: init reads the serial number.
.method public static init()V
    .locals 1
    invoke-static {}, Landroid/os/Build;->getSerial()Ljava/lang/String;
    return-void
.end method

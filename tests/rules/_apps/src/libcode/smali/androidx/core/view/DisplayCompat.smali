.class public Landroidx/core/view/DisplayCompat;
.super Ljava/lang/Object;
.source "DisplayCompat.java"

# As androidx.core's DisplayCompat: SystemProperties.get by reflection for a display property (not a serial read,
# not evasion).
.method public static getSystemProperty(Ljava/lang/String;)Ljava/lang/String;
    .locals 6
    const-string v0, "android.os.SystemProperties"
    invoke-static {v0}, Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;
    move-result-object v0
    const-string v1, "get"
    const/4 v2, 0x1
    new-array v3, v2, [Ljava/lang/Class;
    const/4 v4, 0x0
    const-class v5, Ljava/lang/String;
    aput-object v5, v3, v4
    invoke-virtual {v0, v1, v3}, Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;
    move-result-object v1
    new-array v3, v2, [Ljava/lang/Object;
    aput-object p0, v3, v4
    invoke-virtual {v1, v0, v3}, Ljava/lang/reflect/Method;->invoke(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Ljava/lang/String;
    return-object v0
.end method

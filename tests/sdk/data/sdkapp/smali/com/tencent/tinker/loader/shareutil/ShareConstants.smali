.class public Lcom/tencent/tinker/loader/shareutil/ShareConstants;
.super Ljava/lang/Object;

# A non-final version set in <clinit>: found by the const-string fallback, not by static_values.
.field public static TINKER_VERSION:Ljava/lang/String;

.method static constructor <clinit>()V
    .locals 1
    const-string v0, "1.9.14"
    sput-object v0, Lcom/tencent/tinker/loader/shareutil/ShareConstants;->TINKER_VERSION:Ljava/lang/String;
    return-void
.end method

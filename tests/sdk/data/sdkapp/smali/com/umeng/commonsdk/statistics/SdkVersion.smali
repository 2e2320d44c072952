.class public Lcom/umeng/commonsdk/statistics/SdkVersion;
.super Ljava/lang/Object;

# Static values of several encoded types before the wanted one, to exercise the encoded_array walk.
.field public static final FLAG:Z = true
.field public static final LEVEL:I = 0x12345
.field public static final BIG:J = 0x123456789L
.field public static final NOTHING:Ljava/lang/String; = null
.field public static final KIND:Ljava/lang/Class; = Ljava/lang/String;
.field public static final PROTOCOL_VERSION:Ljava/lang/String; = "1.0.0"
.field public static final SDK_VERSION:Ljava/lang/String; = "9.4.2"
.field public static final NOT_A_VERSION:Ljava/lang/String; = "umeng"
.field public static UNSET:Ljava/lang/String;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.class public Lcom/appwarden/rules/consenttxt/Texts;
.super Ljava/lang/Object;

# the dialog texts kept in non-final static fields (not inlined at the use site)
.field public static PRIVACY:Ljava/lang/String;
.field public static AGREE:Ljava/lang/String;

.method static constructor <clinit>()V
    .locals 1
    const-string v0, "请阅读并同意《用户协议》和《隐私政策》"
    sput-object v0, Lcom/appwarden/rules/consenttxt/Texts;->PRIVACY:Ljava/lang/String;
    const-string v0, "同意"
    sput-object v0, Lcom/appwarden/rules/consenttxt/Texts;->AGREE:Ljava/lang/String;
    return-void
.end method

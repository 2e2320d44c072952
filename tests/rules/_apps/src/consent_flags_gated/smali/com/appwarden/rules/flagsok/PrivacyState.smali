.class public Lcom/appwarden/rules/flagsok/PrivacyState;
.super Ljava/lang/Object;

.field private static final INSTANCE:Lcom/appwarden/rules/flagsok/PrivacyState;
.field public agreed:Z
.field public shown:Z

.method static constructor <clinit>()V
    .locals 1
    new-instance v0, Lcom/appwarden/rules/flagsok/PrivacyState;
    invoke-direct {v0}, Lcom/appwarden/rules/flagsok/PrivacyState;-><init>()V
    sput-object v0, Lcom/appwarden/rules/flagsok/PrivacyState;->INSTANCE:Lcom/appwarden/rules/flagsok/PrivacyState;
    return-void
.end method

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public static get()Lcom/appwarden/rules/flagsok/PrivacyState;
    .locals 1
    sget-object v0, Lcom/appwarden/rules/flagsok/PrivacyState;->INSTANCE:Lcom/appwarden/rules/flagsok/PrivacyState;
    return-object v0
.end method

.class public Lcom/appwarden/rules/consent/Consent;
.super Ljava/lang/Object;

.field public static agreed:Z

.class public Lcom/appwarden/rules/consentok/Consent;
.super Ljava/lang/Object;

.field public static agreed:Z

.class public Lcn/jpush/android/api/JPushInterface;
.super Ljava/lang/Object;

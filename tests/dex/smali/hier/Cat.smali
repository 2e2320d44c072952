.class public Lcom/aw/h/Cat;
.super Lcom/aw/h/Animal;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/h/Animal;-><init>()V
    return-void
.end method

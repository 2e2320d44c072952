.class public Lcom/aw/h/SinkB;
.super Ljava/lang/Object;
.implements Lcom/aw/h/Sink;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public put()V
    .registers 1
    invoke-static {}, Lcom/aw/h/Leaf;->sinkB()V
    return-void
.end method

.class public Lcom/aw/t/Sub;
.super Lcom/aw/t/Base;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Lcom/aw/t/Base;-><init>()V
    return-void
.end method

.method public work()V
    .registers 2
    const/4 v0, 0x0
    invoke-static {v0}, Lcom/aw/t/Pi;->gyro(Landroid/hardware/SensorManager;)Landroid/hardware/Sensor;
    return-void
.end method

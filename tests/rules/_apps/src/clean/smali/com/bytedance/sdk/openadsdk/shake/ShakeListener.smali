.class public Lcom/bytedance/sdk/openadsdk/shake/ShakeListener;
.super Ljava/lang/Object;
.source "ShakeListener.java"
.implements Landroid/hardware/SensorEventListener;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

# Stand-in for an ad SDK's shake-to-open listener: registers an accelerometer listener.
.method public static start(Landroid/content/Context;)V
    .locals 4
    const-string v0, "sensor"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/hardware/SensorManager;
    const/4 v1, 0x1
    invoke-virtual {v0, v1}, Landroid/hardware/SensorManager;->getDefaultSensor(I)Landroid/hardware/Sensor;
    move-result-object v1
    new-instance v2, Lcom/bytedance/sdk/openadsdk/shake/ShakeListener;
    invoke-direct {v2}, Lcom/bytedance/sdk/openadsdk/shake/ShakeListener;-><init>()V
    const/4 v3, 0x2
    invoke-virtual {v0, v2, v1, v3}, Landroid/hardware/SensorManager;->registerListener(Landroid/hardware/SensorEventListener;Landroid/hardware/Sensor;I)Z
    return-void
.end method

.method public onAccuracyChanged(Landroid/hardware/Sensor;I)V
    .locals 0
    return-void
.end method

# Triggers when |x| exceeds 20.0 m/s^2 (0x41a00000): above the 15 m/s^2 reference.
.method public onSensorChanged(Landroid/hardware/SensorEvent;)V
    .locals 3
    iget-object v0, p1, Landroid/hardware/SensorEvent;->values:[F
    const/4 v1, 0x0
    aget v1, v0, v1
    invoke-static {v1}, Ljava/lang/Math;->abs(F)F
    move-result v1
    const v2, 0x41a00000    # 20.0f
    cmpl-float v1, v1, v2
    if-lez v1, :jump
    return-void
    :jump
    invoke-static {}, Lcom/bytedance/sdk/openadsdk/shake/ShakeListener;->openAd()V
    return-void
.end method

.method public static openAd()V
    .locals 0
    return-void
.end method

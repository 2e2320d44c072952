.class public Lcom/appwarden/screen/clean/VoiceNoteActivity;
.super Landroid/app/Activity;

.method public constructor <init>()V
    .locals 0
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

# records a voice note while the user holds the button on screen
.method public onRecord(Landroid/view/View;)V
    .locals 2
    new-instance v0, Landroid/media/MediaRecorder;
    invoke-direct {v0}, Landroid/media/MediaRecorder;-><init>()V
    const/4 v1, 0x1
    invoke-virtual {v0, v1}, Landroid/media/MediaRecorder;->setAudioSource(I)V
    return-void
.end method

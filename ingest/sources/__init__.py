"""Where a camera's images come from: RTSP or any FFmpeg URL, HTTP snapshots, video files, image folders."""

"""The detector worker: gw.frames in, batched model runs over zone tiles, extra signals, evidence,
gw.detections out."""

"""The detector worker: gw.frames in, batched model runs, tracking, evidence, gw.detections out."""

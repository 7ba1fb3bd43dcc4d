"""The detector worker: gw.frames in, batched model runs (zone tiles), extra signals, evidence, gw.detections out."""

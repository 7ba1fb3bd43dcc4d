"""Detector backends: run a model on a batch of frames and return one `Detections` per frame."""

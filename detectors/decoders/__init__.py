"""Decoders: from a model's raw output tensors to boxes, classes and scores in model-input pixels."""

"""A learned second stage: rescore candidate boxes by what a site's people said about earlier ones.

``runtime`` loads a trained verifier and applies it in the detector worker (numpy and ONNX Runtime only);
``features`` derives the embedding network from the detector's own ONNX model and ``train`` fits the
classifier on a labels export (both need the ``modelbuild`` extra: onnx, scikit-learn).
"""

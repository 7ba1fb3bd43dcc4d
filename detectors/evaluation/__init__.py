"""Measuring detectors against labelled images: `gridwatch models eval`.

Label readers (VOC XML, COCO JSON, YOLO txt) give :class:`~detectors.evaluation.labels.LabelledSet`; the
runner (:func:`~detectors.evaluation.runner.evaluate_detector`) runs any ``detect(images)`` callable over it
and the pure engine (:mod:`~detectors.evaluation.matching`, :mod:`~detectors.evaluation.metrics`) matches
boxes per kind and counts recall, precision, AP and PR curves per size bucket at IoU 0.3 and 0.5.
"""

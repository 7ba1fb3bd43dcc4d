"""Fine-tuning detectors on a site's own labelled frames (the ``train`` extra: ultralytics, torch)."""

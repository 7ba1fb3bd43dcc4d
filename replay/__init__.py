"""Replay and tuning: recorded footage through sampling, detectors and rules with a candidate site config.

Incidents go to a report (JSON and HTML), scored against operator labels; a detection cache keyed by
(footage, model, thresholds) lets rule parameters be swept without running the model again. Nothing runs at
import time; ``gridwatch replay`` (``app.cli.replay_cmd``) is the composition root.
"""

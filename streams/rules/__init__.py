"""Zone rules: pure functions of one camera's detections over time, clocked by frame timestamps.

The same code runs in the faust app (:mod:`streams.agents`) and in offline replay: no I/O, no wall clock,
no drawing. :class:`streams.rules.engine.SiteRules` is the entry point.
"""

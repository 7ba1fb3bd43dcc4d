"""The camera pool: read many cameras cheaply, sample them, gate on motion, publish frames and camera health.

Modules: ``settings`` (process-level knobs), ``sources`` (where images come from), ``sampler`` (which frames
to keep, in stream seconds), ``motion_gate``, ``frame_encoder`` (resize and JPEG), ``backoff``, ``health``,
``counters``, ``mailbox`` (bounded drop-oldest queues), ``camera_worker`` (one camera's loop), ``pool`` (many
cameras in one process), ``publisher`` (Kafka), ``synthetic`` (fake cameras for load tests), ``bench``.
Nothing runs at import time.
"""

"""Per-camera tracking at sampling rates of 0.2-2 frames per second, with bounded memory."""

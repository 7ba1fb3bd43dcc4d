"""Which extra signals a worker runs next to the model, from the site configuration."""

from __future__ import annotations

import importlib.util
import logging

from detectors.camera_zones import SiteCameras
from detectors.worker.extra_signals import ExtraSignals
from gridwatch.config import SiteConfig

log = logging.getLogger(__name__)


def static_foreground_signals(site: SiteConfig | None, reserved_class_id: int) -> ExtraSignals | None:
    """Static-foreground detection for the cameras whose trading rules ask for it, or None.

    Enabled per camera: when any zone of the camera has a storefront-trading rule with ``signal``
    ``static_foreground`` or ``both``. Its boxes carry ``reserved_class_id`` (one past the model's classes).
    """
    cameras = SiteCameras.from_site(site)
    wanted = [
        camera_id
        for camera_id in cameras.ids()
        if (zones := cameras.get(camera_id)) and zones.wants_static_foreground
    ]
    if not wanted:
        return None
    if importlib.util.find_spec("detectors.static_foreground") is None:
        log.warning(
            "cameras %s ask for the static_foreground signal; detectors.static_foreground is not available",
            wanted,
        )
        return None
    from detectors.worker.static_foreground_signals import StaticForegroundSignals

    log.info("static_foreground signal on for cameras %s", wanted)
    return StaticForegroundSignals(wanted, reserved_class_id)

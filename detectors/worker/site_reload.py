"""The detector worker follows its site file: a changed camera model, verifier or zone takes effect without a
restart (`gridwatch models promote --write`, `gridwatch site dismiss --write` and hand edits alike).

Every ``every_s`` seconds (monotonic clock, injected) the worker checks the file's modification time; when it
changed, the file is loaded and validated, the verifiers and models it names are opened, and only then does
the pipeline switch to them. A file that does not load, or names what cannot be opened, is logged with the
reason and the running configuration stays. The static-foreground signal keeps the cameras it started with
(its per-camera state would be lost): a change to which cameras use it needs a restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from detectors.backends.factory import BackendChoice
from detectors.backends.site_models import SiteModelError, open_named_models
from detectors.camera_zones import SiteCameras
from detectors.verifier.runtime import VerifierError
from detectors.worker.pipeline import DetectionPipeline
from detectors.worker.verifiers import CameraVerifiers
from gridwatch.config import SiteConfig, SiteConfigError, load_site

log = logging.getLogger(__name__)


class SiteReloader:
    """Reloads the pipeline's cameras, verifiers and models when the site file changes."""

    def __init__(
        self,
        path: Path,
        pipeline: DetectionPipeline,
        choice: BackendChoice,
        *,
        every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        load: Callable[[Path], SiteConfig] = load_site,
    ) -> None:
        self.path = path
        self.pipeline = pipeline
        self.choice = choice
        self.every_s = every_s
        self._clock = clock
        self._load = load
        self._checked_at = clock()
        self._stamp = self._mtime()
        self.reloads = 0

    def _mtime(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    def check(self) -> bool:
        """Reload if it is time and the file changed; whether the pipeline switched."""
        now = self._clock()
        if now - self._checked_at < self.every_s:
            return False
        self._checked_at = now
        stamp = self._mtime()
        if stamp is None or stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            cameras = SiteCameras.from_site(self._load(self.path))
            verifiers = CameraVerifiers.of(cameras)
            models = open_named_models(cameras, self.choice, self.pipeline.backend)
        except SiteConfigError as error:
            log.error(
                "site file %s changed but does not load; the running configuration stays:\n%s",
                self.path,
                error.report(),
            )
            return False
        except (VerifierError, SiteModelError) as error:
            log.error("site file %s changed but %s; the running configuration stays", self.path, error)
            return False
        self.pipeline.reconfigure(cameras, verifiers, models)
        self.reloads += 1
        log.info(
            "site file %s reloaded: %d cameras, models %s",
            self.path,
            len(cameras),
            sorted(models) or "the worker's own",
        )
        return True

"""The detection models a site names for cameras and zones, opened next to the worker's own."""

from __future__ import annotations

from collections.abc import Mapping

from detectors.backends.base import StagedBackend
from detectors.backends.factory import BackendChoice, open_backend
from detectors.camera_zones import SiteCameras
from detectors.models.registry import catalogue
from detectors.models.trained import trained_config, trained_ids


class SiteModelError(RuntimeError):
    """A model the site names cannot be opened (unknown id, not built)."""


def named_models(cameras: SiteCameras) -> dict[str, list[str]]:
    """Each model the site names, with where it is named (``camera cam-1``, ``camera cam-1 zone z-2``)."""
    named: dict[str, list[str]] = {}
    for camera_id in cameras.ids():
        zones = cameras.get(camera_id)
        if zones is None:
            continue
        if zones.detection.model is not None:
            named.setdefault(zones.detection.model, []).append(f"camera {camera_id}")
        for zone in zones.zones:
            if zone.model is not None:
                named.setdefault(zone.model, []).append(f"camera {camera_id} zone {zone.id}")
    return named


def open_named_models(
    cameras: SiteCameras, choice: BackendChoice, own: StagedBackend
) -> Mapping[str, StagedBackend]:
    """Every model the site names but ``own`` is not, on ``choice``'s runtime; SiteModelError naming the
    camera or zone when one cannot be opened."""
    opened: dict[str, StagedBackend] = {}
    for model, where in named_models(cameras).items():
        if model == own.model_id:
            continue
        trained = (
            trained_config(model) if model not in catalogue() and not model.startswith("ensemble:") else None
        )
        try:
            if trained is not None:  # a model trained here, by its id (gridwatch models train)
                opened[model] = open_backend(choice.model_copy(update={"custom": trained}))
            else:
                opened[model] = open_backend(choice.model_copy(update={"model_id": model, "custom": None}))
        except (KeyError, FileNotFoundError, ImportError, ValueError, RuntimeError) as error:
            message = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
            raise SiteModelError(f"{', '.join(where)} names model {model!r}: {message}") from None
    return opened


def unknown_models(cameras: SiteCameras) -> list[str]:
    """One line per model the site names that neither the catalogue (ensemble members included) nor the
    store of models trained here has."""
    known = set(catalogue())
    trained = set(trained_ids())
    problems = []
    for model, where in named_models(cameras).items():
        members = model.removeprefix("ensemble:").split("+") if model.startswith("ensemble:") else [model]
        missing = [member for member in members if member not in known and model not in trained]
        if missing:
            problems.append(
                f"{', '.join(where)}: unknown model {', '.join(map(repr, missing))} "
                f"(the catalogue has {', '.join(sorted(known))}; "
                f"trained here: {', '.join(sorted(trained)) or 'none'})"
            )
    return problems

"""A library of cut-outs: built from labelled photos on disk (never downloaded at run time), saved as a folder
of PNG files with alpha and an index (class, kind, source photo, box, licence, origin), read back for
composing and probing, and shown as a contact sheet."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from replay.compose.cutouts import Cutout, Image, cut_out
from replay.compose.labelled import LabelledObject
from replay.errors import ReplayError

INDEX = "library.json"
Advance = Callable[[int], None]


class CutoutEntry(BaseModel):
    """One cut-out of a library folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Cut-out id, also its PNG file name (without .png).")
    kind: str = Field(description="Object kind the rules see it as (two_wheeler, person, trading_object...).")
    fill: float = Field(description="Share of the labelled box the mask covers.")
    method: str = Field(
        default="grabcut",
        description="How the mask was made: grabcut (grabcut+see-through: a bicycle with the "
        "background between its spokes taken out), contrast, or box (a soft box, both failed).",
    )
    source: LabelledObject = Field(description="The labelled object it was cut from (photo, box, licence).")


class LibraryIndex(BaseModel):
    """The index of a library folder."""

    model_config = ConfigDict(extra="forbid")

    format: int = Field(default=1, description="Version of the library layout.")
    cutouts: list[CutoutEntry] = Field(description="Every cut-out, in id order.")
    skipped: list[str] = Field(default_factory=list, description="Objects that gave no usable cut-out, why.")


@dataclass
class CutoutLibrary:
    """Cut-outs by id."""

    cutouts: dict[str, Cutout] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cutouts)

    def of_class(self, name: str) -> list[Cutout]:
        """Cut-outs of a class (or of every class of an object kind, when ``name`` is a kind)."""
        wanted = name.strip().lower()
        exact = [c for c in self.cutouts.values() if c.class_name.lower() == wanted]
        if exact:
            return sorted(exact, key=lambda c: c.id)
        return sorted((c for c in self.cutouts.values() if c.kind == wanted), key=lambda c: c.id)

    def get(self, cutout_id: str) -> Cutout:
        """The cut-out with this id; ReplayError listing some ids otherwise."""
        if cutout_id not in self.cutouts:
            some = ", ".join(sorted(self.cutouts)[:12])
            raise ReplayError(f"no cut-out {cutout_id!r} in the library (ids: {some}...)")
        return self.cutouts[cutout_id]

    def pick(self, name: str, rng: np.random.Generator) -> Cutout:
        """A cut-out of class (or kind) ``name`` chosen by ``rng``, among those with a real outline where the
        class has any (a soft box only where it has none); ReplayError naming the classes held."""
        choices = self.of_class(name)
        if not choices:
            classes = sorted({c.class_name for c in self.cutouts.values()})
            raise ReplayError(f"no cut-out of class {name!r} in the library (classes: {', '.join(classes)})")
        outlined = [c for c in choices if c.method != "box"]  # a soft box carries its photo's background
        pool = outlined or choices
        return pool[int(rng.integers(len(pool)))]

    def merged(self, other: CutoutLibrary) -> CutoutLibrary:
        """Both libraries' cut-outs (``other`` wins on an id clash)."""
        return CutoutLibrary({**self.cutouts, **other.cutouts}, [*self.skipped, *other.skipped])


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x"


def build_library(objects: Iterable[LabelledObject], advance: Advance | None = None) -> CutoutLibrary:
    """Cut every object out of its photo (photos read once each; a photo with its own transparency gives its
    objects that as their mask); objects GrabCut cannot separate are listed in ``skipped``."""
    library = CutoutLibrary()
    photos: dict[tuple[Path, float], Image | None] = {}
    for obj in objects:
        if (obj.image, obj.widen) not in photos:
            read = cv2.imread(str(obj.image), cv2.IMREAD_UNCHANGED)
            if read is not None and (read.ndim == 2 or read.shape[2] not in (3, 4)):
                read = cv2.cvtColor(read, cv2.COLOR_GRAY2BGR) if read.ndim == 2 else read[..., :3]
            if read is not None and obj.widen != 1.0:
                size = (max(1, round(read.shape[1] * obj.widen)), read.shape[0])
                read = cv2.resize(read, size, interpolation=cv2.INTER_CUBIC)
            photos[obj.image, obj.widen] = None if read is None else np.asarray(read, np.uint8)
        photo = photos[obj.image, obj.widen]
        box = "-".join(str(round(v)) for v in obj.box)
        cutout_id = f"{_slug(obj.class_name)}.{_slug(obj.image.stem)}.{box}"
        if photo is None:
            library.skipped.append(f"{obj.image}: does not decode")
        else:
            try:
                cutout = cut_out(obj.widened(), photo, cutout_id)
                library.cutouts[cutout_id] = replace(cutout, source=obj)
            except ReplayError as error:
                library.skipped.append(str(error))
        if advance is not None:
            advance(1)
    return library


def save_library(library: CutoutLibrary, folder: Path) -> Path:
    """Write the library as PNG files and ``library.json``; returns the index path."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for cutout_id in sorted(library.cutouts):
        cutout = library.cutouts[cutout_id]
        cv2.imwrite(str(folder / f"{cutout_id}.png"), cutout.rgba)
        entries.append(
            CutoutEntry(
                id=cutout_id, kind=cutout.kind, fill=cutout.fill, method=cutout.method, source=cutout.source
            )
        )
    index = LibraryIndex(cutouts=entries, skipped=library.skipped)
    path = folder / INDEX
    path.write_text(index.model_dump_json(indent=2), encoding="utf-8")
    return path


def load_library(folder: Path) -> CutoutLibrary:
    """A library folder written by :func:`save_library`; ReplayError when it is missing or damaged."""
    path = folder / INDEX
    try:
        index = LibraryIndex.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReplayError(f"{folder} is not a cut-out library (no {INDEX}; build one with "
                          "`gridwatch replay cutouts`)") from None  # fmt: skip
    except (OSError, ValidationError, json.JSONDecodeError) as error:
        raise ReplayError(f"{path} cannot be read: {error}") from None
    library = CutoutLibrary(skipped=list(index.skipped))
    for entry in index.cutouts:
        rgba = cv2.imread(str(folder / f"{entry.id}.png"), cv2.IMREAD_UNCHANGED)
        if rgba is None or rgba.ndim != 3 or rgba.shape[2] != 4:
            raise ReplayError(f"{folder / entry.id}.png is missing or has no alpha channel")
        library.cutouts[entry.id] = Cutout(
            entry.id, entry.source, np.asarray(rgba, np.uint8), entry.fill, entry.method
        )
    return library


def contact_sheet(library: CutoutLibrary, cell: int = 160, columns: int = 8) -> Image:
    """Every cut-out on a checkerboard (so the mask shows), with its id, as one picture."""
    items = [library.cutouts[k] for k in sorted(library.cutouts)]
    rows = max(1, -(-len(items) // columns))
    sheet = np.full((rows * (cell + 18), columns * cell, 3), 255, np.uint8)
    yy, xx = np.mgrid[0:cell, 0:cell]
    board = np.where(((yy // 10 + xx // 10) % 2)[..., None] == 0, 200, 235).astype(np.float32)
    for n, cutout in enumerate(items):
        scale = min((cell - 8) / cutout.width, (cell - 8) / cutout.height)
        w, h = max(1, int(cutout.width * scale)), max(1, int(cutout.height * scale))
        small = cv2.resize(cutout.rgba, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
        tile = np.repeat(board, 3, axis=2).copy()
        x0, y0 = (cell - w) // 2, cell - h - 4
        alpha = small[..., 3:4] / 255
        tile[y0 : y0 + h, x0 : x0 + w] = small[..., :3] * alpha + tile[y0 : y0 + h, x0 : x0 + w] * (1 - alpha)
        r, c = divmod(n, columns)
        top, left = r * (cell + 18), c * cell
        sheet[top : top + cell, left : left + cell] = tile.astype(np.uint8)
        label = f"{cutout.class_name} {cutout.source.image.stem}"[:24]
        cv2.putText(sheet, label, (left + 3, top + cell + 13), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1)
    return sheet


def kinds_in(library: CutoutLibrary) -> dict[str, int]:
    """How many cut-outs of each class the library holds."""
    counts: dict[str, int] = {}
    for cutout in library.cutouts.values():
        counts[cutout.class_name] = counts.get(cutout.class_name, 0) + 1
    return dict(sorted(counts.items()))

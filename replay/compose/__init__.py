"""The scenario composer: test clips made from a camera's own recorded background and cut-outs of real
objects, with ground-truth labels; and the probe that maps where a camera can see a parked bike.

- :mod:`~replay.compose.background`: the clean plate and the passers-by (moving foreground) of a clip.
- :mod:`~replay.compose.perspective`: object height in pixels from where it stands, fit on detected people.
- :mod:`~replay.compose.sizes`: how tall each kind of object is next to a person.
- :mod:`~replay.compose.labelled`, :mod:`~replay.compose.cutouts`, :mod:`~replay.compose.library`,
  :mod:`~replay.compose.builtin`: labelled images (VOC, COCO, YOLO) to soft-masked cut-outs with their
  licences.
- :mod:`~replay.compose.spec`, :mod:`~replay.compose.auto`, :mod:`~replay.compose.plan`: the scenario file,
  scenarios generated for a camera's zones, and what stands where at each moment.
- :mod:`~replay.compose.render`: pasting a cut-out (scaled, shadowed, jittered) behind the passers-by.
- :mod:`~replay.compose.writer`, :mod:`~replay.compose.manifest`, :mod:`~replay.compose.composer`: the
  output clip, its labels and manifest.
- :mod:`~replay.compose.probe`: reference objects on a grid over every zone, detector recall per zone and a
  heatmap.
"""

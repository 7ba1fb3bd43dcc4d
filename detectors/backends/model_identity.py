"""The identity half of a backend (model id, version, classes), read from the model it runs."""

from __future__ import annotations

from detectors.class_map import ClassMap
from detectors.models.runnable import RunnableModel


class RunnableModelIdentity:
    """Mixin for backends that run a :class:`RunnableModel`: they set ``self._model``, this describes it."""

    _model: RunnableModel

    @property
    def model(self) -> RunnableModel:
        """How this model is run."""
        return self._model

    @property
    def model_id(self) -> str:
        """Model id."""
        return self._model.id

    @property
    def model_version(self) -> str:
        """Version of the model file."""
        return self._model.version

    @property
    def class_names(self) -> tuple[str, ...]:
        """Class names in class-id order."""
        return self._model.class_names

    @property
    def input_size(self) -> int:
        """Side of the square model input in pixels."""
        return self._model.input_size

    @property
    def class_map(self) -> ClassMap:
        """Class name to object kind."""
        return self._model.class_map

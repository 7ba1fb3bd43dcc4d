"""Every configuration model documents each field, refuses unknown fields and cannot be changed."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel

import gridwatch.config as config

MODELS = sorted(
    (obj for obj in vars(config).values() if inspect.isclass(obj) and issubclass(obj, BaseModel)),
    key=lambda cls: cls.__name__,
)


def test_the_public_api_exports_the_models() -> None:
    assert {"SiteConfig", "Camera", "Zone", "Person", "EventClass", "WorkingCalendar"} <= {
        m.__name__ for m in MODELS
    }


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_model_is_strict_frozen_and_documented(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("frozen") is True
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert undocumented == []
    assert model.__doc__

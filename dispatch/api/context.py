"""What every request handler reaches through dependencies: the core, photos, rating links, settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from dispatch.core import DispatchCore
from dispatch.photos import PhotoStore
from dispatch.rating_links import RatingLinkSigner


@dataclass(frozen=True)
class ApiContext:
    """The services the API uses, built by the composition root and kept on ``app.state.context``."""

    core: DispatchCore
    photos: PhotoStore
    rating_links: RatingLinkSigner


def get_context(request: Request) -> ApiContext:
    context = request.app.state.context
    assert isinstance(context, ApiContext)
    return context


Ctx = Annotated[ApiContext, Depends(get_context)]
"""The API context, as a dependency."""

"""What every request handler reaches through dependencies: the core, photos, rating links, settings, and
what the pages need besides (evidence folder, camera health, Web Push key and subscriptions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from dispatch.camera_status import CameraStatusBoard
from dispatch.core import DispatchCore
from dispatch.evidence import EvidenceFolder
from dispatch.photos import PhotoStore
from dispatch.push_subscriptions import SubscriptionStore
from dispatch.rating_links import RatingLinkSigner
from dispatch.site_names import SiteNames


@dataclass(frozen=True)
class ApiContext:
    """The services the API uses, built by the composition root and kept on ``app.state.context``."""

    core: DispatchCore
    photos: PhotoStore
    rating_links: RatingLinkSigner
    evidence: EvidenceFolder | None = None
    """The local evidence folder served at ``/evidence/``; None: only http(s) evidence URLs are shown."""
    cameras: CameraStatusBoard = field(default_factory=CameraStatusBoard)
    """Latest camera health (filled by the camera-status consumer of the dispatch process)."""
    vapid_public_key: str | None = None
    """The VAPID public key (base64url) phones subscribe with; None: Web Push is not configured."""

    @property
    def subscriptions(self) -> SubscriptionStore:
        """The Web Push subscription store on the core's database."""
        return SubscriptionStore(self.core.session_factory, self.core.clock)

    def names(self, session: Session) -> SiteNames:
        """Names of what cases refer to, for one request (see :mod:`dispatch.site_names`)."""
        return SiteNames(self.core.site, session)


def get_context(request: Request) -> ApiContext:
    context = request.app.state.context
    assert isinstance(context, ApiContext)
    return context


Ctx = Annotated[ApiContext, Depends(get_context)]
"""The API context, as a dependency."""

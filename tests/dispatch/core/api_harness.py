"""The API over a harness: a TestClient and a token per person of the example site."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dispatch.api.context import ApiContext
from dispatch.app import create_app
from dispatch.photos import PhotoStore
from dispatch.rating_links import RatingLinkSigner
from dispatch.tokens import issue_token
from tests.dispatch.core.harness import Harness


@dataclass
class Api:
    harness: Harness
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, person_id: str) -> dict[str, str]:
        if person_id not in self.tokens:
            with Session(self.harness.engine) as session, session.begin():
                self.tokens[person_id] = issue_token(session, person_id, self.harness.clock())
        return {"Authorization": f"Bearer {self.tokens[person_id]}"}

    def get(self, path: str, person_id: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.get(path, headers=self.auth(person_id), **kwargs)
        return response

    def post(self, path: str, person_id: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.post(path, headers=self.auth(person_id), **kwargs)
        return response


def make_api(harness: Harness, photo_dir: Path) -> Api:
    context = ApiContext(
        core=harness.core,
        photos=PhotoStore(photo_dir),
        rating_links=RatingLinkSigner(b"k" * 32, harness.clock),
    )
    return Api(harness, TestClient(create_app(context)))

"""Web Push for the phone page: the VAPID public key to subscribe with, and my subscriptions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Response, status
from pydantic import Field

from dispatch.api.auth import CurrentPerson
from dispatch.api.context import Ctx
from dispatch.api.schemas import Out
from dispatch.push.webpush_subscription import WebPushSubscription
from dispatch.push_subscriptions import SubscriptionRejectedError

router = APIRouter(prefix="/api/v1", tags=["push"])


class VapidKeyOut(Out):
    public_key: str = Field(description="applicationServerKey for PushManager.subscribe (base64url).")


class SubscriptionOut(Out):
    endpoint: str = Field(description="The push service endpoint kept.")
    created: bool = Field(description="False when this endpoint was known and was updated.")
    subscriptions: int = Field(description="How many subscriptions I now have.")


@router.get("/push/vapid-public-key", response_model=VapidKeyOut, summary="The key phones subscribe with")
def vapid_public_key(ctx: Ctx) -> VapidKeyOut:
    """Public: the VAPID public key. 404 when this server has no Web Push configured."""
    if ctx.vapid_public_key is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail="Web Push is not configured on this server (the push settings have no webpush section)",
        )
    return VapidKeyOut(public_key=ctx.vapid_public_key)


@router.post(
    "/me/push-subscriptions",
    response_model=SubscriptionOut,
    summary="Keep this browser's push subscription for me",
    responses={201: {"description": "A new subscription."}, 200: {"description": "An updated one."}},
)
def subscribe(
    ctx: Ctx,
    person: CurrentPerson,
    response: Response,
    body: Annotated[
        dict[str, Any],
        Body(description='PushSubscription.toJSON(): {"endpoint", "keys": {"p256dh", "auth"}}.'),
    ],
) -> SubscriptionOut:
    try:
        subscription = WebPushSubscription.from_json(body)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    store = ctx.subscriptions
    try:
        saved = store.save(person.id, subscription)
    except SubscriptionRejectedError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    response.status_code = status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK
    return SubscriptionOut(
        endpoint=subscription.endpoint, created=saved.created, subscriptions=store.count(person.id)
    )


@router.delete("/me/push-subscriptions", status_code=204, summary="Forget this browser's push subscription")
def unsubscribe(
    ctx: Ctx,
    person: CurrentPerson,
    endpoint: Annotated[
        str, Query(min_length=1, max_length=4096, description="The subscription's endpoint.")
    ],
) -> None:
    if not ctx.subscriptions.remove(person.id, endpoint):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"{person.id} has no push subscription at that endpoint"
        )

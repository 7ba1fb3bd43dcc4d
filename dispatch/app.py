"""The FastAPI application: routers per resource, error handlers, OpenAPI at ``/docs``."""

from __future__ import annotations

from fastapi import FastAPI

from dispatch.api import cases, evidence, indicators, me, open311, photos, push, ratings, site
from dispatch.api.context import ApiContext
from dispatch.api.errors import install_error_handlers
from dispatch.web import pages


def create_app(context: ApiContext) -> FastAPI:
    """The dispatch API and pages over ``context`` (nothing is built here: the composition root passes it
    in). Pages: ``/m/`` (worker phone), ``/ops/`` (dashboard), ``/rate/<token>`` (resident rating)."""
    app = FastAPI(
        title="Gridwatch dispatch",
        version="1",
        description=(
            "Cases (案卷) filed from camera incidents: dispatch to micro-grid workers, escalation, "
            "camera-verified "
            "closure, ratings and indicators. Authenticate with `Authorization: Bearer <token>` "
            "(`gridwatch dispatch tokens issue --person ID`)."
        ),
    )
    app.state.context = context
    install_error_handlers(app)
    for module in (me, cases, photos, ratings, indicators, open311, push, site, evidence, pages):
        app.include_router(module.router)

    @app.get("/healthz", tags=["health"], summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app

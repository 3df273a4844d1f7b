"""The FastAPI application factory. Errors from the project's tree become JSON
``{"error": message}`` with the status each error class carries."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api import (
    routes_batches,
    routes_catalogue,
    routes_citizens,
    routes_classify,
    routes_documents,
    routes_dossiers,
    routes_public,
    routes_reports,
    routes_resumable,
    routes_search,
    routes_signing,
    routes_users,
    routes_verify,
    routes_verify_code,
    web,
    web_dossiers,
    web_signing,
)
from hoso.bootstrap import Container
from ingest.pipeline import Message
from records.errors import HosoError, Unauthorized

log = logging.getLogger("hoso.api")

Dispatch = Callable[[list[Message]], None]


def create_app(
    container: Container, dispatch: Dispatch, on_shutdown: Callable[[], None] | None = None
) -> FastAPI:
    """``on_shutdown`` runs when the server stops gracefully (before uvicorn re-raises a
    SIGTERM, which would skip any ``finally`` in the caller)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:
            on_shutdown()

    app = FastAPI(
        title="hoso",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.dispatch = dispatch

    @app.exception_handler(HosoError)
    async def _hoso_error(request: Request, exc: HosoError) -> Response:
        if isinstance(exc, Unauthorized) and not request.url.path.startswith("/api/"):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if exc.http_status >= 500:
            log.error("error on %s: %s", request.url.path, exc.message)
        return JSONResponse({"error": exc.message}, status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(
            ".".join(str(p) for p in e["loc"][1:]) or "yêu cầu" for e in exc.errors()
        )
        return JSONResponse({"error": f"Dữ liệu gửi lên không hợp lệ: {fields}"}, status_code=422)

    @app.get("/api/health", include_in_schema=False)
    def health() -> dict[str, object]:
        return {"status": "ok", "pid": os.getpid()}

    app.state.limiter = routes_public.RateLimiter()
    routers = (
        routes_users,
        routes_batches,
        routes_resumable,
        routes_documents,
        routes_search,
        routes_dossiers,
        routes_citizens,
        routes_classify,
        routes_catalogue,
        routes_reports,
        routes_public,
        routes_verify,
        routes_verify_code,
        routes_signing,
        web,
        web_dossiers,
        web_signing,
    )
    for module in routers:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("api", "static")]), name="static")
    return app

"""ASGI factory for running the API alone (``uvicorn --factory hoso.asgi:create``),
with workers elsewhere (``hoso worker``), as in docker-compose.yml."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from hoso.bootstrap import bootstrap
from hoso.celery_app import make_celery, send


def create() -> FastAPI:
    container = bootstrap()
    celery = make_celery(container.settings)
    return create_app(container, lambda messages: send(celery, messages))

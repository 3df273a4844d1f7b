"""Entry point for ``celery -A hoso.worker worker``: the app built from the environment."""

from hoso.celery_app import app_from_env

app = app_from_env()

"""What citizens reach without logging in: dossier status lookup and satisfaction rating.

Lookups need the dossier code AND the check value printed on the receipt, so codes
(which are sequential) cannot be enumerated. Requests are rate-limited per client.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.deps import Box
from records.errors import HosoError
from records.workflow import lookup, rate

router = APIRouter()


class TooManyRequests(HosoError):
    """A client asked too often; it may try again shortly."""

    http_status = 429


class RateLimiter:
    """Token bucket per client address (per API process)."""

    def __init__(self, per_minute: int = 30) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                raise TooManyRequests("Tra cứu quá nhiều lần, vui lòng thử lại sau ít phút")
            self._buckets[client] = (tokens - 1.0, now)
            if len(self._buckets) > 10_000:  # forget idle clients
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 600}


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


class RatingIn(BaseModel):
    ma: str
    tc: str
    rating: str


@router.get("/api/public/lookup")
def public_lookup(ma: str, tc: str, request: Request, box: Box) -> dict[str, Any]:
    request.app.state.limiter.check(_client(request))
    return lookup(box.uow, ma, tc).to_dict()


@router.post("/api/public/rating")
def public_rating(body: RatingIn, request: Request, box: Box) -> dict[str, str]:
    request.app.state.limiter.check(_client(request))
    rate(box.uow, body.ma, body.tc, body.rating)
    return {"status": "ok", "message": "Cảm ơn ông/bà đã đánh giá"}

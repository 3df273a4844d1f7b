"""``hoso ingest`` and ``hoso search``: locally (own worker pool) or against a server.

The local path is :mod:`hoso.ingest_local`, the remote one (HTTP, resumable uploads)
:mod:`hoso.ingest_remote`, what both share :mod:`hoso.ingest_common`; this module keeps
their names together and holds ``search``.
"""

from __future__ import annotations

import argparse
from typing import Any

from hoso.ingest_common import EXIT_PARTIAL, expand
from hoso.ingest_local import ingest_local
from hoso.ingest_remote import (
    TusUploader,
    UploadFailed,
    UploadState,
    check,
    client_for,
    ingest_remote,
)
from records.errors import BadInput

__all__ = [
    "EXIT_PARTIAL",
    "TusUploader",
    "UploadFailed",
    "UploadState",
    "expand",
    "ingest_local",
    "ingest_remote",
    "search",
]


def search(args: argparse.Namespace) -> dict[str, Any]:
    if args.server:
        with client_for(args) as client:
            params: dict[str, Any] = {"q": args.query, "limit": args.limit}
            if args.batch:
                params["batch"] = args.batch
            result = check(client.get("/api/search", params=params))
        hits = result["hits"]
    else:
        from hoso.bootstrap import bootstrap
        from search import SearchQuery

        if not args.query.strip():
            raise BadInput("Hãy nhập từ khóa cần tìm")
        found = (
            bootstrap()
            .index()
            .search(SearchQuery(text=args.query, batch_id=args.batch, limit=args.limit))
        )
        result = {"total": found.total}
        hits = [
            {
                "document_id": h.document_id,
                "source": h.source,
                "page": h.page,
                "score": round(h.score, 4),
                "snippet": h.snippet_html,
            }
            for h in found.hits
        ]
    return {
        "total": result["total"],
        "hits": [
            {k: h[k] for k in ("document_id", "source", "page", "score", "snippet")} for h in hits
        ],
    }

"""Moving a processed file to ``done/<day>/`` or ``failed/<day>/``, its note beside it."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from hoso.watch.jobs import Job, Outcome
from hoso.watch.journal import VN
from hoso.watch.scan import COMPANIONS


def move(
    root: Path,
    job: Job,
    outcome: str,
    day: str,
    batch_id: int | None,
    message: str | None,
    outcomes: dict[int, Outcome],
) -> Path:
    """Into ``outcome/day/rel`` under a free name, its error or note file beside it."""
    src = root / job.rel
    if not src.exists():
        raise FileNotFoundError(src)
    wanted = root / outcome / day / job.rel
    target = wanted
    n = 0
    while target.exists() or any(target.with_name(target.name + c).exists() for c in COMPANIONS):
        n += 1
        target = wanted.with_name(f"{wanted.stem}-{n}{wanted.suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    text, companion = (message, ".error.txt") if message is not None else (job.note, ".note.txt")
    if text is not None:
        source = job.source_id if job.source_id is not None else job.earlier_source
        docs = ", ".join(str(d) for d, _ in outcomes[source].documents) if source else ""
        with target.with_name(target.name + companion).open("x", encoding="utf-8") as f:
            f.write(
                f"{text}\n\nTệp: {job.rel}\nLô: {batch_id or '-'}\n"
                f"Tài liệu: {docs or '-'}\n"
                f"Lúc: {datetime.now(VN).isoformat(timespec='seconds')}\n"
            )
    os.rename(src, target)
    return target

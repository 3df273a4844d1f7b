"""What the watcher keeps about each file and each folder's batch in a round."""

from __future__ import annotations

from dataclasses import dataclass, field

from hoso.watch.scan import Signature


@dataclass
class Job:
    rel: str
    sig: Signature
    sha256: str
    source_id: int | None = None  # the source file whose documents decide the outcome
    error: str | None = None  # refused (or given up): goes to failed/
    note: str | None = None  # same bytes as an earlier file: goes to done/ with this note
    earlier_source: int | None = None  # that earlier file (its documents are not waited for)


@dataclass(frozen=True)
class Outcome:
    """What became of one source file: all its documents (one, or several when sheets
    split it) done, any failed, or still pending."""

    state: str  # pending | done | failed
    documents: list[tuple[int, str]]  # (document id, status)
    message: str | None = None


@dataclass
class Group:
    """One folder's files in one poll round: one batch."""

    folder: str
    batch_id: int | None
    dossier_code: str | None
    procedure_code: str | None
    jobs: list[Job] = field(default_factory=list)

"""A scanner's hot folder: files that appear in it are ingested once they stop growing.

``hoso watch DIR`` runs the work here in a local worker pool; ``hoso serve`` with
``HOSO_WATCH_DIR`` runs a :class:`WatchThread` that hands the work to Celery. Both go
through :class:`Watcher`, which only needs a ``dispatch(messages)`` callable — the same
create-batch → ``receive_file`` → dispatch path as ``hoso ingest``.

Polling, not inotify: scanners write to network shares where inotify sees nothing.

A file is taken once its size and mtime have not changed for ``settle`` seconds. Files
ready in one poll round form one batch per folder; a folder name may carry a dossier code
(the documents are then attached to that dossier) or a procedure code. Processed files
move to ``done/<day>/<relative path>``, failed ones to ``failed/<day>/…`` with a
``<name>.error.txt`` beside them; nothing is ever overwritten.

Restarts: ``.hoso-watch/journal.jsonl`` records each file before it is ingested (path,
size, mtime, SHA-256) and again once it is received, dispatched and moved. On start, a file
whose entry is still open is not ingested again if its bytes are already a source with a
document (it is moved according to that document); otherwise it is ingested. A lock file
keeps a second watcher off the same folder.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import logging
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hoso.bootstrap import Container
from ingest.pipeline import Message
from ingest.upload import create_batch, receive_file
from records.errors import BadInput, Conflict, HosoError, NotFound
from records.model import PageStatus, Role
from records.reception import find
from records.sql import documents_table, pages_table, source_files_table
from records.users import ensure_user
from records.workflow import attach

log = logging.getLogger("hoso.watch")

Dispatch = Callable[[list[Message]], None]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
STATE_DIR = ".hoso-watch"
DONE, FAILED = "done", "failed"
TOP_LEVEL_SKIPPED = {DONE, FAILED, STATE_DIR}
COMPANIONS = (".error.txt", ".note.txt")
#: files a desktop leaves in shared folders; never scans
DESKTOP_JUNK = {"thumbs.db", "desktop.ini", ".ds_store"}
#: dossier code (Circular 01/2018/TT-VPCP): <unit code>-<YYMMDD>-<NNNN>
DOSSIER_CODE = re.compile(r"(?<![\d.])\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}(?!\d)")
#: procedure code in the national catalogue, e.g. 1.001193
PROCEDURE_CODE = re.compile(r"(?<![\d.])\d\.\d{6}(?!\d)")
WATCH_USER = "watch"  # the clerk account batches from the hot folder are recorded under
MAX_RESUMES = 3  # a file whose documents stay pending is sent through again this often
COMPACT_AFTER = 5000  # journal lines appended before it is rewritten with open entries only
OPEN_STATES = {"claimed", "submitted", "dispatched"}

Signature = tuple[int, int]  # (size, mtime_ns)


# -- what is a candidate ------------------------------------------------------------


def skipped_dir(parts: tuple[str, ...]) -> bool:
    """``parts``: a folder's path relative to the hot folder."""
    return (len(parts) == 1 and parts[0] in TOP_LEVEL_SKIPPED) or any(
        p.startswith(".") for p in parts
    )


def skipped_file(name: str) -> bool:
    low = name.lower()
    return (
        name.startswith((".", "~$"))
        or low.endswith((".tmp", ".part"))
        or low in DESKTOP_JUNK
        or low.endswith(COMPANIONS)
    )


def codes_in(folder: str) -> tuple[str | None, str | None]:
    """(dossier code, procedure code) carried by the folder's name or the nearest parent's."""
    dossier = procedure = None
    for part in reversed(PurePosixPath(folder).parts):
        if dossier is None and (m := DOSSIER_CODE.search(part)):
            dossier = m.group()
        if procedure is None and (m := PROCEDURE_CODE.search(part)):
            procedure = m.group()
    return dossier, procedure


def _signature(path: Path) -> Signature:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check_dir(root: Path) -> None:
    if not root.is_dir():
        raise BadInput(f"Không tìm thấy thư mục quét: {root}")
    if not os.access(root, os.R_OK | os.W_OK | os.X_OK):
        raise BadInput(f"Không ghi được vào thư mục quét: {root}")


# -- settling -----------------------------------------------------------------------


class Settler:
    """Which files have kept the same size and mtime for ``settle`` seconds."""

    def __init__(self, settle: float) -> None:
        self.settle = settle
        self._seen: dict[str, tuple[int, int, float]] = {}  # rel → (size, mtime_ns, since)
        self._now = 0.0

    def ready(self, current: dict[str, Signature], now: float) -> list[str]:
        seen: dict[str, tuple[int, int, float]] = {}
        out = []
        for rel, sig in current.items():
            prev = self._seen.get(rel)
            since = prev[2] if prev is not None and prev[:2] == sig else now
            seen[rel] = (*sig, since)
            if now - since >= self.settle:
                out.append(rel)
        self._seen, self._now = seen, now
        return sorted(out)

    def trust(self, rel: str, sig: Signature) -> None:
        """Known to have settled already (a claimed file found again): no waiting."""
        self._seen[rel] = (*sig, float("-inf"))

    def settling(self) -> bool:
        """Some file seen in the last round has not settled yet."""
        return any(self._now - since < self.settle for _, _, since in self._seen.values())


# -- the journal --------------------------------------------------------------------


class Journal:
    """``journal.jsonl``: one JSON object per line, the latest per path wins. A file is
    *open* (claimed, submitted or dispatched) until it has been moved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.open: dict[str, dict[str, Any]] = {}
        self._appended = 0

    def load(self) -> None:
        state: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8") as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue  # a line torn by a crash mid-write
                    if not isinstance(rec, dict) or not isinstance(rec.get("path"), str):
                        continue
                    if rec.get("state") == "claimed":
                        state[rec["path"]] = rec
                    else:
                        state[rec["path"]] = {**state.get(rec["path"], {}), **rec}
        self.open = {p: e for p, e in state.items() if e.get("state") in OPEN_STATES}

    def record(self, records: Iterable[dict[str, Any]]) -> None:
        lines = []
        for rec in records:
            rec = {**rec, "at": datetime.now(VN).isoformat(timespec="seconds")}
            path = rec["path"]
            fresh = rec.get("state") == "claimed"
            merged = rec if fresh else {**self.open.get(path, {}), **rec}
            if merged.get("state") in OPEN_STATES:
                self.open[path] = merged
            else:
                self.open.pop(path, None)
            lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
        if not lines:
            return
        with self.path.open("a", encoding="utf-8") as f:
            f.writelines(lines)
            f.flush()
            os.fsync(f.fileno())
        self._appended += len(lines)
        if self._appended >= COMPACT_AFTER:
            self.compact()

    def compact(self) -> None:
        """Rewrite the journal with the open entries only (atomically)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for entry in self.open.values():
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._appended = 0


# -- the watcher --------------------------------------------------------------------


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


class Watcher:
    """Polls a hot folder. ``local``: ``dispatch`` runs the work and returns when it is
    done (``hoso watch``); otherwise it only queues it (``hoso serve``: Celery) and later
    polls move the files once their documents are finished."""

    def __init__(
        self,
        container: Container,
        root: Path,
        dispatch: Dispatch,
        *,
        local: bool,
        settle: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.container = container
        self.root = root.resolve()
        self.settle = settle
        self.local = local
        self._dispatch = dispatch
        self._clock = clock
        self._settler = Settler(settle)
        self._journal = Journal(self.root / STATE_DIR / "journal.jsonl")
        self._lock: int | None = None
        self._user_id: int | None = None
        self._busy: set[str] = set()  # files of groups in flight: not scanned
        self._in_flight: list[Group] = []
        self._outbox: list[tuple[Group, list[Message]]] = []
        self._unreadable: set[tuple[str, Signature]] = set()

    # -- lifecycle -------------------------------------------------------------------
    def open(self) -> Watcher:
        """Check the folder, take its lock and note what a previous run left open."""
        check_dir(self.root)
        state = self.root / STATE_DIR
        try:
            state.mkdir(exist_ok=True)
            fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise BadInput(f"Không ghi được vào thư mục quét {self.root}: {e.strerror}") from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            raise Conflict(
                f"Thư mục quét {self.root} đang được một tiến trình khác theo dõi "
                "(hoso watch hoặc hoso serve)"
            ) from e
        self._lock = fd
        try:
            self._journal.load()
            gone = []
            for rel, entry in self._journal.open.items():
                try:
                    sig = _signature(self.root / rel)
                except FileNotFoundError:
                    # Moved just before the crash (it is in done/ or failed/), or removed.
                    log.warning("Tệp %s đã nhận dở nhưng không còn trong thư mục quét", rel)
                    gone.append({"path": rel, "state": "gone"})
                    continue
                if [entry.get("size"), entry.get("mtime_ns")] == list(sig):
                    self._settler.trust(rel, sig)  # it had settled when claimed: no waiting
            self._journal.record(gone)
            self._journal.compact()
            with self.container.uow() as uow:
                user = ensure_user(uow, WATCH_USER, Role.CLERK)
                uow.commit()
                self._user_id = user.id
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # releases the flock
            self._lock = None

    # -- rounds ----------------------------------------------------------------------
    def poll(self) -> list[dict[str, Any]]:
        """One round: finish groups whose documents are done, take settled files."""
        results = self._finish()
        current = self._scan()
        groups: dict[str, list[tuple[str, Signature]]] = {}
        for rel in self._settler.ready(current, self._clock()):
            groups.setdefault(PurePosixPath(rel).parent.as_posix(), []).append((rel, current[rel]))
        try:
            for folder, files in sorted(groups.items()):
                self._start(folder, files)
        except Exception:
            self._flush()  # what was received gets processed; the rest stays claimed
            raise
        self._flush()
        results += self._finish()
        if self.local:
            # The pool returned but a file is still pending (a step crashed): the files go
            # back to the scan, which sends their documents through again.
            for group in self._in_flight:
                self._release(group)
            self._in_flight = []
        return results

    def once(self, sleep: Callable[[float], None] = time.sleep) -> list[dict[str, Any]]:
        """What is in the folder now; files still growing after ``settle`` are left."""
        results = self.poll()
        if self._settler.settling():
            sleep(self.settle + 0.05)
            results += self.poll()
        return results

    def _scan(self) -> dict[str, Signature]:
        found: dict[str, Signature] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            parts = Path(dirpath).relative_to(self.root).parts
            dirnames[:] = sorted(d for d in dirnames if not skipped_dir((*parts, d)))
            for name in filenames:
                if skipped_file(name):
                    continue
                rel = PurePosixPath(*parts, name).as_posix()
                if rel in self._busy:
                    continue
                try:
                    st = os.lstat(os.path.join(dirpath, name))
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    found[rel] = (st.st_size, st.st_mtime_ns)
        return found

    def _start(self, folder: str, files: list[tuple[str, Signature]]) -> None:
        dossier, procedure = codes_in(folder)
        group = Group(folder if folder != "." else "", None, dossier, procedure)
        fresh: list[Job] = []
        resume: list[Message] = []
        for rel, sig in files:
            path = self.root / rel
            try:
                # Unchanged since it was seen settled, and while it was hashed; otherwise
                # it is still being written and the settler sees the change next round.
                if _signature(path) != sig:
                    continue
                sha = _sha256(path)
                if _signature(path) != sig:
                    continue
            except FileNotFoundError:
                continue
            except OSError as e:
                if (rel, sig) not in self._unreadable:
                    self._unreadable.add((rel, sig))
                    log.warning("Không đọc được tệp %s: %s", rel, e.strerror)
                continue
            entry = self._journal.open.get(rel)
            if entry is not None and entry.get("sha256") == sha:
                recovered = self._recover(Job(rel, sig, sha), entry, resume)
                if recovered is not None:
                    group.jobs.append(recovered)
                    group.batch_id = group.batch_id or entry.get("batch_id")
                    continue
            fresh.append(Job(rel, sig, sha))
        if fresh:
            self._journal.record(
                {"path": j.rel, "state": "claimed", "size": j.sig[0], "mtime_ns": j.sig[1]}
                | {"sha256": j.sha256}
                for j in fresh
            )
            self._receive(group, fresh)
        if not group.jobs:
            return
        if dossier or procedure:
            log.info(
                "Lô %s (thư mục '%s'):%s%s",
                group.batch_id,
                group.folder,
                f" mã hồ sơ {dossier}" if dossier else "",
                f" mã thủ tục {procedure}" if procedure else "",
            )
        self._busy.update(j.rel for j in group.jobs)
        self._in_flight.append(group)
        if resume:
            self._outbox.append((group, resume))

    def _receive(self, group: Group, fresh: list[Job]) -> None:
        """The ``hoso ingest`` path: one batch, each file streamed in by ``receive_file``."""
        settings = self.container.settings
        assert self._user_id is not None
        batch_id = create_batch(self.container.uow, self._user_id, settings.ocr_language)
        group.batch_id = batch_id
        messages: list[Message] = []
        try:
            for job in fresh:
                try:
                    with (self.root / job.rel).open("rb") as f:
                        received = receive_file(
                            self.container.uow,
                            self.container.store,
                            batch_id,
                            PurePosixPath(job.rel).name,
                            f,
                            max_bytes=settings.max_file_mb * 1024 * 1024,
                        )
                except FileNotFoundError:
                    self._journal.record([{"path": job.rel, "state": "gone"}])
                    continue
                job.error = received.error
                if received.duplicate is not None:
                    job.note = received.duplicate.message
                    job.earlier_source = received.duplicate.source_id
                elif received.error is None:
                    job.source_id = received.source_id
                messages.extend(received.messages)
                self._journal.record(
                    [
                        {
                            "path": job.rel,
                            "state": "submitted",
                            "batch_id": batch_id,
                            "source_id": received.source_id,
                            "error": job.error,
                            "note": job.note,
                            "earlier_source": job.earlier_source,
                        }
                    ]
                )
                group.jobs.append(job)
        finally:
            if messages:
                self._outbox.append((group, messages))

    def _recover(self, job: Job, entry: dict[str, Any], resume: list[Message]) -> Job | None:
        """A file claimed by an earlier round or run. None: its bytes never made it in."""
        if entry.get("note"):  # a duplicate: nothing was processed for it
            job.note, job.earlier_source = entry["note"], entry.get("earlier_source")
            return job
        known = self._processed(job.sha256)
        if known is None:
            if entry.get("error"):  # refused before: refused again, no new batch
                job.error = entry["error"]
                return job
            return None
        job.source_id, outcome = known
        if outcome.state != "pending":
            return job
        # Pending. Local mode: whatever ran it died with the pool. Serve mode: only if the
        # messages were never handed to Celery; otherwise they wait in the broker.
        if self.local or entry.get("state") != "dispatched":
            resumes = int(entry.get("resumes", 0))
            if resumes >= MAX_RESUMES:
                job.error = f"bị gián đoạn {resumes} lần khi xử lý và vẫn chưa xong"
                job.source_id = None
                return job
            self._journal.record([{"path": job.rel, "state": "submitted", "resumes": resumes + 1}])
            resume += self._resume_messages(job.source_id)
        return job

    def _flush(self) -> None:
        if not self._outbox:
            return
        outbox, self._outbox = self._outbox, []
        self._dispatch([m for _, messages in outbox for m in messages])
        self._journal.record(
            {"path": j.rel, "state": "dispatched"}
            for group, _ in outbox
            for j in group.jobs
            if j.rel in self._journal.open
        )

    def _finish(self) -> list[dict[str, Any]]:
        results = []
        for group in list(self._in_flight):
            outcomes = self._outcomes(
                [j.source_id for j in group.jobs if j.source_id is not None]
                + [j.earlier_source for j in group.jobs if j.earlier_source is not None]
            )
            if any(
                j.source_id is not None and outcomes[j.source_id].state == "pending"
                for j in group.jobs
            ):
                continue
            self._in_flight.remove(group)
            results.append(self._close(group, outcomes))
        return results

    def _release(self, group: Group) -> None:
        for job in group.jobs:
            self._busy.discard(job.rel)
            self._settler.trust(job.rel, job.sig)

    def _close(self, group: Group, outcomes: dict[int, Outcome]) -> dict[str, Any]:
        attached: list[int] = []
        found = None
        if group.dossier_code:
            found = self._dossier_exists(group.dossier_code)
            if found:
                attached = self._attach(group, outcomes)
                log.info(
                    "Lô %s: đã gắn %d tài liệu vào hồ sơ %s",
                    group.batch_id,
                    len(attached),
                    group.dossier_code,
                )
            else:
                log.warning(
                    "Lô %s: không tìm thấy hồ sơ mã %s (thư mục '%s'); tài liệu chưa được gắn",
                    group.batch_id,
                    group.dossier_code,
                    group.folder,
                )
        day = datetime.now(VN).date().isoformat()
        done: list[str] = []
        failed: list[dict[str, str]] = []
        duplicates: list[dict[str, Any]] = []
        records = []
        for job in group.jobs:
            message = job.error
            if message is None and job.source_id is not None:
                message = outcomes[job.source_id].message
            outcome = DONE if message is None else FAILED
            try:
                target = self._move(job, outcome, day, group.batch_id, message, outcomes)
            except FileNotFoundError:
                log.warning("Tệp %s không còn trong thư mục quét khi chuyển đi", job.rel)
                records.append({"path": job.rel, "state": "gone"})
            except OSError as e:
                # Left in place, entry still open: a later round tries again.
                log.error("Không chuyển được tệp %s: %s", job.rel, e)
                failed.append({"file": job.rel, "message": f"không chuyển được tệp: {e.strerror}"})
                self._release(Group("", None, None, None, [job]))
                continue
            else:
                to = target.relative_to(self.root).as_posix()
                records.append({"path": job.rel, "state": outcome, "to": to})
            self._busy.discard(job.rel)
            if message is not None:
                failed.append({"file": job.rel, "message": message})
            else:
                done.append(job.rel)
                if job.note:
                    earlier = outcomes.get(job.earlier_source or -1)
                    duplicates.append(
                        {
                            "file": job.rel,
                            "document_ids": [d for d, _ in earlier.documents] if earlier else [],
                            "message": job.note,
                        }
                    )
        self._journal.record(records)
        result: dict[str, Any] = {
            "batch_id": group.batch_id,
            "folder": group.folder,
            "files": [j.rel for j in group.jobs],
            "done": done,
            "failed": failed,
            "duplicates": duplicates,
        }
        if group.dossier_code:
            result |= {
                "dossier_code": group.dossier_code,
                "dossier_found": found,
                "attached": attached,
            }
        if group.procedure_code:
            result["procedure_code"] = group.procedure_code
        return result

    def _move(
        self,
        job: Job,
        outcome: str,
        day: str,
        batch_id: int | None,
        message: str | None,
        outcomes: dict[int, Outcome],
    ) -> Path:
        """Into ``outcome/day/rel`` under a free name, its error or note file beside it."""
        src = self.root / job.rel
        if not src.exists():
            raise FileNotFoundError(src)
        wanted = self.root / outcome / day / job.rel
        target = wanted
        n = 0
        while target.exists() or any(
            target.with_name(target.name + c).exists() for c in COMPANIONS
        ):
            n += 1
            target = wanted.with_name(f"{wanted.stem}-{n}{wanted.suffix}")
        target.parent.mkdir(parents=True, exist_ok=True)
        text, companion = (
            (message, ".error.txt") if message is not None else (job.note, ".note.txt")
        )
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

    # -- database --------------------------------------------------------------------
    def _outcomes(self, source_ids: list[int]) -> dict[int, Outcome]:
        if not source_ids:
            return {}
        d = documents_table
        with self.container.uow() as uow:
            rows = uow.session.execute(
                select(d.c.source_file_id, d.c.id, d.c.status, d.c.error)
                .where(d.c.source_file_id.in_(set(source_ids)))
                .order_by(d.c.id)
            ).all()
        by_source: dict[int, list[tuple[int, str, str | None]]] = {}
        for source_id, doc_id, status, error in rows:
            by_source.setdefault(source_id, []).append((doc_id, str(status), error))
        out = {}
        for source_id in source_ids:
            docs = by_source.get(source_id, [])
            pairs = [(doc_id, status) for doc_id, status, _ in docs]
            failures = [(doc_id, e) for doc_id, status, e in docs if status == "failed"]
            if not docs:
                out[source_id] = Outcome("failed", [], "không có tài liệu nào được tạo từ tệp")
            elif any(status == "pending" for _, status, _ in docs):
                out[source_id] = Outcome("pending", pairs)
            elif failures:
                if len(docs) == 1:
                    message = failures[0][1] or "xử lý tài liệu bị lỗi"
                else:
                    message = "; ".join(f"tài liệu {i}: {e or 'bị lỗi'}" for i, e in failures)
                out[source_id] = Outcome("failed", pairs, message)
            else:
                out[source_id] = Outcome("done", pairs)
        return out

    def _processed(self, sha: str) -> tuple[int, Outcome] | None:
        """The source file with these bytes that has documents (a finished one first)."""
        sf, d = source_files_table, documents_table
        with self.container.uow() as uow:
            ids = list(
                uow.session.scalars(
                    select(sf.c.id)
                    .where(sf.c.sha256 == sha, sf.c.id.in_(select(d.c.source_file_id)))
                    .order_by(sf.c.id.desc())
                )
            )
        if not ids:
            return None
        outcomes = self._outcomes(ids)
        rank = {"done": 0, "pending": 1, "failed": 2}
        best = min(ids, key=lambda i: rank[outcomes[i].state])  # ties: the latest
        return best, outcomes[best]

    def _resume_messages(self, source_id: int) -> list[Message]:
        """Send a pending source through again. Every step is idempotent: ``split_source``
        splits it if that never happened and resends its pending pages; a finished page
        sent again does no OCR and only re-derives what follows its file's last page."""
        d, p = documents_table, pages_table
        with self.container.uow() as uow:
            page = uow.session.scalar(
                select(p.c.id)
                .join(d, d.c.id == p.c.document_id)
                .where(d.c.source_file_id == source_id, p.c.status == PageStatus.DONE)
                .limit(1)
            )
        return [Message("split_source", source_id)] + ([Message("ocr_page", page)] if page else [])

    def _dossier_exists(self, code: str) -> bool:
        with self.container.uow() as uow:
            try:
                find(uow, code)
            except NotFound:
                return False
        return True

    def _attach(self, group: Group, outcomes: dict[int, Outcome]) -> list[int]:
        """The folder's dossier gets every finished document of its files (a file dropped
        again brings its earlier documents)."""
        attached = []
        for job in group.jobs:
            source = job.source_id if job.source_id is not None else job.earlier_source
            if job.error is not None or source is None:
                continue
            for doc, status in outcomes[source].documents:
                if status != "done":
                    continue
                try:
                    attach(
                        self.container.uow,
                        group.dossier_code,  # type: ignore[arg-type]
                        doc,
                        role="submitted",
                        reused=False,
                        user_id=self._user_id,
                    )
                except HosoError as e:
                    log.warning("Không gắn được tài liệu %s vào hồ sơ: %s", doc, e.message)
                    continue
                attached.append(doc)
                self.container.pipeline.reindex_document(doc)  # search by its procedure
        return attached


# -- running it ---------------------------------------------------------------------


def summary(result: dict[str, Any]) -> str:
    """One line per batch, for a clerk."""
    head = f"Lô {result['batch_id']}" if result["batch_id"] else "Không tạo lô mới"
    counts = [
        f"{len(result['files'])} tệp",
        f"{len(result['done'])} xong",
        f"{len(result['failed'])} lỗi",
    ]
    if result["duplicates"]:
        counts.append(f"{len(result['duplicates'])} trùng")
    line = f"{head} [{result['folder'] or '.'}]: " + ", ".join(counts)
    if "dossier_code" in result:
        code = result["dossier_code"]
        line += (
            f"; hồ sơ {code}: đã gắn {len(result['attached'])} tài liệu"
            if result["dossier_found"]
            else f"; không tìm thấy hồ sơ {code}, chưa gắn tài liệu"
        )
    if "procedure_code" in result:
        line += f"; thủ tục {result['procedure_code']}"
    return line


def local_dispatch(container: Container, workers: int | None = None) -> Dispatch:
    """Run the messages in a local process pool and return when everything is done."""

    def dispatch(messages: list[Message]) -> None:
        from hoso.local import run_locally

        container.engine.dispose()  # no connections shared with the pool's processes
        run_locally(container.settings, messages, workers=workers or container.settings.workers)

    return dispatch


def _log_to_stderr() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s hoso watch: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def watch_command(args: argparse.Namespace) -> int:
    """``hoso watch DIR [--once] [--settle S] [--interval S] [--json]``."""
    from hoso.bootstrap import bootstrap

    if args.settle < 0 or args.interval <= 0:
        raise BadInput("--settle phải ≥ 0 và --interval phải > 0 (giây)")
    root = Path(args.dir)
    check_dir(root)  # before migrations: a wrong folder is said at once
    container = bootstrap()
    _log_to_stderr()
    watcher = Watcher(container, root, local_dispatch(container), local=True, settle=args.settle)
    watcher.open()
    any_failed = False

    def emit(results: list[dict[str, Any]]) -> None:
        nonlocal any_failed
        for r in results:
            any_failed = any_failed or bool(r["failed"])
            if args.json:
                print(json.dumps(r, ensure_ascii=False), flush=True)
            else:
                print(summary(r), flush=True)
                for f in r["failed"]:
                    print(f"LỖI {f['file']}: {f['message']}", file=sys.stderr, flush=True)

    try:
        if args.once:
            results = watcher.once()
            emit(results)
            if not results and not args.json:
                print("Không có tệp mới.")
            return 2 if any_failed else 0
        log.info("đang theo dõi %s (Ctrl-C để dừng)", watcher.root)
        while True:
            try:
                emit(watcher.poll())
            except HosoError as e:
                log.error("%s", e.message)
            except Exception:
                log.exception("lỗi trong một lượt quét; thử lại sau %s giây", args.interval)
            time.sleep(args.interval)
    finally:
        watcher.close()


class WatchThread:
    """``hoso serve`` with ``HOSO_WATCH_DIR``: the watcher in a thread, work sent to Celery.

    A folder that is missing or locked (a network share not mounted yet) is tried again
    every ``interval`` seconds; the reason is logged once per change.
    """

    def __init__(
        self,
        container: Container,
        root: Path,
        dispatch: Dispatch,
        *,
        interval: float = 2.0,
        settle: float = 2.0,
    ) -> None:
        self.container = container
        self.root = root
        self.dispatch = dispatch
        self.interval = interval
        self.settle = settle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hoso-watch", daemon=True)

    def start(self) -> WatchThread:
        _log_to_stderr()
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        watcher: Watcher | None = None
        last_problem = None
        while not self._stop.is_set():
            try:
                if watcher is None:
                    watcher = Watcher(
                        self.container, self.root, self.dispatch, local=False, settle=self.settle
                    ).open()
                    log.info("đang theo dõi thư mục quét %s", watcher.root)
                    last_problem = None
                for r in watcher.poll():
                    log.info("%s", summary(r))
                    for f in r["failed"]:
                        log.warning("LỖI %s: %s", f["file"], f["message"])
            except HosoError as e:
                if e.message != last_problem:
                    log.warning("%s", e.message)
                    last_problem = e.message
            except Exception:
                log.exception("lỗi trong một lượt quét thư mục %s", self.root)
            self._stop.wait(self.interval)
        if watcher is not None:
            watcher.close()

"""The watcher: each round takes the settled files of the hot folder, receives them as one
batch per folder, dispatches their work and moves them once their documents are done."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from hoso.bootstrap import Container
from hoso.watch.db import dossier_exists, processed, resume_messages
from hoso.watch.db import outcomes as outcomes_of
from hoso.watch.jobs import Group, Job, Outcome
from hoso.watch.journal import VN, Journal
from hoso.watch.moving import move
from hoso.watch.scan import (
    DONE,
    FAILED,
    STATE_DIR,
    Settler,
    Signature,
    check_dir,
    codes_in,
    file_sha256,
    file_signature,
    scan,
)
from ingest.pipeline import Message
from ingest.upload import create_batch, receive_file
from records.errors import BadInput, Conflict, HosoError
from records.model import Role
from records.users import ensure_user
from records.workflow import attach

log = logging.getLogger("hoso.watch")

Dispatch = Callable[[list[Message]], None]

WATCH_USER = "watch"  # the clerk account batches from the hot folder are recorded under
MAX_RESUMES = 3  # a file whose documents stay pending is sent through again this often


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
                    sig = file_signature(self.root / rel)
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
        current = scan(self.root, self._busy)
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
                if file_signature(path) != sig:
                    continue
                sha = file_sha256(path)
                if file_signature(path) != sig:
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
        known = processed(self.container, job.sha256)
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
            resume += resume_messages(self.container, job.source_id)
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
            outcomes = outcomes_of(
                self.container,
                [j.source_id for j in group.jobs if j.source_id is not None]
                + [j.earlier_source for j in group.jobs if j.earlier_source is not None],
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
            found = dossier_exists(self.container, group.dossier_code)
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
                target = move(self.root, job, outcome, day, group.batch_id, message, outcomes)
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

"""The hot folder's candidates: which files and folders count, which have settled."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path, PurePosixPath

from records.errors import BadInput

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


def file_signature(path: Path) -> Signature:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check_dir(root: Path) -> None:
    if not root.is_dir():
        raise BadInput(f"Không tìm thấy thư mục quét: {root}")
    if not os.access(root, os.R_OK | os.W_OK | os.X_OK):
        raise BadInput(f"Không ghi được vào thư mục quét: {root}")


def scan(root: Path, busy: set[str]) -> dict[str, Signature]:
    """Every candidate file under ``root`` (those in ``busy`` left out) with its signature."""
    found: dict[str, Signature] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        parts = Path(dirpath).relative_to(root).parts
        dirnames[:] = sorted(d for d in dirnames if not skipped_dir((*parts, d)))
        for name in filenames:
            if skipped_file(name):
                continue
            rel = PurePosixPath(*parts, name).as_posix()
            if rel in busy:
                continue
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found[rel] = (st.st_size, st.st_mtime_ns)
    return found


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

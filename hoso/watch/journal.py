"""``journal.jsonl``: what the watcher claimed, submitted, dispatched and moved."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COMPACT_AFTER = 5000  # journal lines appended before it is rewritten with open entries only
OPEN_STATES = {"claimed", "submitted", "dispatched"}


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

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

from hoso.watch.command import WatchThread, local_dispatch, summary, watch_command
from hoso.watch.journal import Journal
from hoso.watch.scan import (
    DONE,
    FAILED,
    STATE_DIR,
    Settler,
    check_dir,
    codes_in,
    skipped_dir,
    skipped_file,
)
from hoso.watch.watcher import Dispatch, Watcher

__all__ = [
    "DONE",
    "FAILED",
    "STATE_DIR",
    "Dispatch",
    "Journal",
    "Settler",
    "WatchThread",
    "Watcher",
    "check_dir",
    "codes_in",
    "local_dispatch",
    "skipped_dir",
    "skipped_file",
    "summary",
    "watch_command",
]

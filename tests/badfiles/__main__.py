"""``python -m tests.badfiles [FOLDER]``: rewrite the committed files and their README."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.badfiles.common import BAD
from tests.badfiles.readme import write_committed

write_committed(Path(sys.argv[1]) if len(sys.argv) > 1 else BAD)

"""Writing the committed files and their README (``python -m tests.badfiles``)."""

from __future__ import annotations

from pathlib import Path

from tests.badfiles.common import BAD, BadFile
from tests.badfiles.corpus import CORPUS

README_HEAD = """\
# Hostile and broken uploads (fixtures)

Each file here is written by `tests/badfiles/` (`python -m tests.badfiles` rewrites them
and this README); `tests/integration/test_hostile_input.py` drives every one through
upload (sniffing, intake) and the pipeline (page count, page images, assembly) and checks
the outcome below, within a time limit. Files marked *generated* are too large to commit
and are written at test time. Messages are the clerk's (Vietnamese); the fragment quoted
is what the tests look for.

Decisions:

- **Nothing in a PDF is ever executed.** JavaScript, /Launch, /OpenAction, /AA and
  attachments are ignored: we only count pages, extract a page's scan image or render
  the page with `pdftoppm`, and the searchable PDF we keep is rebuilt from page images,
  so none of them survives (the tests check it has no /JavaScript, /JS, /Launch,
  /OpenAction, /AA or /EmbeddedFiles).
- **Truncated JPEGs are refused**, not patched with grey: the bottom of the page is
  missing and only the clerk can upload the whole scan again.
- **Born-digital PDFs are rendered** to a page image like any page that is not a plain
  scan. Their words then come from the PDF itself when the pipeline's born-digital path
  (`ocr/born_digital.py`) accepts the page, else from OCR of the rendered image; the
  tests check the words are found, and that real OCR reads the rendered page.
- **Page counts come from the real page tree** (qpdf walks it), never from /Count.
- **Rotated pages** (/Rotate on the page or inherited, or a turn or mirror in the drawing
  matrix, or a /Decode, mask or CMYK image) are rendered by poppler, which draws them as
  a reader would, instead of extracting the embedded image as stored.
- **Images are normalised only when needed**: alpha is laid over white, 16-bit is scaled
  to 8-bit, CMYK becomes RGB, EXIF orientation is applied; plain JPEG/PNG pass through
  byte for byte.

Known limits: an inline image (`BI … ID … EI`) is not size-checked before rendering, and
a content stream that is merely slow to draw (content-bomb.pdf) is stopped only by the
render deadline (`Limits.render_timeout`, 120 s by default): it holds a worker that long.

| file | what it is | expected outcome |
|---|---|---|
"""


def _row(b: BadFile) -> str:
    name = b.file + (" *(generated)*" if b.generated else "")
    what = b.what
    if b.upload_name is not None:
        shown = ascii(b.upload_name)
        what += f" (upload name `{shown if len(shown) < 60 else shown[:56] + '…'}`)"
    return f"| `{name}` | {what.replace('|', '/')} | {b.expect} |"


def write_committed(folder: Path = BAD) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for b in CORPUS:
        if not b.generated:
            b.make(folder / b.file)
    rows = "\n".join(_row(b) for b in CORPUS)
    (folder / "README.md").write_text(README_HEAD + rows + "\n", encoding="utf-8")

"""What pipeline steps pass on: the next step's name and the ID it works on (Celery
messages carry IDs only). A module of its own so that receiving files does not import
the whole pipeline (OCR, PDF, classification)."""

from __future__ import annotations

from dataclasses import dataclass

#: every step a Message can name; the Celery app registers exactly these
STEPS = ("split_source", "ocr_page", "group_source", "assemble_document")


@dataclass(frozen=True)
class Message:
    task: str  # split_source | ocr_page | group_source | assemble_document
    id: int

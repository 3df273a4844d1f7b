"""Printable forms of Circular 01/2018/TT-VPCP (one-stop offices) as A5 PDFs.

Fill the frozen dataclasses from ``forms.model`` and call a renderer; each returns the
PDF's bytes, identical for identical input.
"""

from forms.model import (
    Agency,
    Apology,
    DossierSlip,
    Person,
    ReceivedDocument,
    Refusal,
    SupplementRequest,
)
from forms.pdf import apology_pdf, receipt_pdf, refusal_pdf, supplement_request_pdf
from forms.sheets import separator_sheets_pdf
from forms.text import lookup_link, qr_text

__all__ = [
    "Agency",
    "Apology",
    "DossierSlip",
    "Person",
    "ReceivedDocument",
    "Refusal",
    "SupplementRequest",
    "apology_pdf",
    "lookup_link",
    "qr_text",
    "receipt_pdf",
    "refusal_pdf",
    "separator_sheets_pdf",
    "supplement_request_pdf",
]

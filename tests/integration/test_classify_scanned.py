"""Classification and field extraction on scanned pages: one HOLD-OUT document per type
(templates never used in training) rendered, degraded like a scan and read by the
pipeline's OCR step (real Tesseract), then classified by the product's initial model.

The same path as ``python -m bench.classify`` (which runs it on ~10 documents per type),
with another seed.
"""

from __future__ import annotations

import pytest

from bench.classify import read_scans, understand
from classify import SyntheticSource, train
from classify.evaluate import field_scores, same_value
from classify.training import holdout_documents
from classify.types import codes

pytestmark = pytest.mark.slow

SEED = 2  # the benchmark uses seed 1


def test_scanned_holdout_documents_are_classified_and_read() -> None:
    pytest.importorskip("tesserocr", reason="the tesserocr engine is what the pipeline uses")
    model = train(SyntheticSource())  # what hoso trains when it starts without a model
    docs = holdout_documents(1, seed=SEED)
    assert sorted(d.type for d in docs) == sorted(codes())
    reads = read_scans(docs, SEED, workers=2)
    found = [understand(model, [(r.text, r.words)]) for r in reads]

    wrong = [
        (d.type, u.prediction.type, u.prediction.confidence)
        for d, u in zip(docs, found, strict=True)
        if u.prediction.type != d.type
    ]
    assert not wrong, wrong
    # The applicant's ID number is exact on every document that carries one.
    for d, u in zip(docs, found, strict=True):
        if "cccd" in d.fields:
            assert "cccd" in u.fields and u.fields["cccd"].value == d.fields["cccd"], d.template
    scores = field_scores([(d.fields, u.fields) for d, u in zip(docs, found, strict=True)])
    tp = sum(s.tp for s in scores.values())
    fp = sum(s.fp for s in scores.values())
    fn = sum(s.fn for s in scores.values())
    assert tp / (tp + (fp + fn) / 2) >= 0.95, scores
    # Every field found is found in the OCR word boxes (for the highlight on the page).
    for u in found:
        assert all(n > 0 for n in u.located.values()), u.located
    # Names match the truth closely, not just anywhere on the page.
    for d, u in zip(docs, found, strict=True):
        if "ho_ten" in d.fields and "ho_ten" in u.fields:
            assert same_value("ho_ten", d.fields["ho_ten"], u.fields["ho_ten"].value)

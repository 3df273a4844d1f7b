"""Document-type accuracy, field precision/recall and cost of ``classify`` vs OCR.

The classifier is trained on generated training texts (``SyntheticSource``: synth's page
templates + ``synth.templates_typed`` + ``synth.templates_typed2``, at least two templates
per type, OCR-like noise; its type confidence calibrated by a temperature fitted on
leave-one-template-out predictions) and evaluated on a HOLD-OUT set made
only with ``synth.templates_holdout`` (other wording and layout, never used for training).

Default (scanned pages): each hold-out document is rendered on an A4 page in a drawn font
and layout and degraded like a scan (``synth.scan``: skew within ±1.5°, 1 in 10 upside
down, paper tone, shadows, blur, noise, specks, JPEG; greyscale at 200/240/300 dpi), then
read by the pipeline's own OCR step (``ocr.page.ocr_page`` with the tesserocr engine,
language ``vie``: sheet check, orientation, deskew, recognition), in a pool of worker
processes (``--workers``, one page at a time each, ``OMP_THREAD_LIMIT=1``).  As the
pipeline does, the type is predicted from the pages' OCR text and fields are extracted from
it with the predicted type; each field is then located in the OCR word boxes.

``--text`` instead evaluates on the generated texts with simulated OCR noise (fast).

Prints type accuracy overall and per type, a confusion matrix (rows = truth, columns =
prediction), field precision/recall/F1 per key (free-text keys match when ≥ 90 % similar
after folding, the others exactly), the reliability of the type confidence (expected
calibration error and accuracy per confidence bucket), and classification + extraction
time per page against the OCR time per page (CPU seconds in the same run; ``--text``
times ``tesseract -l vie`` on 3 pages instead).  Targets: ≥ 97 % type accuracy, ≥ 0.95
F1 per key, classify+extract < 5 % of OCR time.  Exit status 0 when all are met.  Ends
with one JSON line.  Usage::

    .venv/bin/python -m bench.classify --per-type 10          # scanned pages (≈ 120 docs)
    .venv/bin/python -m bench.classify --text --train 60 --holdout 40
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import json_line, machine, pooled_cer, table
from classify import Field, Prediction, SyntheticSource, TrainedModel, extract, locate, train
from classify.evaluate import FieldScore, confusion, field_scores, reliability
from classify.training import LabelledDocument, holdout_documents, holdout_set
from classify.types import codes

SHORT = {
    "to_khai_khai_sinh": "KS",
    "giay_chung_sinh": "CS",
    "to_khai_xac_nhan_hon_nhan": "HN",
    "to_khai_khai_tu": "KT",
    "giay_uy_quyen": "UQ",
    "can_cuoc": "CC",
    "giay_xac_nhan_cu_tru": "CT",
    "don_dang_ky_dat_dai": "DK",
    "giay_chung_nhan_qsdd": "GCN",
    "trich_luc_ban_do": "TL",
    "quyet_dinh": "QD",
    "khac": "K",
}
TARGET_ACCURACY = 0.97
TARGET_F1 = 0.95
TARGET_SHARE = 0.05


# -- scanned pages: render, degrade, OCR in worker processes -----------------------------
@dataclass(frozen=True)
class ReadPage:
    """One scanned hold-out page as the OCR step read it."""

    index: int
    text: str  # OCR text (text.txt, as the pipeline stores it)
    words: list[dict[str, Any]]  # OCR word boxes (words.json)
    truth_text: str  # the lines drawn on the page
    complete: bool  # the whole document fitted on the page
    dpi: int
    skew: float
    turn: int
    turned_back: int  # what the OCR step turned (clockwise degrees)
    font: str
    jpeg: bool
    make_s: float  # rendering + degrading (not OCR)
    ocr_cpu_s: float
    ocr_wall_s: float


_ENGINE: Any = None
_WORK: Path | None = None


def _init_worker(work: str) -> None:
    global _ENGINE, _WORK
    from ocr.tesserocr_engine import TesserocrEngine

    _ENGINE, _WORK = TesserocrEngine(), Path(work)


def scan_and_read(job: tuple[int, LabelledDocument, str]) -> ReadPage:
    """Render and degrade one document (synth.scan), then the pipeline's OCR step on it."""
    from ocr.page import PageOptions, ocr_page
    from synth.scan import scan_document

    index, item, seed = job
    assert _WORK is not None
    t0 = time.perf_counter()
    page = scan_document(item.document.lines, random.Random(f"scan:{seed}:{index}"))
    path = page.save(_WORK, f"doc-{index:04d}")
    make_s = time.perf_counter() - t0
    out = _WORK / f"doc-{index:04d}-out"
    c0, w0 = time.process_time(), time.perf_counter()
    outcome = ocr_page(_ENGINE, path, out, PageOptions(language="vie", dpi=page.dpi))
    ocr_cpu, ocr_wall = time.process_time() - c0, time.perf_counter() - w0
    text = (out / "text.txt").read_text(encoding="utf-8") if outcome.kind == "page" else ""
    words = json.loads((out / "words.json").read_text()) if outcome.kind == "page" else []
    shutil.rmtree(out, ignore_errors=True)
    path.unlink()
    return ReadPage(
        index=index,
        text=text,
        words=words,
        truth_text=page.text,
        complete=page.complete,
        dpi=page.dpi,
        skew=page.skew,
        turn=page.turn,
        turned_back=outcome.turned,
        font=page.font,
        jpeg=page.jpeg_quality is not None,
        make_s=make_s,
        ocr_cpu_s=ocr_cpu,
        ocr_wall_s=ocr_wall,
    )


def read_scans(docs: Sequence[LabelledDocument], seed: int, workers: int) -> list[ReadPage]:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per worker, as hoso runs it
    with tempfile.TemporaryDirectory(prefix="hoso-bench-classify-") as work:
        jobs = [(i, d, str(seed)) for i, d in enumerate(docs)]
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(work,)) as pool:
            return list(pool.map(scan_and_read, jobs, chunksize=1))


# -- understanding, as the pipeline does it ----------------------------------------------
@dataclass
class Understood:
    prediction: Prediction
    fields: dict[str, Field]
    located: dict[str, int] = field(default_factory=dict)  # key -> boxes found
    cpu_s: float = 0.0
    wall_s: float = 0.0


def understand(
    model: TrainedModel, pages: Sequence[tuple[str, list[dict[str, Any]]]]
) -> Understood:
    """ingest.pipeline's ``_understand``: type from the first 3 pages' text, fields per page
    with the predicted type (the most confident per key); then the fields' word boxes."""
    c0, w0 = time.process_time(), time.perf_counter()
    texts = [t for t, _ in pages]
    prediction = model.predict("\n".join(texts[:3]))
    best: dict[str, tuple[Field, int]] = {}
    for number, text in enumerate(texts):
        for key, f in extract(text, prediction.type).items():
            if key not in best or f.confidence > best[key][0].confidence:
                best[key] = (f, number)
    located = {k: len(locate(f, pages[n][1], pages[n][0])) for k, (f, n) in best.items()}
    return Understood(
        prediction,
        {k: f for k, (f, _) in best.items()},
        located,
        time.process_time() - c0,
        time.perf_counter() - w0,
    )


# -- reporting ----------------------------------------------------------------------------
def calibration_line(model: TrainedModel) -> str:
    info = model.calibration
    if not info:
        return f"type confidence not calibrated (temperature {model.temperature})"
    return (
        f"type confidence calibrated: temperature {model.temperature:.3f}, fitted on "
        f"{info['held_out']:.0f} leave-one-template-out predictions (their accuracy "
        f"{info['held_out_accuracy']:.1%}; NLL {info['nll_before']} -> {info['nll_after']})"
    )


@dataclass(frozen=True)
class Scores:
    accuracy: float
    per_type: dict[str, float]
    review: float
    wrong: int
    review_wrong: int
    matrix: list[list[int]]
    fields: dict[str, FieldScore]
    ece: float
    buckets: list[Any]


def score(
    truth: Sequence[str],
    preds: Sequence[Prediction],
    field_pairs: Sequence[tuple[dict[str, str], dict[str, Field]]],
) -> Scores:
    labels = codes()
    guessed = [p.type for p in preds]
    pairs = list(zip(truth, guessed, strict=True))
    return Scores(
        accuracy=sum(t == g for t, g in pairs) / len(pairs),
        per_type={
            c: sum(t == g == c for t, g in pairs) / max(1, list(truth).count(c)) for c in labels
        },
        review=sum(p.needs_review for p in preds) / len(preds),
        wrong=sum(t != g for t, g in pairs),
        review_wrong=sum(p.needs_review for p, t in zip(preds, truth, strict=True) if p.type != t),
        matrix=confusion(truth, guessed, labels),
        fields=field_scores(field_pairs),
        **dict(
            zip(
                ("ece", "buckets"),
                reliability([p.confidence for p in preds], [t == g for t, g in pairs]),
                strict=True,
            )
        ),
    )


def print_scores(s: Scores, truth: Sequence[str], model: TrainedModel) -> None:
    labels = codes()
    print(table(["type", "n", "accuracy"], [(c, truth.count(c), s.per_type[c]) for c in labels]))
    print(
        f"\noverall type accuracy: {s.accuracy:.4f} (target >= {TARGET_ACCURACY}); sent to "
        f"review: {s.review:.1%} (threshold {model.settings.threshold}); misclassified: "
        f"{s.wrong}, of which flagged for review: {s.review_wrong}\n"
    )
    short = [SHORT.get(c, c) for c in labels]
    print("confusion (rows truth, columns predicted):")
    print(table(["", *short], [[x, *row] for x, row in zip(short, s.matrix, strict=True)]))
    print()
    rows = [(k, f.tp, f.fp, f.fn, f.precision, f.recall, f.f1) for k, f in s.fields.items()]
    print(table(["field", "tp", "fp", "fn", "precision", "recall", "F1"], rows))
    print(f"\nreliability of the type confidence: expected calibration error {s.ece:.4f}")
    print(
        table(
            ["confidence", "n", "mean confidence", "accuracy"],
            [
                (f"[{b.low:.2f}, {b.high:.2f})", b.n, b.mean_confidence, b.accuracy)
                for b in s.buckets
            ],
        )
    )


def scores_json(s: Scores) -> dict[str, object]:
    return {
        "type_accuracy": round(s.accuracy, 4),
        "per_type_accuracy": {c: round(a, 4) for c, a in s.per_type.items()},
        "review_share": round(s.review, 4),
        "calibration_ece": round(s.ece, 4),
        "reliability": [
            [b.low, b.high, b.n, round(b.mean_confidence, 4), round(b.accuracy, 4)]
            for b in s.buckets
        ],
        "fields": {
            k: {
                "precision": round(f.precision, 4),
                "recall": round(f.recall, 4),
                "f1": round(f.f1, 4),
            }
            for k, f in s.fields.items()
        },
    }


def met(s: Scores, share: float) -> bool:
    return (
        s.accuracy >= TARGET_ACCURACY
        and all(f.f1 >= TARGET_F1 for f in s.fields.values())
        and share < TARGET_SHARE
    )


def _show_errors(
    docs: Sequence[LabelledDocument], reads: Sequence[ReadPage], found: Sequence[Understood]
) -> None:
    from classify.evaluate import same_value

    for d, r, u in zip(docs, reads, found, strict=True):
        p = u.prediction
        if p.type != d.type:
            print(
                f"  #{r.index} {d.template}: {d.type} -> {p.type} ({p.confidence:.2f}, "
                f"{p.source}, title rule {p.title}); {r.dpi} dpi, {r.font}, turn {r.turn}"
            )
        for key, value in d.fields.items():
            got = u.fields.get(key)
            if got is None or not same_value(key, value, got.value):
                print(
                    f"  #{r.index} {d.template} {key}: {value!r} -> {got.value if got else None!r}"
                )


def run_scanned(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    model = train(SyntheticSource(args.train, seed=0, noise=args.noise))
    train_s = time.perf_counter() - t0
    docs = holdout_documents(args.per_type, seed=args.seed)
    print(f"model {model.version}: {model.n_examples} training texts, trained in {train_s:.1f} s")
    print(calibration_line(model))
    print(
        f"hold-out: {len(docs)} documents ({args.per_type} per type, "
        f"{len({d.template for d in docs})} templates never used in training), rendered, "
        f"degraded and read by ocr.page.ocr_page (tesserocr, vie) in {args.workers} processes"
    )
    t0 = time.perf_counter()
    cache = Path(args.reads) if args.reads else None
    key = {"per_type": args.per_type, "seed": args.seed, "documents": len(docs)}
    if cache and cache.exists():
        head, *rows = cache.read_text(encoding="utf-8").splitlines()
        if json.loads(head) != key:
            raise SystemExit(f"{cache} holds reads of another set ({head}), not {key}")
        reads = [ReadPage(**json.loads(row)) for row in rows]
        print(f"OCR read back from {cache} (timings of the run that wrote it)")
    else:
        reads = read_scans(docs, args.seed, args.workers)
        if cache:
            rows = [json.dumps(r.__dict__, ensure_ascii=False) for r in reads]
            cache.write_text("\n".join([json.dumps(key), *rows]) + "\n", encoding="utf-8")
    ocr_run_s = time.perf_counter() - t0
    found = [understand(model, [(r.text, r.words)]) for r in reads]
    # the two halves of the classifier alone (analysis, not a target)
    probas = [model.model_proba(r.text) for r in reads]
    model_alone = sum(
        max(p, key=p.__getitem__) == d.type for p, d in zip(probas, docs, strict=True)
    ) / len(docs)
    titles = [model.rule_type(r.text) for r in reads]
    title_right = sum(t == d.type for t, d in zip(titles, docs, strict=True))
    title_wrong = sum(t is not None and t != d.type for t, d in zip(titles, docs, strict=True))

    truth = [d.type for d in docs]
    s = score(
        truth,
        [u.prediction for u in found],
        [(d.fields, u.fields) for d, u in zip(docs, found, strict=True)],
    )
    n_pages = len(reads)
    ocr_cpu = sum(r.ocr_cpu_s for r in reads) / n_pages
    ocr_wall = sum(r.ocr_wall_s for r in reads) / n_pages
    cls_cpu = sum(u.cpu_s for u in found) / n_pages
    cls_wall = sum(u.wall_s for u in found) / n_pages
    share, share_wall = cls_cpu / ocr_cpu, cls_wall / ocr_wall
    cer = pooled_cer([(r.truth_text, r.text) for r in reads])
    upright_ok = sum((r.turned_back % 360) == (r.turn % 360) for r in reads)
    n_fields = sum(len(u.fields) for u in found)
    n_located = sum(1 for u in found for n in u.located.values() if n)

    print(
        f"pages: {n_pages} ({sum(r.dpi == 200 for r in reads)} at 200 dpi, "
        f"{sum(r.dpi == 240 for r in reads)} at 240, {sum(r.dpi == 300 for r in reads)} at 300; "
        f"{sum(r.jpeg for r in reads)} JPEG; {sum(r.turn == 180 for r in reads)} upside down, "
        f"turned back right on {upright_ok}/{n_pages}; fonts: "
        f"{', '.join(sorted({r.font for r in reads}))}); incomplete pages: "
        f"{sum(not r.complete for r in reads)}"
    )
    print(f"OCR: pooled CER {cer:.2%} against the drawn text; {ocr_run_s:.0f} s for the set\n")
    print_scores(s, truth, model)
    print(
        f"halves alone: the model (no title rules) {model_alone:.4f}; the title rules named "
        f"{title_right + title_wrong}/{len(docs)} documents, {title_wrong} wrongly"
    )
    print(f"\nfields located in the OCR word boxes: {n_located}/{n_fields}")
    print(
        f"\nper page: OCR {ocr_cpu:.2f} CPU s ({ocr_wall:.2f} s wall); classify + extract + "
        f"locate {cls_cpu * 1000:.1f} CPU ms ({cls_wall * 1000:.1f} ms wall); share of OCR "
        f"{share:.2%} CPU, {share_wall:.2%} wall (target < {TARGET_SHARE:.0%})"
    )
    if args.show_errors:
        print("\nerrors:")
        _show_errors(docs, reads, found)
    print(
        json_line(
            "classify",
            {
                "mode": "scanned",
                **scores_json(s),
                "documents": len(docs),
                "per_type": args.per_type,
                "seed": args.seed,
                "model_alone_accuracy": round(model_alone, 4),
                "title_rule": {"right": title_right, "wrong": title_wrong},
                "ocr_cer": round(cer, 5),
                "fields_located": [n_located, n_fields],
                "ocr_cpu_s_per_page": round(ocr_cpu, 3),
                "ocr_wall_s_per_page": round(ocr_wall, 3),
                "classify_cpu_ms_per_page": round(cls_cpu * 1000, 2),
                "classify_wall_ms_per_page": round(cls_wall * 1000, 2),
                "share_of_ocr_cpu": round(share, 5),
                "share_of_ocr_wall": round(share_wall, 5),
                "train_texts": model.n_examples,
                "temperature": model.temperature,
                "calibration": model.calibration,
                "model_version": model.version,
                "machine": machine(),
            },
        )
    )
    return 0 if met(s, share) else 1


# -- generated texts with simulated OCR noise ----------------------------------------------
def ocr_seconds_per_page(pages: int = 3) -> float | None:
    """Median wall time of ``tesseract page.png stdout -l vie`` on synthetic pages."""
    if shutil.which("tesseract") is None:
        return None
    from synth import generate_page

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(pages):
            path = Path(tmp) / f"p{seed}.png"
            generate_page(seed, skew=0.0).image.save(path, dpi=(300, 300))
            t = time.perf_counter()
            subprocess.run(
                ["tesseract", str(path), "stdout", "-l", "vie", "--dpi", "300"],
                capture_output=True,
                check=True,
                timeout=120,
            )
            times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def run_text(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    model = train(SyntheticSource(args.train, seed=0, noise=args.noise))
    train_s = time.perf_counter() - t0
    data = holdout_set(args.holdout, seed=1, noise=args.noise)

    t0 = time.perf_counter()
    preds = [model.predict(x.text) for x in data]
    found = [extract(x.text, p.type) for x, p in zip(data, preds, strict=True)]
    per_page = (time.perf_counter() - t0) / len(data)
    truth = [x.type for x in data]
    s = score(truth, preds, [(x.fields, f) for x, f in zip(data, found, strict=True)])

    if args.ocr_seconds is not None:
        ocr_s, ocr_source = args.ocr_seconds, "given"
    else:
        measured = ocr_seconds_per_page()
        ocr_s, ocr_source = (
            (measured, "tesseract CLI, median of 3 pages")
            if measured
            else (1.0, "assumed 1.0 s/page (docs/architecture.md: ~0.8-1.25 s/page)")
        )
    share = per_page / ocr_s

    print(f"model {model.version}: {model.n_examples} training texts, trained in {train_s:.1f} s")
    print(calibration_line(model))
    print(f"hold-out: {len(data)} texts ({args.holdout} per type), noise scale {args.noise}\n")
    print_scores(s, truth, model)
    print(
        f"\nclassify + extract: {per_page * 1000:.2f} ms/page; OCR: {ocr_s:.2f} s/page "
        f"({ocr_source}); share {share:.3%} (target < {TARGET_SHARE:.0%})"
    )
    print(
        json_line(
            "classify",
            {
                "mode": "text",
                **scores_json(s),
                "ms_per_page": round(per_page * 1000, 3),
                "ocr_s_per_page": round(ocr_s, 3),
                "ocr_source": ocr_source,
                "share_of_ocr": round(share, 5),
                "train_texts": model.n_examples,
                "temperature": model.temperature,
                "calibration": model.calibration,
                "holdout_texts": len(data),
                "noise": args.noise,
                "model_version": model.version,
                "machine": machine(),
            },
        )
    )
    return 0 if met(s, share) else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=60, help="training texts per type")
    ap.add_argument("--noise", type=float, default=1.0, help="training noise scale")
    ap.add_argument("--per-type", type=int, default=10, help="scanned hold-out docs per type")
    ap.add_argument("--seed", type=int, default=1, help="hold-out documents and scans")
    ap.add_argument("--workers", type=int, default=2, help="OCR worker processes")
    ap.add_argument("--show-errors", action="store_true", help="list wrong types and fields")
    ap.add_argument(
        "--reads",
        help="JSONL cache of the OCR results: written if missing, else read instead of OCR "
        "(for working on the classifier; report figures from a run without it)",
    )
    ap.add_argument("--text", action="store_true", help="generated texts, simulated OCR noise")
    ap.add_argument("--holdout", type=int, default=40, help="--text: hold-out texts per type")
    ap.add_argument("--ocr-seconds", type=float, default=None, help="--text: skip OCR timing")
    args = ap.parse_args(argv)
    return run_text(args) if args.text else run_scanned(args)


if __name__ == "__main__":
    raise SystemExit(main())

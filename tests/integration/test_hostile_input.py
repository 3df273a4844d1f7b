"""Hostile and broken uploads (the corpus in tests/badfiles/): every file gets its own
specific outcome, within a time limit, with nothing but the project's errors, and
without stopping the other files of its batch."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from ingest.pipeline import Pipeline
from ingest.raster_extract import single_image
from ingest.rasterize import Limits, count_pages, page_image
from ingest.sniff import HEAD_BYTES, sniff
from records.errors import EngineError, FileTooLarge, HosoError
from records.model import Document, SourceFile
from records.sql import source_files_table
from search import SearchQuery
from storage.filesystem import FilesystemStore
from tests.badfiles import BAD, BY_FILE, CONTROL_NAME, CORPUS, NFD_NAME, BadFile
from tests.fakes import text_png
from tests.unit.test_api import Api
from tests.unit.test_pipeline import World

pytestmark = pytest.mark.timeout(20)  # no file may hang a worker

# Production limits, but a short render deadline so content-bomb.pdf fails in seconds
# (poppler needs minutes for it; an ordinary page renders in well under a second).
CORPUS_LIMITS = Limits(render_timeout=3.0)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the generated (too large to commit) files are written, once per run."""
    return tmp_path_factory.mktemp("bad-files")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    w.pipeline._limits = CORPUS_LIMITS
    yield w
    w.engine.dispose()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world for the whole corpus (every file in its own batch): a fresh database
    per file would cost more than the files themselves."""
    w = World(tmp_path_factory.mktemp("corpus-world"))
    w.pipeline._limits = CORPUS_LIMITS
    yield w
    w.engine.dispose()


def data(name: str, files: Path) -> bytes:
    return BY_FILE[name].path(files).read_bytes()


def documents(world: World, batch: int) -> dict[str, dict[str, object]]:
    return {str(d["source"]): d for d in world.progress(batch)["documents"]}


def stored_pdf(world: World, doc_id: object) -> pikepdf.Pdf:
    with world.uow() as uow:
        doc = uow.session.get(Document, doc_id)
        assert doc is not None and doc.pdf_sha256
        return pikepdf.open(io.BytesIO(world.store.get_bytes(doc.pdf_sha256)))


# -- every file of the corpus, through upload and the whole pipeline ----------------------


@pytest.mark.parametrize("bad", CORPUS, ids=[b.file for b in CORPUS])
def test_each_file_gets_its_specific_outcome(bad: BadFile, shared: World, files: Path) -> None:
    """GIVEN a hostile or broken file WHEN uploaded and run through the pipeline (fake OCR)
    THEN it is refused at upload, or its document fails, with its specific Vietnamese
    message, or it is processed into the expected pages; no other exception escapes
    (``drain`` would raise it)."""
    world, expect = shared, bad.expect
    objects = len(world.store.objects)
    batch, messages, errors = world.upload({bad.name: bad.path(files).read_bytes()})
    if expect.outcome == "refused":
        assert errors[0] is not None and expect.fragment in errors[0], errors[0]
        assert messages == [] and len(world.store.objects) == objects  # never stored
        return
    assert errors == [None]
    world.drain(messages)
    progress = world.progress(batch)
    assert progress["status"] == "done"
    (doc,) = progress["documents"]
    if expect.outcome == "failed":
        assert doc["status"] == "failed", doc
        assert expect.fragment in doc["error"], doc["error"]
    else:
        assert doc["status"] == "done", doc
        assert (doc["pages"], doc["pages_done"]) == (expect.pages, expect.pages)
        assert len(stored_pdf(world, doc["id"]).pages) == expect.pages


def test_corpus_is_complete_and_documented(files: Path) -> None:
    assert len(CORPUS) >= 30
    assert len({b.file for b in CORPUS}) == len(CORPUS)
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    for b in CORPUS:
        assert f"`{b.file}" in readme, b.file
        if b.generated:
            assert not (BAD / b.file).exists(), f"{b.file} is generated, never committed"
        else:
            assert (BAD / b.file).stat().st_size < 64_000, f"{b.file}: generate it instead"


# -- the exact kind of error --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("png-bomb.png", FileTooLarge),
        ("tiff-bomb.tif", FileTooLarge),
        ("tiff-bomb-frame2.tif", FileTooLarge),
        ("jpeg-huge-sof.jpg", FileTooLarge),
        ("tiff-2001-frames.tif", FileTooLarge),
        ("image-bomb.pdf", FileTooLarge),
        ("huge-mediabox.pdf", FileTooLarge),
        ("content-bomb.pdf", EngineError),
    ],
)
def test_limits_raise_their_own_error(name: str, error: type[HosoError], files: Path) -> None:
    """Pixel and page limits are FileTooLarge (HTTP 413); a render past its deadline is
    EngineError (the worker moves on). Checked on rasterize itself."""
    path = BY_FILE[name].path(files)
    kind = sniff(path.read_bytes()[:HEAD_BYTES])
    assert kind is not None
    limits = Limits(render_timeout=1.0)
    with pytest.raises(error) as caught:
        n = count_pages(path, kind, limits)
        for i in range(n):
            page_image(path, kind, i, files / f"{name}.out" / str(i), limits)
    assert type(caught.value) is error


def test_page_tree_count_is_not_trusted(files: Path) -> None:
    path = BY_FILE["count-lie.pdf"].path(files)
    with pikepdf.open(path) as pdf:
        assert int(pdf.Root.Pages.Count) == 5_000_000
    assert count_pages(path, "pdf", Limits()) == 2
    last = page_image(path, "pdf", 1, files / "count-lie.out", Limits(dpi=72))
    with Image.open(last.path) as im:
        assert im.size == (595, 842)


# -- nothing active survives --------------------------------------------------------------

ACTIVE = {"/JavaScript", "/JS", "/Launch", "/OpenAction", "/AA", "/EmbeddedFiles", "/URI"}


def direct(value: object) -> bool:
    return isinstance(value, pikepdf.Object) and not value.is_indirect


def active_parts(pdf: pikepdf.Pdf) -> set[str]:
    """Keys and action types that make a PDF do something, anywhere in the file."""
    found: set[str] = set()
    stack: list[pikepdf.Object] = [pdf.trailer, *pdf.objects]
    while stack:
        obj = stack.pop()
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            found |= {k for k in obj.keys() if k in ACTIVE}  # noqa: SIM118 (pikepdf)
            for key in ("/S", "/Subtype"):
                if str(obj.get(key)) in ACTIVE | {"/FileAttachment"}:
                    found.add(str(obj.get(key)))
            stack.extend(v for v in obj.values() if direct(v))
        elif isinstance(obj, pikepdf.Array):
            stack.extend(v for v in obj if direct(v))
    return found


@pytest.mark.parametrize(
    ("name", "active"),
    [
        ("javascript.pdf", {"/JavaScript", "/JS", "/OpenAction", "/AA"}),
        ("launch.pdf", {"/Launch", "/OpenAction"}),
        ("attachment.pdf", {"/EmbeddedFiles", "/FileAttachment"}),
    ],
)
def test_active_content_never_reaches_our_pdf(
    name: str, active: set[str], world: World, files: Path
) -> None:
    """GIVEN a PDF with JavaScript, a /Launch action or an embedded program WHEN processed
    THEN it is accepted (we never execute anything: pages are only extracted or rendered)
    and the searchable PDF we keep, rebuilt from page images, holds none of it."""
    source = data(name, files)
    with pikepdf.open(io.BytesIO(source)) as original:
        assert active <= active_parts(original)  # the hostile parts are really there
    batch, messages, _ = world.upload({name: source})
    world.drain(messages)
    doc = documents(world, batch)[name]
    assert doc["status"] == "done"
    with stored_pdf(world, doc["id"]) as ours:
        assert active_parts(ours) == set()


# -- pages come out upright and as scanned ------------------------------------------------


def assert_upright_scan(path: Path) -> None:
    """The scan_image() page: portrait, black bar at the top, white margins and bottom
    (a page turned, mirrored, upside down or negative fails)."""
    with Image.open(path) as im:
        w, h = im.size
        small = im.convert("L").resize((60, 80))

    def band(x0: int, y0: int, x1: int, y1: int) -> float:
        pixels = [small.getpixel((x, y)) for x in range(x0, x1) for y in range(y0, y1)]
        return sum(pixels) / len(pixels)  # type: ignore[arg-type]

    assert h > w, (w, h)
    assert band(12, 4, 48, 7) < 80, "bar at the top"
    assert band(12, 73, 48, 77) > 200, "white bottom"
    assert band(1, 30, 4, 50) > 200 and band(56, 30, 59, 50) > 200, "white margins"


@pytest.mark.parametrize(
    "name",
    [
        "rotate90.pdf",
        "rotate-inherited.pdf",
        "ctm-rotated.pdf",
        "ctm-turned-180.pdf",
        "decode-inverted.pdf",
        "jbig2.pdf",
        "jpeg-exif-rotated.jpg",
        "jpeg-cmyk.jpg",
        "png-alpha.png",
        "png-16bit.png",
        "png-palette-transparent.png",
        "tiff-g4.tif",
        "tiff-ifd-loop.tif",
        "broken-xref.pdf",
        "encrypted-owner-only.pdf",
    ],
)
def test_page_image_is_upright_and_as_scanned(name: str, files: Path, tmp_path: Path) -> None:
    path = BY_FILE[name].path(files)
    kind = sniff(path.read_bytes()[:HEAD_BYTES])
    assert kind is not None
    page = page_image(path, kind, 0, tmp_path, Limits())
    assert_upright_scan(page.path)
    assert page.dpi in (100, 200, 300)
    if page.path.suffix == ".png":
        with Image.open(page.path) as im:
            assert im.mode in ("1", "L", "RGB")  # no alpha, no 16 bits: img2pdf takes it


def test_rotated_scan_is_rendered_not_extracted(files: Path) -> None:
    """A scan with /Rotate is not a plain scan (extracting it would give the sideways
    pixels); a plain one is."""
    with pikepdf.open(BY_FILE["rotate90.pdf"].path(files)) as pdf:
        page = pdf.pages[0]
        assert single_image(page, 576, 432) is None
    with pikepdf.open(BY_FILE["traversal.pdf"].path(files)) as pdf:
        assert single_image(pdf.pages[0], 432, 576) is not None


def test_rotated_page_is_upright_in_our_pdf(world: World, files: Path) -> None:
    batch, messages, _ = world.upload({"xoay.pdf": data("rotate90.pdf", files)})
    world.drain(messages)
    doc = documents(world, batch)["xoay.pdf"]
    with stored_pdf(world, doc["id"]) as pdf:
        page = pdf.pages[0]
        box = [float(v) for v in page.mediabox]
        assert int(page.obj.get("/Rotate", 0)) % 360 == 0
        assert box[3] - box[1] > box[2] - box[0]  # portrait


# -- a born-digital page is read ----------------------------------------------------------


class InProcessOcr:
    """Real Tesseract, in this process (the sidecar's child process is not needed)."""

    def __init__(self) -> None:
        tesserocr_engine = pytest.importorskip("ocr.tesserocr_engine")
        self.engine = tesserocr_engine.TesserocrEngine()

    def run(self, image: Path, out_dir: Path, options: object) -> object:
        from ocr.page import ocr_page

        return ocr_page(self.engine, image, out_dir, options)  # type: ignore[arg-type]


def test_vector_text_pdf_is_rendered_and_ocr_reads_it(files: Path, tmp_path: Path) -> None:
    from ocr.page import PageOptions, ocr_page

    page = page_image(BY_FILE["vector-text.pdf"].path(files), "pdf", 0, tmp_path, Limits())
    assert page.dpi == 300
    ocr_page(InProcessOcr().engine, page.path, tmp_path / "out", PageOptions(dpi=page.dpi))
    text = (tmp_path / "out" / "text.txt").read_text(encoding="utf-8")
    assert "QUYET DINH SO 12" in text and "HO KINH DOANH" in text, text


def test_vector_text_pdf_is_read(world: World, files: Path) -> None:
    """GIVEN a born-digital PDF (text, no image) WHEN processed (its own text, or real OCR
    of the rendered page) THEN its words are found by search."""
    world.pipeline._ocr = InProcessOcr()  # type: ignore[assignment]
    batch, messages, _ = world.upload({"quyet-dinh.pdf": data("vector-text.pdf", files)})
    world.drain(messages)
    assert documents(world, batch)["quyet-dinh.pdf"]["status"] == "done"
    assert world.index.search(SearchQuery("quyet dinh so 12")).total == 1
    assert world.index.search(SearchQuery("giay chung nhan")).total == 1


# -- names are only displayed -------------------------------------------------------------


def test_names_are_cleaned_and_nothing_is_written_outside_the_data_dir(
    tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    w = World(data_dir)
    try:
        w.store = FilesystemStore(data_dir / "objects")  # type: ignore[assignment]
        w.pipeline = Pipeline(w.uow, w.store, lambda: w.index, w.ocr, data_dir / "work", Limits())
        names = ["traversal.pdf", "nfd-name.pdf", "control-name.pdf"]
        batch, messages, errors = w.upload({BY_FILE[n].name: data(n, files) for n in names})
        assert errors == [None, None, None]
        w.drain(messages)
        with w.uow() as uow:
            rows = uow.session.query(SourceFile).order_by(source_files_table.c.id)
            stored = [s.filename for s in rows]
        assert stored[0] == "passwd.pdf"
        assert stored[1] == "Đơn xin.pdf" == unicodedata.normalize("NFC", NFD_NAME)
        assert stored[1] != NFD_NAME
        assert len(CONTROL_NAME) > 300 and len(stored[2]) <= 200
        assert stored[2].startswith("bienban[31m")
        assert all(unicodedata.category(c)[0] != "C" for c in "".join(stored))
        assert [d["status"] for d in w.progress(batch)["documents"]] == ["done"] * 3
    finally:
        w.engine.dispose()
    assert list(cwd.iterdir()) == []
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and data_dir not in p.parents]
    assert outside == []
    assert not list(tmp_path.rglob("passwd*")) and not (tmp_path / "etc").exists()


# -- one bad file never stops the others --------------------------------------------------

MIXED = [
    "exe-renamed.pdf",
    "empty.pdf",
    "photo.heic",
    "truncated.pdf",
    "encrypted-open-password.pdf",
    "deep-nesting-page.pdf",
    "png-bomb.png",
    "tiff-bomb.tif",
    "jpeg-truncated.jpg",
    "image-bomb.pdf",
    "weird-types.pdf",
    "count-lie.pdf",
]


def test_batch_mixing_bad_files_and_a_good_one(world: World, files: Path, tmp_path: Path) -> None:
    good = text_png(tmp_path / "good.png", "Giấy chứng nhận quyền sử dụng đất").read_bytes()
    uploads = {name: data(name, files) for name in MIXED} | {"tot.png": good}
    batch, messages, errors = world.upload(uploads)
    world.drain(messages)
    progress = world.progress(batch)
    assert progress["status"] == "done"
    docs = documents(world, batch)
    assert docs["tot.png"]["status"] == "done"
    assert world.index.search(SearchQuery("giay chung nhan quyen su dung dat")).total == 1
    refused = dict(zip(uploads, errors, strict=True))
    for name in MIXED:
        expect = BY_FILE[name].expect
        if expect.outcome == "refused":
            assert expect.fragment in str(refused[name]), name
            assert name not in docs
        elif expect.outcome == "failed":
            assert docs[name]["status"] == "failed" and expect.fragment in str(docs[name]["error"])
        else:
            assert docs[name]["status"] == "done", name
    assert sum(1 for e in errors if e) == 3


# -- over HTTP ----------------------------------------------------------------------------


def test_http_upload_of_hostile_files(tmp_path: Path, files: Path) -> None:
    api = Api(tmp_path)
    names = [
        "exe-renamed.pdf",
        "photo.heic",
        "zero-pages.pdf",
        "png-bomb.png",
        "jpeg-truncated.jpg",
        "javascript.pdf",
    ]
    parts = [("files", (name, data(name, files), "application/octet-stream")) for name in names]
    parts.append(
        ("files", ("../../etc/passwd.pdf", data("traversal.pdf", files), "application/pdf"))
    )
    r = api.client.post("/api/batches", files=parts, headers=api.h("clerk"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert [a["source"] for a in body["accepted"]] == [
        "zero-pages.pdf",
        "png-bomb.png",
        "jpeg-truncated.jpg",
        "javascript.pdf",
        "passwd.pdf",
    ]
    errors = {e["source"]: e["message"] for e in body["errors"]}
    assert "tệp chương trình (EXE)" in errors["exe-renamed.pdf"]
    assert "ảnh HEIC" in errors["photo.heic"]
    progress = api.client.get(body["url"], headers=api.h("clerk")).json()
    assert progress["status"] == "done"
    docs = {d["source"]: d for d in progress["documents"]}
    assert "PDF có 0 trang" in docs["zero-pages.pdf"]["error"]
    assert "100000×100000" in docs["png-bomb.png"]["error"]
    assert "bị cắt cụt" in docs["jpeg-truncated.jpg"]["error"]
    assert docs["javascript.pdf"]["status"] == "done"
    assert docs["passwd.pdf"]["status"] == "done"
    assert not (tmp_path / "etc").exists() and not list(tmp_path.rglob("passwd*"))

"""Document classification and field extraction on generated hold-out texts (no OCR)."""

from __future__ import annotations

import random

import pytest

from classify import (
    DEFAULT_TYPES,
    ClassifierSettings,
    DocumentType,
    Example,
    Field,
    ModelFormatError,
    Prediction,
    StaticSource,
    SyntheticSource,
    TrainedModel,
    cccd_valid,
    extract,
    locate,
    train,
    with_admin_types,
)
from classify.evaluate import field_scores, reliability
from classify.fields import cccd_matches_birth
from classify.rules import match_title
from classify.training import LabelledText, _training_templates, holdout_set, training_set
from classify.types import codes

N_TRAIN = 50


@pytest.fixture(scope="module")
def model() -> TrainedModel:
    return train(SyntheticSource(N_TRAIN, seed=1))


@pytest.fixture(scope="module")
def holdout() -> list[LabelledText]:
    return holdout_set(25, seed=7)


def test_holdout_templates_are_never_used_for_training() -> None:
    names = {x.template for x in training_set(2)}
    assert names and not any(n.startswith("holdout.") for n in names)
    assert {x.type for x in training_set(1)} == set(codes())
    assert {x.template.split(".")[0] for x in holdout_set(1)} == {"holdout"}


def test_every_type_is_trained_from_at_least_two_templates() -> None:
    """The issue: do not rely on one template per type. The second wordings are other
    functions than the hold-out ones, and the types' templates take turns."""
    from synth import templates_holdout

    names: dict[str, set[str]] = {}
    for x in training_set(4):
        names.setdefault(x.type, set()).add(x.template)
    assert set(names) == set(codes())
    assert all(len(n) >= 2 for n in names.values()), names
    held = {f for makers in templates_holdout.TEMPLATES.values() for f in makers}
    table = _training_templates()
    assert not any(make in held for makers in table.values() for _, make in makers)


def test_type_accuracy_on_holdout_is_at_least_97_percent(
    model: TrainedModel, holdout: list[LabelledText]
) -> None:
    preds = model.predict_many([x.text for x in holdout])
    wrong = [(x.type, p.type) for x, p in zip(holdout, preds, strict=True) if p.type != x.type]
    assert 1 - len(wrong) / len(holdout) >= 0.97, wrong


def test_field_f1_per_key_on_holdout_is_at_least_95_percent(
    model: TrainedModel, holdout: list[LabelledText]
) -> None:
    preds = model.predict_many([x.text for x in holdout])
    pairs = [(x.fields, extract(x.text, p.type)) for x, p in zip(holdout, preds, strict=True)]
    scores = field_scores(pairs)
    low = {k: round(s.f1, 3) for k, s in scores.items() if s.f1 < 0.95}
    assert not low, low


def test_rules_alone_read_standard_titles() -> None:
    clean = holdout_set(3, seed=3, noise=0.0)
    for item in clean:
        m = match_title(item.text)
        expected = None if item.type == "khac" else item.type
        assert (m.type if m else None) == expected, item.text[:200]
    body = "Điều 1. Cấp Giấy chứng nhận quyền sử dụng đất cho hộ ông Lê Văn An."
    assert match_title(body) is None  # a document named in the body is not a title


def test_model_alone_classifies_without_titles(model: TrainedModel) -> None:
    texts = training_set(8, seed=99)
    hits = 0
    for item in texts:
        untitled = "\n".join(line for line in item.text.split("\n") if match_title(line) is None)
        probs = model.model_proba(untitled)
        hits += max(probs, key=lambda c: probs[c]) == item.type
        assert abs(sum(probs.values()) - 1) < 1e-6
    assert hits / len(texts) >= 0.95


def test_low_confidence_goes_to_review(model: TrainedModel) -> None:
    vague = "Họ và tên: Nguyễn Văn An\nNơi cư trú: Thôn Đông, xã Tân Phú, tỉnh Nghệ An"
    p = model.predict(vague)
    assert p.confidence < 0.7 and p.needs_review
    assert p.runner_up is not None and p.runner_up[1] <= p.confidence
    clear = holdout_set(1, seed=5, noise=0.0)[0]
    assert not model.predict(clear.text).needs_review
    assert model.predict(clear.text, threshold=1.01).needs_review  # threshold is a setting


def test_a_correction_changes_the_next_prediction() -> None:
    """GIVEN an ambiguous text, WHEN a clerk corrects its type and the model is retrained
    with the correction (higher weight), THEN the next prediction follows the clerk."""
    base = SyntheticSource(20, seed=2)
    text = "Họ và tên: Trần Thị Mai\nNgày sinh: 02/03/1980\nGiới tính: Nữ"
    before = train(base).predict(text)
    wanted = "giay_xac_nhan_cu_tru" if before.type != "giay_xac_nhan_cu_tru" else "can_cuoc"
    fixes = StaticSource(tuple(Example(text, wanted, 5.0) for _ in range(3)))
    after = train([base, fixes]).predict(text)
    assert after.type == wanted != before.type


def test_serialisation_round_trip_gives_identical_predictions(
    model: TrainedModel, holdout: list[LabelledText]
) -> None:
    data = model.to_bytes()
    again = TrainedModel.from_bytes(data)
    header = TrainedModel.header(data)
    assert header["version"] == model.version and header["training_hash"] == model.training_hash
    texts = [x.text for x in holdout[:40]]
    assert again.predict_many(texts) == model.predict_many(texts)
    assert (
        again.pipeline.predict_proba(texts).tolist() == model.pipeline.predict_proba(texts).tolist()
    )
    with pytest.raises(ModelFormatError):
        TrainedModel.from_bytes(data[:-10] + b"0123456789")
    with pytest.raises(ModelFormatError):
        TrainedModel.from_bytes(b"something else")


def test_training_hash_depends_on_the_examples_only() -> None:
    from classify.model import training_hash

    a = [Example("một", "khac"), Example("hai", "can_cuoc", 2.0)]
    s = ClassifierSettings()
    assert training_hash(a, s) == training_hash(list(reversed(a)), s)
    assert training_hash(a, s) != training_hash([*a, Example("ba", "khac")], s)


def test_admin_types_are_data() -> None:
    extra = DocumentType("so_ho_khau", "Sổ hộ khẩu", (r"so\s*ho\s*khau",))
    types = with_admin_types([extra])
    assert len(types) == len(DEFAULT_TYPES) + 1
    assert match_title("SỔ HỘ KHẨU\nChủ hộ: Lê Văn An", types).type == "so_ho_khau"  # type: ignore[union-attr]
    assert match_title("SỔ HỘ KHẨU\nChủ hộ: Lê Văn An") is None


def test_cccd_structure() -> None:
    assert cccd_valid("001090123456")
    assert not cccd_valid("000090123456")  # no province 000
    assert not cccd_valid("097090123456")  # provinces end at 096
    assert not cccd_valid("00109012345")
    assert cccd_matches_birth("001090123456", 1990)
    assert cccd_matches_birth("079305123456", 2005)
    assert not cccd_matches_birth("001090123456", 2090)


def test_fields_of_the_subject_not_of_the_requester() -> None:
    rng = random.Random(4)
    from synth.templates_holdout import birth_declaration, power_of_attorney

    doc, truth = birth_declaration(rng)
    found = extract(doc.text, "to_khai_khai_sinh")
    assert found["ho_ten"].value == truth["ho_ten"]  # the child
    assert found["cccd"].value == truth["cccd"]  # the requester
    doc, truth = power_of_attorney(rng)
    found = extract(doc.text, "giay_uy_quyen")
    assert {k: found[k].value for k in truth} == truth  # the principal, not the agent


def test_ocr_look_alikes_in_numbers_are_repaired() -> None:
    text = "Số định danh cá nhân: O79O9O123456\nThửa đất số: l2; Tờ bản đồ số: 3"
    found = extract(text, "giay_xac_nhan_cu_tru")
    assert found["cccd"].value == "079090123456" and found["cccd"].confidence < 0.9
    assert extract(text, "trich_luc_ban_do")["so_thua"].value == "12"


def test_locate_maps_a_field_to_word_boxes() -> None:
    rows = ["Họ và tên: Lê Văn An", "Nơi cư trú: Thôn Đông, xã Tân Phú,", "tỉnh Nghệ An"]
    words = [
        {
            "text": t,
            "left": 100 + 60 * i,
            "top": 200 + 40 * line,
            "width": 50,
            "height": 30,
            "line": line,
        }
        for line, row in enumerate(rows)
        for i, t in enumerate(row.split())
    ]
    text = "\n".join(rows)
    found = extract(text, "can_cuoc")
    assert found["ho_ten"].value == "Lê Văn An"
    (box,) = locate(found["ho_ten"], words)
    assert (box.line, box.left, box.top, box.width, box.height) == (0, 280, 200, 170, 30)
    start = text.index("Thôn")
    span = Field("dia_chi", "Thôn Đông, xã Tân Phú, tỉnh Nghệ An", 0.9, start, len(text))
    boxes = locate(span, words, text)
    assert [(b.line, b.left) for b in boxes] == [(1, 280), (2, 100)]


def test_a_title_wrapped_on_two_printed_lines_is_read() -> None:
    """GIVEN the OCR of a page whose long title wraps (with an empty line between, as
    Tesseract gives it) WHEN matched THEN the title names the type and its span covers
    both lines; a one-line title anchored at its line end still needs its line alone."""
    text = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nMẫu số 04/ĐK\n"
        "ĐƠN ĐĂNG KÝ, CẤP GIẤY CHỨNG NHẬN QUYỀN SỬ\n\nDỤNG ĐẤT\nKính gửi: Văn phòng"
    )
    m = match_title(text)
    assert m is not None and m.type == "don_dang_ky_dat_dai" and m.line == 2
    assert text[m.start : m.end].startswith("ĐƠN ĐĂNG KÝ") and text[m.start : m.end].endswith(
        "DỤNG"
    )
    assert match_title("QUYẾT ĐỊNH\nVề việc cấp giấy") is not None
    assert match_title("Quyết định\nvề việc") is None  # not upper case: not a title


def test_fields_tolerate_what_ocr_does_to_printed_pages() -> None:
    """Đ read as the look-alike Ð, m² as m? or m°, an address wrapped onto the next line."""
    gcn = "Số phát hành (Serial): AÐ 340363\nThửa đất số 284, diện tích 558,0 m°"
    found = extract(gcn, "giay_chung_nhan_qsdd")
    assert found["so_giay_chung_nhan"].value == "AĐ 340363"
    assert found["dien_tich"].value == "558,0 m²"
    land = "Thửa số: 434; Tờ bản đồ số: 63; Diện tích (m?): 731,0"
    assert extract(land, "don_dang_ky_dat_dai")["dien_tich"].value == "731,0 m²"
    card = "Nơi cư trú: Thôn Thống Nhất, xã Quảng Điền, tỉnh\n\nTây Ninh\nCó giá trị đến: 2040"
    address = extract(card, "can_cuoc")["dia_chi"]
    assert address.value == "Thôn Thống Nhất, xã Quảng Điền, tỉnh Tây Ninh"
    assert card[address.start : address.end].endswith("Tây Ninh")
    # the next line is another labelled field: the address is not stretched onto it
    two = "Nơi thường trú: Thôn A, xã Bình\nQuê quán: xã C, tỉnh Nam Định"
    assert extract(two, "can_cuoc")["dia_chi"].value == "Thôn A, xã Bình"


def test_training_noise_wraps_lines_like_a_printed_page() -> None:
    from classify.noise import draw_level, wrap

    line = "Đề nghị được cấp Giấy chứng nhận quyền sử dụng đất đối với thửa đất trên và tài sản"
    wrapped = wrap(line, 40)
    assert wrapped.replace("\n", " ") == line and all(len(x) <= 40 for x in wrapped.split("\n"))
    rng = random.Random(0)
    assert any(draw_level(rng).wrap for _ in range(20))


def test_reliability_measures_calibration() -> None:
    ece, buckets = reliability([0.95, 0.95, 0.6, 0.6, 1.0], [True, True, True, False, True])
    assert [(b.low, b.n) for b in buckets] == [(0.5, 2), (0.95, 2), (0.99, 1)]
    assert buckets[0].accuracy == 0.5 and buckets[0].mean_confidence == 0.6
    assert ece == pytest.approx((2 * 0.1 + 2 * 0.05 + 0) / 5)
    assert reliability([0.8] * 10, [True] * 8 + [False] * 2)[0] == pytest.approx(0.0)


def test_template_folds_hold_out_whole_templates() -> None:
    from classify.model import template_folds

    examples = [
        Example("a", "can_cuoc", 1.0, "typed.id_card"),
        Example("b", "can_cuoc", 1.0, "typed2.id_card"),
        Example("c", "can_cuoc", 1.0, "typed.id_card"),
        Example("d", "khac", 1.0, "typed.invitation"),  # the type's only template
        Example("e", "khac", 5.0),  # a clerk's correction
    ]
    assert template_folds(examples) == [0, 1, 0, -1, -1]


def test_confidence_is_calibrated_on_templates_left_out(
    model: TrainedModel, holdout: list[LabelledText]
) -> None:
    """GIVEN the temperature fitted on leave-one-template-out predictions WHEN predicting
    hold-out texts (other templates again) THEN the confidence is closer to the accuracy
    than without calibration, with the same types predicted."""
    info = model.calibration
    assert info["held_out"] == N_TRAIN * len(codes()) and info["nll_after"] < info["nll_before"]
    assert 0.2 < model.temperature < 1.0  # the raw model was under-confident
    raw = train(SyntheticSource(N_TRAIN, seed=1), settings=ClassifierSettings(calibrate=False))
    assert raw.temperature == 1.0 and raw.calibration == {}
    texts = [x.text for x in holdout]
    calibrated, plain = model.predict_many(texts), raw.predict_many(texts)
    assert [p.type for p in calibrated] == [p.type for p in plain]

    def ece(preds: list[Prediction]) -> float:
        right = [p.type == x.type for p, x in zip(preds, holdout, strict=True)]
        return reliability([p.confidence for p in preds], right)[0]

    assert ece(calibrated) < 0.05 < ece(plain)


def test_a_format_1_model_still_loads_and_a_newer_one_is_refused(model: TrainedModel) -> None:
    import hashlib
    import json

    magic, head, _payload = model.to_bytes().split(b"\n", 2)
    header = json.loads(head)
    pickled = model.pickled  # formats 1 and 2 stored the pickle alone
    assert pickled is not None
    dropped = ("temperature", "calibration", "linear_size")
    old = {k: v for k, v in header.items() if k not in dropped}
    old["format"] = 1
    old["payload_sha256"] = hashlib.sha256(pickled).hexdigest()
    old["settings"] = {k: v for k, v in old["settings"].items() if k != "calibrate"}
    loaded = TrainedModel.from_bytes(b"\n".join([magic, json.dumps(old).encode(), pickled]))
    assert loaded.temperature == 1.0  # uncalibrated, as it was trained
    text = holdout_set(1, seed=5, noise=0.0)[0].text
    raw = loaded.pipeline.predict_proba([text])[0]
    # float32 features in scikit-learn, float64 here
    assert list(loaded.model_proba(text).values()) == pytest.approx(raw.tolist(), abs=1e-6)
    newer = {**header, "format": 4}
    with pytest.raises(ModelFormatError, match="format 4"):
        TrainedModel.from_bytes(b"\n".join([magic, json.dumps(newer).encode(), pickled]))

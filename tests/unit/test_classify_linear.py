"""The plain-array predictor reproduces the fitted scikit-learn pipeline, and loading a
model to predict imports no scikit-learn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classify import Example, StaticSource, SyntheticSource, TrainedModel, train
from classify.linear import LinearTextModel, UnsupportedModel
from classify.training import holdout_set
from classify.types import DocumentType

EDGE_TEXTS = [
    "",
    "   \n\t ",
    "x",
    "Đ",
    "ĐƠN ĐĂNG KÝ BIẾN ĐỘNG ĐẤT ĐAI, TÀI SẢN GẮN LIỀN VỚI ĐẤT",
    "số định danh 001203004567 ngày 12/03/2026 ☃ 漢字 " * 50,
    "a  b\u00a0c\u2003d\n\ne",  # several kinds of white space
]


@pytest.fixture(scope="module")
def model() -> TrainedModel:
    return train(SyntheticSource(20, seed=3))


def _sklearn_logits(model: TrainedModel, texts: list[str]) -> np.ndarray:
    return np.asarray(model.pipeline.decision_function(texts), dtype=np.float64)


def test_logits_equal_the_pipelines_decision_function(model: TrainedModel) -> None:
    texts = [x.text for x in holdout_set(8, seed=11)] + EDGE_TEXTS
    ours = model.linear.logits(texts)
    assert ours.shape == (len(texts), len(model.classes))
    np.testing.assert_allclose(ours, _sklearn_logits(model, texts), rtol=1e-5, atol=1e-5)
    assert list(model.linear.classes) == [str(c) for c in model.pipeline.classes_]


def test_probabilities_equal_the_pipelines_when_uncalibrated(model: TrainedModel) -> None:
    texts = [x.text for x in holdout_set(4, seed=12)]
    plain = TrainedModel(
        linear=model.linear, types=model.types, version="v", training_hash="h",
        created_at="c", n_examples=1, fitted=model.pipeline,
    )  # fmt: skip
    np.testing.assert_allclose(
        plain.proba(texts), model.pipeline.predict_proba(texts), rtol=1e-5, atol=1e-6
    )


def test_a_two_type_model_scores_like_its_pipeline() -> None:
    examples = [Example(f"giấy chứng sinh số {i} bệnh viện", "giay_chung_sinh") for i in range(6)]
    examples += [Example(f"căn cước công dân số {i} quốc tịch", "can_cuoc") for i in range(6)]
    types = (
        DocumentType("giay_chung_sinh", "Giấy chứng sinh", ()),
        DocumentType("can_cuoc", "Căn cước", ()),
    )
    two = train(StaticSource(examples), types)
    texts = ["giấy chứng sinh bệnh viện", "căn cước quốc tịch", ""]
    decision = _sklearn_logits(two, texts)
    assert decision.ndim == 1  # scikit-learn's single score for two classes
    np.testing.assert_allclose(
        two.linear.logits(texts), np.column_stack([np.zeros(3), decision]), atol=1e-5
    )
    assert two.predict("giấy chứng sinh bệnh viện").type == "giay_chung_sinh"


def test_plain_bytes_round_trip(model: TrainedModel) -> None:
    data = model.linear.to_bytes()
    again = LinearTextModel.from_bytes(data)
    texts = [x.text for x in holdout_set(3, seed=13)]
    assert again.classes == model.linear.classes
    np.testing.assert_array_equal(again.logits(texts), model.linear.logits(texts))


def test_unsupported_vectoriser_options_are_refused(model: TrainedModel) -> None:
    from copy import deepcopy

    pipeline = deepcopy(model.pipeline)
    pipeline.steps[0][1].transformer_list[0][1].analyzer = "char"
    with pytest.raises(UnsupportedModel, match="analyzer"):
        LinearTextModel.from_pipeline(pipeline)


def test_loading_a_model_to_predict_imports_no_sklearn(model: TrainedModel, tmp_path: Path) -> None:
    """GIVEN a stored model WHEN a fresh process loads it and predicts THEN scikit-learn,
    SciPy and joblib stay unimported (workers load models in ms, not ~1 s)."""
    path = tmp_path / "model.bin"
    path.write_bytes(model.to_bytes())
    text = holdout_set(1, seed=14)[0].text
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from classify import TrainedModel\n"
        f"m = TrainedModel.from_bytes(Path({str(path)!r}).read_bytes())\n"
        f"p = m.predict({text!r})\n"
        "heavy = [n for n in ('sklearn', 'scipy', 'joblib') if n in sys.modules]\n"
        "print(p.type, p.confidence, ','.join(heavy) or '-')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.split()
    expected = model.predict(text)
    assert out[0] == expected.type
    assert float(out[1]) == pytest.approx(expected.confidence, abs=1e-4)
    assert out[2] == "-"

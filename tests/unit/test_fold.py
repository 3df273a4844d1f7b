"""Vietnamese folding: the one function both the index and the query side use."""

from __future__ import annotations

import unicodedata

import pytest

from search.fold import fold, nfc


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("ĐẤT ĐAI", "dat dai"),
        ("đất đai", "dat dai"),
        ("Hướng", "huong"),
        ("Nguyễn Văn An, đất đai", "nguyen van an, dat dai"),
        ("Bộ Tài nguyên và Môi trường", "bo tai nguyen va moi truong"),
        ("Ủy ban nhân dân", "uy ban nhan dan"),
        ("Giấy chứng nhận quyền sử dụng đất", "giay chung nhan quyen su dung dat"),
        ("Sở Tư pháp", "so tu phap"),
        ("số 12/2024/QĐ-UBND", "so 12/2024/qd-ubnd"),
    ],
)
def test_fold_vietnamese(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("letter", "base"),
    [
        ("ư", "u"),
        ("Ư", "u"),
        ("ơ", "o"),
        ("Ơ", "o"),
        ("ă", "a"),
        ("Ă", "a"),
        ("â", "a"),
        ("Â", "a"),
        ("ê", "e"),
        ("Ê", "e"),
        ("ô", "o"),
        ("Ô", "o"),
        ("đ", "d"),
        ("Đ", "d"),
    ],
)
def test_fold_vowel_and_consonant_marks(letter: str, base: str) -> None:
    assert fold(letter) == base


@pytest.mark.parametrize("vowel", ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"])
def test_fold_all_five_tones_on_every_vowel(vowel: str) -> None:
    base = fold(vowel)
    assert base in "aeiouy" and len(base) == 1
    for tone in ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323"):  # huyền hỏi ngã sắc nặng
        composed = unicodedata.normalize("NFC", vowel + tone)
        assert len(composed) == 1, composed  # every Vietnamese syllable vowel has a code point
        assert fold(composed) == base
        assert fold(composed.upper()) == base


@pytest.mark.parametrize(
    "text", ["Nguyễn Văn An", "ĐẤT ĐAI", "Hướng dẫn thủ tục", "Phường Bến Nghé, Quận 1"]
)
def test_nfd_input_folds_the_same_as_nfc(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != unicodedata.normalize("NFC", text)
    assert fold(nfd) == fold(unicodedata.normalize("NFC", text))


def test_fold_output_is_plain_ascii_for_vietnamese_text() -> None:
    text = "Cộng hòa Xã hội Chủ nghĩa Việt Nam. Độc lập, Tự do, Hạnh phúc"
    assert fold(text) == "cong hoa xa hoi chu nghia viet nam. doc lap, tu do, hanh phuc"
    assert fold(text).isascii()


def test_fold_is_idempotent_and_keeps_ascii() -> None:
    assert fold("ABC abc 123 ,.;") == "abc abc 123 ,.;"
    once = fold("Trần Thị Ngọc Ánh")
    assert fold(once) == once


def test_nfc_composes() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    assert nfc(nfd) == "Nguyễn"
    assert len(nfc(nfd)) == 6

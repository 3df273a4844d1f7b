"""Sending a result for signature attaches it to the dossier when it is not yet; it must then
be found by the dossier's procedure in search, as after any other attach."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_api import Api, png

APPLICANT = {"name": "Trần Thị Bình", "id_number": "001303004567", "address": "xã Hòa Bình"}


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return Api(tmp_path)


def test_result_sent_for_signature_is_found_by_its_procedure(api: Api, tmp_path: Path) -> None:
    """GIVEN a finished document not attached to any dossier WHEN staff send it for
    signature as a dossier's result THEN search by that dossier's procedure finds it."""
    files = {"files": ("qd.png", png(tmp_path, "Quyết định cấp giấy phép"), "image/png")}
    batch = api.client.post("/api/batches", files=files, headers=api.h("clerk"))
    assert batch.status_code == 201, batch.text
    progress = api.client.get(batch.json()["url"], headers=api.h("clerk")).json()
    [doc] = [d["id"] for d in progress["documents"]]
    dossier = api.client.post(
        "/api/dossiers",
        json={"procedure_code": "1.001193", "applicant": APPLICANT, "channel": "direct"},
        headers=api.h("clerk"),
    )
    assert dossier.status_code == 201, dossier.text
    by_procedure = {"q": "quyet dinh", "procedure": "1.001193"}
    before = api.client.get("/api/search", params=by_procedure, headers=api.h("staff")).json()
    assert before["total"] == 0

    sent = api.client.post(
        "/api/signing/requests",
        json={"dossier_code": dossier.json()["code"], "document_id": doc},
        headers=api.h("staff"),
    )
    assert sent.status_code == 201, sent.text
    after = api.client.get("/api/search", params=by_procedure, headers=api.h("staff")).json()
    assert after["total"] == 1 and after["hits"][0]["document_id"] == doc
    assert after["facets"]["procedure"] == {"1.001193": 1}

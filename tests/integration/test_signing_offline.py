"""B-LTA validates offline: after the test PKI's TSA/OCSP/CRL server is stopped, pyHanko's
AdES long-term validation with fetching limited to local data (LOCAL_ONLY) and revocation
information *required* still passes on what the document carries; a B-T document (no
embedded revocation data) under the same policy does not — the control that shows the
policy really needs the embedded data."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from signing import Pkcs12Signer, sign_pdf, verify_pdf
from signing.testing import P12_PASSWORD, serve_test_pki
from tests.integration.test_signing import PKI_CONFIG, make_pdf, pdfsig_ok


def _offline_spec(root: object) -> PdfSignatureValidationSpec:
    required = RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[root]),  # type: ignore[list-item]
        revinfo_policy=CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=required, intermediate_ca_cert_rule=required
            )
        ),
    )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )


def _lta(data: bytes, spec: PdfSignatureValidationSpec) -> object:
    sig = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[0]
    return asyncio.run(ades_lta_validation(sig, spec)).ades_subindic


def test_b_lta_validates_after_the_pki_server_is_gone(tmp_path: Path) -> None:
    with serve_test_pki(PKI_CONFIG, tmp_path / "keys") as pki:
        signer = Pkcs12Signer(pki.pkcs12("signer"), P12_PASSWORD)
        lta = sign_pdf(
            make_pdf(), signer, level="B-LTA", tsa_url=pki.tsa_url, trust_roots=[pki.root]
        )
        bt = sign_pdf(make_pdf(), signer, level="B-T", tsa_url=pki.tsa_url, trust_roots=[pki.root])
        root, url = pki.root, pki.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/", timeout=2)  # the TSA/OCSP/CRL server really is stopped

    spec = _offline_spec(root)
    assert _lta(lta, spec) == AdESPassed.OK
    assert _lta(bt, spec) != AdESPassed.OK  # control: nothing embedded, nothing fetched

    [report] = verify_pdf(lta, trust_roots=[root], allow_fetching=False)
    assert (report.intact, report.trusted, report.level) == (True, True, "B-LTA")
    pdfsig_ok(lta, tmp_path)

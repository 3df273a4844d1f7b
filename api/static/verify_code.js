"use strict";
/* Public page /v/<code>: the kept signed document's report, and checking an uploaded copy. */
(function () {
  const { el, clear, append, formatDate } = hoso;
  const code = document.body.dataset.code;
  const yes = (v) => (v ? "Có" : "Không");

  function signatures(list) {
    return list.map((s) =>
      el(
        "section",
        { class: s.intact && s.trusted && !s.modified_after ? "sig ok" : "sig bad" },
        el("h3", { text: `Chữ ký của ${s.signer}` }),
        el("p", { class: "summary", text: s.summary_vi }),
        append(
          el("dl", { class: "sig-table" }),
          [
            ["Người ký", s.signer],
            ["Nguyên vẹn", yes(s.intact)],
            ["Được tin cậy", yes(s.trusted)],
            ["Có dấu thời gian", yes(s.timestamped)],
            ["Bị sửa sau khi ký", yes(s.modified_after)],
            ["Mức PAdES", s.level],
          ].flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]),
        ),
      ),
    );
  }

  function verdict(ok, text) {
    return el("p", { class: `verdict ${ok ? "ok" : "bad"}`, attrs: { "data-valid": String(ok) }, text });
  }

  async function load() {
    const box = document.getElementById("stored");
    let body;
    try {
      body = await hoso.api(`/api/public/signed/${encodeURIComponent(code)}`);
    } catch (e) {
      clear(box).append(hoso.message("error", e.message));
      return;
    }
    clear(box);
    append(box, [
      verdict(body.valid, body.valid ? "Bản gốc HỢP LỆ: chữ ký số còn nguyên vẹn và được tin cậy." : "Bản gốc KHÔNG hợp lệ."),
      el("p", {}, "Thời điểm ký: ", el("strong", { text: formatDate(body.signed_at) })),
      body.dossier_code ? el("p", {}, "Hồ sơ: ", el("strong", { class: "mono", text: body.dossier_code })) : null,
      ...signatures(body.signatures),
      el("p", {}, el("a", { href: body.pdf_url, text: "Tải bản gốc đã ký số (PDF)" })),
    ]);
  }

  document.getElementById("check-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = document.getElementById("check-result");
    const file = document.getElementById("check-file").files[0];
    if (!file) return;
    clear(out).append(hoso.message("info", "Đang đối chiếu…"));
    let response;
    try {
      response = await fetch(`/api/public/signed/${encodeURIComponent(code)}/check`, {
        method: "POST",
        headers: { "Content-Type": "application/pdf" },
        body: file,
      });
    } catch (_) {
      clear(out).append(hoso.message("error", "Không kết nối được máy chủ. Vui lòng thử lại."));
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      clear(out).append(hoso.message("error", body.error || "Không kiểm tra được tệp này."));
      return;
    }
    clear(out);
    append(out, [verdict(body.valid, body.verdict_vi), ...signatures(body.signatures || [])]);
  });

  load();
})();

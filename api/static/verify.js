"use strict";
// Public page: send a signed PDF to /api/verify and show each signature's verdict.
(function () {
  const form = document.getElementById("verify-form");
  const input = document.getElementById("verify-file");
  const out = document.getElementById("verify-result");
  const yes = (v) => (v ? "Có" : "Không");

  function show(text, cls) {
    out.textContent = "";
    const p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    out.append(p);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) return;
    show("Đang kiểm tra…", "info");
    let response;
    try {
      response = await fetch("/api/verify", {
        method: "POST",
        headers: { "Content-Type": "application/pdf" },
        body: file,
      });
    } catch (e) {
      show("Không kết nối được máy chủ. Vui lòng thử lại.", "error");
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      show(body.error || "Không kiểm tra được tệp này.", "error");
      return;
    }
    out.textContent = "";
    for (const s of body.signatures) {
      const box = document.createElement("section");
      box.className = s.intact && s.trusted && !s.modified_after ? "sig ok" : "sig bad";
      const h = document.createElement("h2");
      h.textContent = `Chữ ký của ${s.signer}`;
      const summary = document.createElement("p");
      summary.className = "summary";
      summary.textContent = s.summary_vi;
      const dl = document.createElement("dl");
      for (const [label, value] of [
        ["Nguyên vẹn", yes(s.intact)],
        ["Được tin cậy", yes(s.trusted)],
        ["Có dấu thời gian", yes(s.timestamped)],
        ["Bị sửa sau khi ký", yes(s.modified_after)],
        ["Mức PAdES", s.level],
      ]) {
        const dt = document.createElement("dt");
        dt.textContent = label;
        const dd = document.createElement("dd");
        dd.textContent = value;
        dl.append(dt, dd);
      }
      box.append(h, summary, dl);
      out.append(box);
    }
  });
})();

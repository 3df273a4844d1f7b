/* One dossier (/ho-so/{code}, /dossiers/{code}): details, next actions, forms, extension,
 * attached documents and history. Every change re-reads the dossier from the API. */
"use strict";

(() => {
  const { el, clear, message, api } = hoso;
  const D = hosoDossier;
  const $ = (id) => document.getElementById(id);
  const code = $("dossier").dataset.code;
  const base = `/api/dossiers/${encodeURIComponent(code)}`;
  const JSON_HEADERS = { Accept: "application/json", "Content-Type": "application/json" };

  /** Button text for moving to a status (from the current one). */
  function actionLabel(to, from) {
    switch (to) {
      case "processing":
        return from === "received" ? "Chuyển giải quyết" : "Tiếp tục giải quyết";
      case "not_accepted":
        return "Không tiếp nhận";
      case "supplement_requested":
        return "Yêu cầu bổ sung";
      case "financial_obligation":
        return "Yêu cầu nghĩa vụ tài chính";
      case "withdrawn":
        return "Công dân rút hồ sơ";
      case "stopped":
        return "Dừng xử lý";
      case "processed":
        return "Đã giải quyết xong";
      case "returned":
        return "Trả kết quả";
      default:
        return D.STATUS_VI[to] || to;
    }
  }

  const NEEDS_NOTE = {
    supplement_requested: "Ghi các giấy tờ cần bổ sung, mỗi dòng một giấy tờ.",
    not_accepted: "Ghi lý do không tiếp nhận.",
    stopped: "Ghi lý do dừng xử lý.",
  };
  const DANGER = new Set(["not_accepted", "withdrawn", "stopped"]);
  const MAIN = new Set(["processing", "processed", "returned"]);

  const FORMS = [
    ["receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)", () => true],
    ["supplement", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)", (d) => d.status === "supplement_requested"],
    [
      "refusal",
      "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (mẫu 03)",
      (d) => d.status === "not_accepted" || d.status === "stopped",
    ],
    [
      "apology",
      "Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)",
      (d) => (d.history || []).some((h) => h.kind === "extended"),
    ],
  ];

  let dossier = null;
  let procedure = null;
  let completeness = null; // GET …/completeness, or null when it could not be loaded
  const docNames = new Map();

  // ---- rendering -----------------------------------------------------------------------

  function render() {
    const d = dossier;
    const late = D.isOverdue(d);
    hoso.append(clear($("dossier-status")), [D.badge(d.status, d.status_vi), late ? [" ", D.overdueBadge()] : null]);
    $("dossier-status").querySelector(".badge").classList.add("large");
    $("dossier-proc").textContent = procedure
      ? `${procedure.name} (${procedure.code}) · ${procedure.field}`
      : `Thủ tục ${d.procedure_code}`;
    document.title = `Hồ sơ ${d.code} — Số hóa hồ sơ`;

    const who = (p) => [p.name, p.id_number ? el("span", { class: "sub-line mono", text: p.id_number }) : null];
    const appointment = [D.official(d.appointment), late ? [" ", D.overdueBadge()] : null];
    const lookup = `/tra-cuu?ma=${encodeURIComponent(d.code)}&tc=${encodeURIComponent(d.lookup_key)}`;
    clear($("dossier-info")).append(
      D.facts([
        ["Mã hồ sơ", el("span", { class: "mono", text: d.code })],
        ["Thủ tục", procedure ? `${procedure.name} (${procedure.code})` : d.procedure_code],
        ["Thời hạn giải quyết", procedure ? D.timeLimit(procedure) : ""],
        ["Kênh tiếp nhận", D.CHANNEL_VI[d.channel] || d.channel],
        ["Người nộp hồ sơ", who(d.applicant)],
        ["Địa chỉ", d.applicant.address],
        ["Điện thoại", d.applicant.phone],
        ["Người được ủy quyền", d.authorised ? who(d.authorised) : ""],
        ["Tiếp nhận lúc", D.official(d.received)],
        ["Hẹn trả kết quả", appointment, { id: "appointment-row" }],
        ["Giải quyết xong lúc", d.resolved ? D.official(d.resolved) : ""],
        ["Trả kết quả lúc", d.returned ? D.official(d.returned) : ""],
        [
          "Mã tra cứu",
          [
            el("span", { class: "mono", text: d.lookup_key }),
            " ",
            el("a", { href: lookup, target: "_blank", rel: "noopener", text: "trang tra cứu công khai" }),
          ],
        ],
      ]),
    );

    const received = d.received_documents || [];
    $("received-card").hidden = !received.length;
    hoso.append(
      clear($("received-docs")),
      received.map((r) =>
        el(
          "li",
          {},
          el(
            "span",
            { class: "doc-line" },
            el("strong", { text: r.name }),
            el("span", {
              class: "sub-line",
              text: `${D.COPIES_VI[r.copies] || r.copies} · ${r.count} bản`,
            }),
          ),
        ),
      ),
    );

    renderActions();
    renderForms();
    renderExtend();
    renderCompleteness();
    renderAttached();
    renderHistory();
  }

  function renderActions() {
    const d = dossier;
    const body = clear($("action-body"));
    const next = D.NEXT[d.status] || [];
    body.append(el("p", {}, "Trạng thái hiện tại: ", D.badge(d.status, d.status_vi)));
    if (!next.length) {
      body.append(
        el("p", {
          class: "muted",
          text:
            d.status === "returned"
              ? "Hồ sơ đã trả kết quả — không còn thao tác nào."
              : "Hồ sơ đã kết thúc — không còn thao tác nào.",
        }),
      );
      return;
    }
    const note = el("textarea", {
      id: "status-note",
      rows: 3,
      maxLength: 2000,
      attrs: { "aria-describedby": "note-hint" },
    });
    const hints = [];
    if (next.includes("supplement_requested")) hints.push("Yêu cầu bổ sung: ghi mỗi giấy tờ còn thiếu trên một dòng.");
    const reasons = ["not_accepted", "stopped"].filter((s) => next.includes(s)).map((s) => actionLabel(s));
    if (reasons.length) hints.push(`${reasons.join(", ")}: ghi rõ lý do.`);
    body.append(
      el(
        "div",
        { class: "stack" },
        el("label", { attrs: { for: "status-note" }, text: "Ghi chú / lý do" }),
        note,
        el("p", { class: "hint", id: "note-hint", text: hints.join(" ") || "Không bắt buộc." }),
      ),
    );
    const buttons = el("div", { class: "buttons", attrs: { role: "group", "aria-label": "Chuyển trạng thái" } });
    for (const to of next) {
      const cls = MAIN.has(to) ? "primary" : DANGER.has(to) ? "danger" : "secondary";
      buttons.append(
        el("button", {
          type: "button",
          class: cls,
          text: actionLabel(to, d.status),
          attrs: { "data-status": to },
          on: { click: (e) => changeStatus(to, e.currentTarget) },
        }),
      );
    }
    body.append(buttons);
  }

  function say(box, kind, content) {
    clear(box).append(message(kind, content));
    if (kind === "error") box.focus();
  }

  async function changeStatus(to, button) {
    const noteBox = $("status-note");
    const note = noteBox.value.trim();
    const msg = $("action-message");
    if (NEEDS_NOTE[to] && !note) {
      say(msg, "error", NEEDS_NOTE[to]);
      noteBox.focus();
      return;
    }
    for (const b of $("action-body").querySelectorAll("button")) b.disabled = true;
    button.textContent = "Đang lưu…";
    try {
      await api(`${base}/status`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ status: to, note }) });
      await load();
      say(msg, "success", `Đã chuyển hồ sơ sang “${D.STATUS_VI[to]}”.`);
      msg.focus();
    } catch (e) {
      renderActions();
      $("status-note").value = note;
      say(msg, "error", e.message);
    }
  }

  function renderForms() {
    const list = clear($("form-links"));
    for (const [name, label, applies] of FORMS) {
      if (!applies(dossier)) continue;
      list.append(
        el(
          "li",
          {},
          el("a", {
            class: "button",
            href: `${base}/forms/${name}.pdf`,
            target: "_blank",
            rel: "noopener",
            text: label,
            attrs: { "data-form": name },
          }),
        ),
      );
    }
    list.append(
      el(
        "li",
        {},
        el("a", {
          class: "button",
          href: D.sheetsUrl(dossier),
          target: "_blank",
          rel: "noopener",
          text: "Tờ bìa và tờ phân cách để quét",
          attrs: { "data-form": "sheets" },
        }),
      ),
    );
  }

  function renderExtend() {
    const open = D.OPEN.has(dossier.status);
    $("extend-card").hidden = !open;
    if (open && !$("extend-day").value) {
      // Suggest the same time on the next day as a starting point.
      const p = D.parts(new Date(new Date(dossier.appointment).getTime() + 24 * 3600 * 1000).toISOString());
      $("extend-day").value = `${p.day}/${p.month}/${p.year}`;
      $("extend-time").value = `${p.hour}:${p.minute}`;
    }
  }

  function renderCompleteness() {
    const box = clear($("completeness"));
    clear($("completeness-message"));
    if (!completeness) {
      box.append(message("error", "Không tải được kết quả đối chiếu thành phần hồ sơ."));
      return;
    }
    hoso.append(box, [
      hosoCompleteness.view(completeness),
      hosoCompleteness.supplementAction(dossier, completeness, async () => {
        await load(); // status, forms and history change too
        say($("completeness-message"), "success", hosoCompleteness.DONE);
      }),
    ]);
  }

  function renderAttached() {
    const box = clear($("attached"));
    const docs = dossier.documents || [];
    if (!docs.length) {
      box.append(el("p", { class: "muted", text: "Chưa có tài liệu số nào được đính kèm." }));
      return;
    }
    const tbody = el("tbody");
    for (const x of docs) {
      const name = el("a", { href: `/documents/${x.document_id}`, text: docNames.get(x.document_id) || `Tài liệu số ${x.document_id}` });
      tbody.append(
        el(
          "tr",
          { attrs: { "data-document": x.document_id } },
          el("td", { class: "file" }, name),
          el("td", { text: x.role === "result" ? "Kết quả giải quyết" : "Thành phần hồ sơ nộp" }),
          el("td", { text: x.reused ? "Tái sử dụng" : "Số hóa mới" }),
        ),
      );
      if (!docNames.has(x.document_id)) {
        api(`/api/documents/${x.document_id}`)
          .then((doc) => {
            docNames.set(x.document_id, doc.source);
            name.textContent = doc.source;
          })
          .catch(() => {});
      }
    }
    box.append(
      el(
        "div",
        { class: "table-wrap" },
        el(
          "table",
          {},
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              el("th", { attrs: { scope: "col" }, text: "Tài liệu" }),
              el("th", { attrs: { scope: "col" }, text: "Vai trò" }),
              el("th", { attrs: { scope: "col" }, text: "Nguồn" }),
            ),
          ),
          tbody,
        ),
      ),
    );
  }

  function eventLabel(h) {
    switch (h.kind) {
      case "received":
        return "Tiếp nhận hồ sơ";
      case "status":
        return [
          D.STATUS_VI[h.from] || h.from || "",
          el("span", { class: "arrow", text: "→", attrs: { "aria-label": "chuyển sang" } }),
          el("strong", { text: D.STATUS_VI[h.to] || h.to }),
        ];
      case "extended":
        return "Gia hạn thời hạn trả kết quả";
      case "attached":
        return "Đính kèm tài liệu số";
      case "rated":
        return "Công dân đánh giá mức độ hài lòng";
      case "signed":
        return "Lãnh đạo ký số kết quả";
      case "sign_rejected":
        return "Lãnh đạo trả lại kết quả";
      case "sign_requested":
        return "Trình ký kết quả";
      default:
        return h.kind;
    }
  }

  function noteText(h) {
    if (h.kind === "received") {
      return String(h.note || "").replace(/\b(direct|online|postal)\b/, (c) => (D.CHANNEL_VI[c] || c).toLowerCase());
    }
    return h.note || "";
  }

  function renderHistory() {
    const tbody = clear($("history-rows"));
    for (const h of dossier.history || []) {
      tbody.append(
        el(
          "tr",
          { attrs: { "data-kind": h.kind } },
          el("td", { text: D.time(h.at) }),
          hoso.append(el("td"), [eventLabel(h)]),
          el("td", { class: "note-cell", text: noteText(h) }),
        ),
      );
    }
  }

  // ---- extension and attachments -------------------------------------------------------

  $("extend-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const msg = $("extend-message");
    const day = D.parseDay($("extend-day").value);
    const clock = D.parseClock($("extend-time").value);
    const reason = $("extend-reason").value.trim();
    if (!day) return say(msg, "error", "Ngày hẹn mới không hợp lệ. Nhập dạng ngày/tháng/năm, ví dụ 05/03/2026.");
    if (!clock) return say(msg, "error", "Giờ hẹn không hợp lệ. Nhập dạng giờ:phút, ví dụ 14:30.");
    const at = D.vnIso(day, clock);
    if (!reason) return say(msg, "error", "Hãy ghi lý do gia hạn.");
    const button = $("extend-button");
    button.disabled = true;
    try {
      const out = await api(`${base}/extend`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ new_appointment: at, reason }),
      });
      $("extend-reason").value = "";
      $("extend-day").value = "";
      await load();
      say(msg, "success", [
        `Đã hẹn lại: ${D.official(out.appointment)} (trước đây: ${D.official(out.previous_appointment)}). `,
        el("a", { href: out.apology_url, target: "_blank", rel: "noopener", text: "In Phiếu xin lỗi (mẫu 04)" }),
      ]);
    } catch (e) {
      say(msg, "error", e.message);
    } finally {
      button.disabled = false;
    }
  });

  $("attach-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const msg = $("attach-message");
    const id = Number.parseInt($("attach-id").value, 10);
    if (!(id > 0)) return say(msg, "error", "Hãy nhập số tài liệu.");
    try {
      await api(`${base}/documents`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ document_id: id, role: $("attach-role").value, reused: $("attach-reused").checked }),
      });
      $("attach-id").value = "";
      await load();
      say(msg, "success", `Đã đính kèm tài liệu số ${id}.`);
    } catch (e) {
      say(msg, "error", e.message);
    }
  });

  // ---- loading -------------------------------------------------------------------------

  async function load() {
    const [d, catalogue, check] = await Promise.all([
      api(base),
      D.catalogue().catch(() => new Map()),
      api(`${base}/completeness`).catch(() => null),
    ]);
    dossier = d;
    completeness = check;
    procedure = catalogue.get(d.procedure_code) || null;
    render();
  }

  load().then(
    () => {
      clear($("load-status"));
      $("dossier-body").hidden = false;
    },
    (e) => {
      clear($("load-status")).append(message("error", `Không tải được hồ sơ ${code}: ${e.message}`));
    },
  );
})();

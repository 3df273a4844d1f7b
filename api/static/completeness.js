/* Completeness of a dossier (hosoCompleteness), shown at reception and on the dossier page:
 * the procedure's required documents against the types of the digitised documents
 * (GET /api/dossiers/{code}/completeness, or GET /api/completeness before reception).
 * Present ones get a ✓ and the type's Vietnamese name, missing mandatory ones are
 * highlighted, then optional ones not given and documents the procedure does not list.
 * When something mandatory is missing, a button creates the supplement request (the status
 * change whose note lists what is missing; Form 02 is prefilled from it). */
"use strict";

const hosoCompleteness = (() => {
  const { el } = hoso;
  const DONE = "Đã chuyển hồ sơ sang “Yêu cầu bổ sung hồ sơ”; phiếu mẫu 02 ghi các giấy tờ còn thiếu.";

  /** Links to the documents behind a line ("tài liệu số 12, 15"). */
  function docLinks(ids) {
    if (!ids || !ids.length) return null;
    const out = ["tài liệu số "];
    ids.forEach((id, i) => {
      if (i) out.push(", ");
      out.push(el("a", { href: `/documents/${id}`, target: "_blank", rel: "noopener", text: String(id) }));
    });
    return el("span", { class: "sub-line" }, ...out);
  }

  function line(kind, mark, markLabel, title, detail, tag, docs, type) {
    return el(
      "li",
      { class: `cp-${kind}`, attrs: { "data-type": type, "data-state": kind } },
      el("span", { class: "cp-mark", text: mark, attrs: { "aria-label": markLabel, role: "img" } }),
      el(
        "span",
        { class: "cp-text" },
        el("strong", { class: "cp-name", text: title }),
        detail && detail !== title ? el("span", { class: "sub-line", text: detail }) : null,
        docLinks(docs),
      ),
      tag ? el("span", { class: `tag ${kind === "missing" ? "must" : ""}`, text: tag }) : null,
    );
  }

  /** The check as a list; ``c`` is the API's answer. */
  function view(c) {
    const missing = c.missing || [];
    const list = el("ul", { class: "cp-list" });
    for (const p of c.present || []) {
      list.append(line("present", "✓", "Đã có", p.type_name || p.type, p.name, "", p.documents, p.type));
    }
    for (const m of missing) {
      list.append(line("missing", "✗", "Còn thiếu", m.name, m.type_name, "Thiếu — bắt buộc", null, m.type));
    }
    for (const m of c.optional_missing || []) {
      list.append(line("optional", "–", "Chưa có", m.name, m.type_name, "Không bắt buộc", null, m.type));
    }
    for (const u of c.unexpected || []) {
      list.append(
        line("unexpected", "?", "Ngoài danh mục", u.type_name || u.type, "", "Không thuộc thành phần của thủ tục", u.documents, u.type),
      );
    }
    const unknown = c.unknown_documents || [];
    const summary = missing.length
      ? el("p", { class: "cp-summary bad", text: `Còn thiếu ${missing.length} giấy tờ bắt buộc.` })
      : el("p", { class: "cp-summary good", text: "Đã có đủ giấy tờ bắt buộc (theo loại giấy tờ số hóa)." });
    return el(
      "div",
      { class: "completeness", attrs: { "data-complete": String(!missing.length) } },
      summary,
      list,
      unknown.length
        ? el("p", { class: "hint cp-unknown" }, `Chưa phân loại xong: `, docLinks(unknown))
        : null,
    );
  }

  /** Supplement request: the dossier moves to "supplement_requested" with one missing
   * document per line of the note (what Form 02 and the public lookup list). */
  async function requestSupplement(code, c) {
    const note = (c.missing || []).map((m) => m.name).join("\n");
    return hoso.api(`/api/dossiers/${encodeURIComponent(code)}/status`, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ status: "supplement_requested", note }),
    });
  }

  function formUrl(code) {
    return `/api/dossiers/${encodeURIComponent(code)}/forms/supplement.pdf`;
  }

  function formLink(code) {
    return el("a", {
      class: "button",
      id: "supplement-form-link",
      href: formUrl(code),
      target: "_blank",
      rel: "noopener",
      text: "In phiếu yêu cầu bổ sung (mẫu 02)",
    });
  }

  /** What to offer under the check for dossier ``d`` (its JSON): a button creating the
   * supplement request when something is missing and the status allows it, the form's link
   * once requested. ``done`` runs after the request was made. */
  function supplementAction(d, c, done) {
    if (d.status === "supplement_requested") return el("p", { class: "cp-actions" }, formLink(d.code));
    const allowed = (d.allowed_next || []).includes("supplement_requested");
    if (!(c.missing || []).length || !allowed) return null;
    const out = el("div", { class: "cp-actions" });
    const msg = el("div", { attrs: { "aria-live": "polite" } });
    const button = el("button", {
      type: "button",
      class: "secondary",
      id: "supplement-button",
      text: "Lập phiếu bổ sung hồ sơ (mẫu 02)",
      on: {
        click: async () => {
          button.disabled = true;
          button.textContent = "Đang tạo…";
          try {
            const updated = await requestSupplement(d.code, c);
            button.replaceWith(formLink(d.code));
            hoso.clear(msg).append(hoso.message("success", DONE));
            if (done) await done(updated);
          } catch (e) {
            button.disabled = false;
            button.textContent = "Lập phiếu bổ sung hồ sơ (mẫu 02)";
            hoso.clear(msg).append(hoso.message("error", `Chưa tạo được yêu cầu bổ sung: ${e.message}`));
          }
        },
      },
    });
    out.append(button, msg);
    return out;
  }

  return { view, supplementAction, requestSupplement, formUrl, DONE };
})();

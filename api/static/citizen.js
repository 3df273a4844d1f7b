/* Citizen view (/cong-dan/{id}): everything the centre holds about one person, keyed by
 * the 12-digit ID number (GET /api/citizens/{id}, which checks the number): the latest
 * details, every dossier, every digitised document (type, fields, searchable PDF) and the
 * results (signed PDF where there is one). */
"use strict";

(() => {
  const root = document.getElementById("citizen-page");
  if (!root) return;
  const { el, clear, message, api } = hoso;
  const D = hosoDossier;
  const C = hosoClassify;
  const $ = (id) => document.getElementById(id);
  const form = $("citizen-form");
  const input = $("citizen-id");
  const statusBox = $("citizen-status");
  const view = $("citizen-view");

  function open(value) {
    const v = String(value || "").replace(/[\s.-]/g, "");
    location.href = `/cong-dan/${encodeURIComponent(v)}`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const v = input.value.trim();
    if (!v) {
      clear(statusBox).append(message("notice", "Hãy nhập số định danh cá nhân (12 chữ số)."));
      input.focus();
      return;
    }
    open(v);
  });

  const ROLE_VI = { submitted: "giấy tờ nộp", result: "kết quả" };

  function docLink(d) {
    return el("a", { href: d.url || `/documents/${d.id}`, text: d.source || `Tài liệu số ${d.id}` });
  }

  function dossierLinks(d) {
    if (!d.dossiers || !d.dossiers.length) return el("span", { class: "muted", text: "—" });
    return el(
      "ul",
      { class: "fields" },
      d.dossiers.map((x) =>
        el(
          "li",
          {},
          el("a", { class: "code", href: `/ho-so/${encodeURIComponent(x.code)}`, text: x.code }),
          ` (${ROLE_VI[x.role] || x.role}${x.reused ? ", dùng lại" : ""})`,
        ),
      ),
    );
  }

  function fieldList(fields) {
    const keys = Object.keys(fields || {});
    if (!keys.length) return el("span", { class: "muted", text: "—" });
    const order = Object.keys(C.FIELDS);
    const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length);
    keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    return el(
      "ul",
      { class: "fields" },
      keys.map((k) =>
        el("li", { attrs: { "data-field": k } }, el("span", { class: "k", text: `${C.fieldLabel(k)}: ` }), String(fields[k] ?? "")),
      ),
    );
  }

  function pdfLinks(d) {
    const out = [];
    if (d.pdf_url) {
      out.push(el("a", { class: "pdf-link", href: d.pdf_url, target: "_blank", rel: "noopener", text: "PDF tìm kiếm được" }));
    }
    if (d.signed_pdf_url) {
      out.push(el("a", { class: "signed-link", href: d.signed_pdf_url, target: "_blank", rel: "noopener", text: "PDF đã ký số" }));
    }
    if (!out.length) out.push(el("span", { class: "muted", text: "Chưa có PDF" }));
    return el("div", { class: "links" }, out);
  }

  function table(headers, rows, id) {
    return el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        { class: "citizen-table", id },
        el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, rows),
      ),
    );
  }

  function renderPerson(data) {
    const a = data.applicant;
    const box = clear($("person"));
    if (!a) {
      box.append(el("p", { class: "muted", text: "Chưa có thông tin nhân thân của số định danh này (chưa có hồ sơ hay giấy tờ nào ghi số này)." }));
      box.prepend(D.facts([["Số định danh:", el("span", { class: "mono", id: "person-id", text: data.id_number })]]));
      return;
    }
    box.append(
      D.facts([
        ["Họ và tên:", el("strong", { id: "person-name", text: a.name })],
        ["Số định danh:", el("span", { class: "mono", id: "person-id", text: data.id_number })],
        ["Địa chỉ:", a.address],
        ["Điện thoại:", a.phone],
      ]),
      el("p", {
        class: "hint",
        text: data.dossiers.length ? "Theo hồ sơ nộp gần nhất." : "Theo giấy tờ đã số hóa (chưa có hồ sơ nào).",
      }),
    );
  }

  function renderDossiers(list, names) {
    const box = clear($("citizen-dossier-list"));
    $("dossiers-title").textContent = `Hồ sơ (${list.length})`;
    if (!list.length) {
      box.append(el("p", { class: "muted", text: "Công dân chưa nộp hồ sơ nào." }));
      return;
    }
    const rows = list.map((d) => {
      const proc = names.get(d.procedure_code);
      return el(
        "tr",
        { attrs: { "data-dossier": d.code } },
        el("td", {}, el("a", { class: "code", href: `/ho-so/${encodeURIComponent(d.code)}`, text: d.code })),
        el("td", {}, proc ? proc.name : d.procedure_code, el("div", { class: "muted mono", text: d.procedure_code })),
        el("td", {}, D.badge(d.status, d.status_vi)),
        el("td", { text: D.time(d.received) }),
        el("td", { text: D.day(d.appointment) }),
        el("td", { text: d.returned ? D.time(d.returned) : d.resolved ? D.time(d.resolved) : "—" }),
      );
    });
    box.append(
      table(["Mã hồ sơ", "Thủ tục", "Trạng thái", "Tiếp nhận", "Hẹn trả", "Giải quyết / trả"], rows, "citizen-dossiers-table"),
    );
  }

  function renderDocuments(docs) {
    const box = clear($("citizen-documents"));
    $("documents-title").textContent = `Giấy tờ đã số hóa (${docs.length})`;
    if (!docs.length) {
      box.append(el("p", { class: "muted", text: "Chưa có giấy tờ số hóa nào của công dân." }));
      return;
    }
    const rows = docs.map((d) =>
      el(
        "tr",
        { attrs: { "data-document": d.id } },
        el("td", {}, docLink(d), el("div", { class: "muted", text: `Tài liệu số ${d.id}` })),
        el(
          "td",
          {},
          el("span", { class: "type-name", text: C.typeLabel(d.type) }),
          d.reusable ? [" ", el("span", { class: "badge reusable", text: "dùng lại được" })] : null,
        ),
        el("td", {}, fieldList(d.fields)),
        el("td", {}, dossierLinks(d)),
        el("td", {}, pdfLinks(d)),
      ),
    );
    box.append(table(["Tài liệu", "Loại giấy tờ", "Thông tin chính", "Thuộc hồ sơ", "Tệp PDF"], rows, "citizen-documents-table"));
  }

  function isResult(d) {
    return !!d.signed_pdf_url || (d.dossiers || []).some((x) => x.role === "result");
  }

  function renderResults(docs) {
    const box = clear($("citizen-results"));
    const results = docs.filter(isResult);
    $("results-title").textContent = `Kết quả giải quyết (${results.length})`;
    if (!results.length) {
      box.append(el("p", { class: "muted", text: "Chưa có kết quả giải quyết nào." }));
      return;
    }
    const rows = results.map((d) =>
      el(
        "tr",
        { attrs: { "data-document": d.id } },
        el("td", {}, docLink(d)),
        el("td", { text: C.typeLabel(d.type) }),
        el("td", {}, dossierLinks(d)),
        el(
          "td",
          {},
          d.signed_at
            ? [el("span", { class: "badge signed", text: "Đã ký số" }), el("div", { class: "muted", text: D.time(d.signed_at) })]
            : el("span", { class: "muted", text: "Chưa ký" }),
        ),
        el("td", {}, pdfLinks(d)),
      ),
    );
    box.append(table(["Tài liệu", "Loại giấy tờ", "Hồ sơ", "Ký số", "Tệp PDF"], rows, "citizen-results-table"));
  }

  async function load(number) {
    if (!/^\d{12}$/.test(number)) {
      clear(statusBox).append(
        message("error", `Số định danh “${number}” không hợp lệ: số định danh cá nhân gồm đúng 12 chữ số.`),
      );
      input.focus();
      return;
    }
    clear(statusBox).append(el("p", { class: "muted", text: "Đang tải hồ sơ, giấy tờ của công dân…" }));
    let data;
    let names;
    try {
      [data, names] = await Promise.all([
        api(`/api/citizens/${encodeURIComponent(number)}`),
        D.catalogue().catch(() => new Map()),
      ]);
    } catch (e) {
      const what = e.status === 400 ? "Số định danh không hợp lệ" : "Không tải được thông tin công dân";
      clear(statusBox).append(message("error", `${what}: ${e.message}`));
      return;
    }
    clear(statusBox);
    if (!data.dossiers.length && !data.documents.length) {
      statusBox.append(message("info", `Chưa có hồ sơ hay giấy tờ số hóa nào của số định danh ${data.id_number}.`));
    }
    document.title = `Công dân ${data.applicant ? data.applicant.name : data.id_number} — Số hóa hồ sơ`;
    renderPerson(data);
    renderDossiers(data.dossiers, names);
    renderDocuments(data.documents);
    renderResults(data.documents);
    view.hidden = false;
  }

  const wanted = root.dataset.id || new URLSearchParams(location.search).get("id") || "";
  if (wanted) load(wanted.trim());
  else input.focus();
})();

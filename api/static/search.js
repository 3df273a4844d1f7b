/* Search page. The query lives in the URL (?q=&doc_type=&procedure=&cccd=&batch=&date_from=&date_to=&offset=)
 * so that Back/Forward and shared links work. Snippets are the only API strings inserted as HTML:
 * the API escapes the original text and adds <b> around matched words. The type and procedure
 * facets are chips: clicking one filters by that type or procedure (clicking the chosen one
 * again removes it). Procedure names come from the catalogue (GET /api/procedures). */
"use strict";

(() => {
  const { el, clear, message } = hoso;
  const LIMIT = 20;
  const $ = (name) => document.getElementById(name);
  const form = $("search-form");
  const q = $("q");
  const batch = $("batch");
  const docType = $("doc_type");
  const cccd = $("cccd");
  const procedure = $("procedure");
  const facets = $("facets");
  const procFacets = $("procedure-facets");
  let procNames = new Map(); // code → name, once the catalogue is loaded
  let lastProcCounts = null; // re-drawn with names when the catalogue arrives late
  const C = hosoClassify;
  C.typeOptions(docType, "", "Tất cả loại giấy tờ");
  const from = $("date_from");
  const to = $("date_to");
  const statusBox = $("search-status");
  const results = $("results");
  const pager = $("pager");
  const pagerLabel = $("pager-label");
  const prev = $("prev");
  const next = $("next");
  let offset = 0;
  let seq = 0; // ignore answers to superseded searches

  /** "5/3/2025", "05-03-2025", "05.03.2025" or "2025-03-05" → "2025-03-05"; "" → "";
   * anything else → null. */
  function toIso(value) {
    const v = value.trim();
    if (!v) return "";
    let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
    let y, mo, d;
    if (m) [, d, mo, y] = m.map(Number);
    else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v))) [, y, mo, d] = m.map(Number);
    else return null;
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
    return date.toISOString().slice(0, 10);
  }

  /** "2025-03-05" → "05/03/2025"; other text is shown as it is. */
  function toDisplay(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${m[3]}/${m[2]}/${m[1]}` : iso || "";
  }

  function dateParam(input) {
    const iso = toIso(input.value);
    return iso === null ? input.value.trim() : iso; // invalid: let the API say so
  }

  function badDate() {
    for (const input of [from, to]) {
      if (toIso(input.value) === null) {
        return `Ngày “${input.value.trim()}” không hợp lệ. Hãy nhập dạng ngày/tháng/năm, ví dụ 05/03/2025.`;
      }
    }
    return null;
  }

  function paramsFromUrl() {
    const p = new URLSearchParams(location.search);
    q.value = p.get("q") || "";
    const t = p.get("doc_type") || "";
    if (t && !Array.from(docType.options).some((o) => o.value === t)) {
      docType.append(el("option", { value: t, text: C.typeLabel(t) }));
    }
    docType.value = t;
    const pr = p.get("procedure") || "";
    if (pr && !Array.from(procedure.options).some((o) => o.value === pr)) {
      procedure.append(el("option", { value: pr, text: procLabel(pr) }));
    }
    procedure.value = pr;
    cccd.value = p.get("cccd") || "";
    from.value = toDisplay(p.get("date_from"));
    to.value = toDisplay(p.get("date_to"));
    const b = p.get("batch") || "";
    if (b && !Array.from(batch.options).some((o) => o.value === b)) {
      batch.append(el("option", { value: b, text: `Lô quét số ${b}` }));
    }
    batch.value = b;
    offset = Math.max(0, Number.parseInt(p.get("offset") || "0", 10) || 0);
  }

  function query() {
    const p = new URLSearchParams();
    p.set("q", q.value.trim());
    if (docType.value) p.set("doc_type", docType.value);
    if (procedure.value) p.set("procedure", procedure.value);
    if (cccd.value.trim()) p.set("cccd", cccd.value.trim());
    if (batch.value) p.set("batch", batch.value);
    if (dateParam(from)) p.set("date_from", dateParam(from));
    if (dateParam(to)) p.set("date_to", dateParam(to));
    if (offset) p.set("offset", String(offset));
    return p;
  }

  function navigate() {
    const p = query();
    const url = `/search?${p}`;
    if (url !== location.pathname + location.search) history.pushState(null, "", url);
    run();
  }

  async function run() {
    const mine = ++seq;
    clear(results);
    pager.hidden = true;
    const text = q.value.trim();
    if (!text && !anyFilter()) {
      renderFacets(null);
      clear(statusBox);
      if (new URLSearchParams(location.search).has("q")) {
        statusBox.append(message("notice", "Hãy nhập từ khóa cần tìm."));
      }
      return;
    }
    const wrong = badDate();
    if (wrong) {
      clear(statusBox).append(message("error", wrong));
      return;
    }
    if (dateParam(from) && dateParam(to) && dateParam(from) > dateParam(to)) {
      clear(statusBox).append(message("error", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."));
      return;
    }
    clear(statusBox).append(el("p", { class: "muted", text: "Đang tìm…" }));
    const p = query();
    p.set("limit", String(LIMIT));
    p.set("offset", String(offset));
    let body;
    try {
      body = await hoso.api(`/api/search?${p}`);
    } catch (e) {
      if (mine === seq) clear(statusBox).append(message("error", `Không tìm được: ${e.message}`));
      return;
    }
    if (mine !== seq) return;
    render(body, describe(text));
    renderFacets(body.facets || {});
  }

  /** A filter that is a query by itself (no words needed). */
  function anyFilter() {
    return Boolean(docType.value || procedure.value || cccd.value.trim());
  }

  function procLabel(code) {
    return procNames.get(code) || `Thủ tục ${code}`;
  }

  /** The API's snippet is escaped text with <b> around matches. It is parsed in an inert
   * document and only text and <b> are kept, so even a faulty snippet cannot run code. */
  function snippetNode(html) {
    const p = el("p", { class: "snippet" });
    const parsed = new DOMParser().parseFromString(String(html || ""), "text/html");
    for (const node of parsed.body.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "B") {
        p.append(el("b", { text: node.textContent }));
      } else p.append(node.textContent);
    }
    return p;
  }

  /** What was searched for, in words: the text and the filters given outside the box. */
  function describe(text) {
    const parts = [];
    if (text) parts.push(`“${text}”`);
    if (docType.value) parts.push(`loại “${C.typeLabel(docType.value)}”`);
    if (procedure.value) parts.push(`thủ tục “${procLabel(procedure.value)}”`);
    if (cccd.value.trim()) parts.push(`số định danh ${cccd.value.trim()}`);
    return parts.join(", ");
  }

  /** Both facet rows from the API's {type: {code: n}, procedure: {code: n}}; null hides them. */
  function renderFacets(all) {
    lastProcCounts = all ? all.procedure || {} : null;
    renderChips(facets, all ? all.type || {} : null, docType, TYPE_CHIPS);
    renderChips(procFacets, lastProcCounts, procedure, PROC_CHIPS);
  }

  const TYPE_CHIPS = { caption: "Loại giấy tờ:", label: (c) => C.typeLabel(c), attr: "data-type", what: "loại" };
  const PROC_CHIPS = { caption: "Thủ tục:", label: (c) => procLabel(c), attr: "data-procedure", what: "thủ tục" };

  function renderChips(box, counts, select, { caption, label, attr, what }) {
    clear(box);
    const entries = Object.entries(counts || {}).filter(([, n]) => n > 0);
    if (counts === null || (!entries.length && !select.value)) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    entries.sort((a, b) => b[1] - a[1] || label(a[0]).localeCompare(label(b[0]), "vi"));
    if (select.value && !entries.some(([code]) => code === select.value)) entries.unshift([select.value, 0]);
    box.append(el("span", { class: "muted", text: caption }));
    for (const [code, n] of entries) {
      const on = code === select.value;
      box.append(
        el(
          "button",
          {
            type: "button",
            class: "chip",
            title: on ? `Bỏ lọc theo ${what} này` : `Chỉ xem ${what} này (${code})`,
            attrs: { "aria-pressed": on ? "true" : "false", [attr]: code },
            on: {
              click: () => {
                select.value = on ? "" : code;
                offset = 0;
                navigate();
              },
            },
          },
          label(code),
          el("span", { class: "n", text: String(n) }),
        ),
      );
    }
  }

  function render(body, text) {
    clear(statusBox);
    const total = body.total || 0;
    if (!body.hits.length) {
      if (total && offset) {
        statusBox.append(
          message("notice", `Không còn kết quả ở trang này (tổng cộng ${total} kết quả).`),
        );
      } else {
        statusBox.append(
          message(
            "notice",
            `Không tìm thấy kết quả nào cho ${text}. Hãy thử từ khóa khác, ít từ hơn, hoặc bỏ bớt bộ lọc.`,
          ),
        );
      }
    } else {
      const first = offset + 1;
      const last = offset + body.hits.length;
      statusBox.append(
        el(
          "p",
          { class: "summary", id: "search-summary" },
          el("strong", { text: `Tìm thấy ${total} kết quả` }),
          total > body.hits.length ? ` (đang xem ${first}–${last})` : "",
          ` cho ${text}.`,
        ),
      );
    }
    for (const hit of body.hits) {
      const snippet = snippetNode(hit.snippet);
      results.append(
        el(
          "li",
          { class: "hit" },
          el("h3", {}, el("a", { href: hit.document_url, text: hit.source, class: "hit-link" })),
          el("p", { class: "meta", text: `Trang ${hit.page} · Lô quét số ${hit.batch_id}` }),
          snippet,
          el(
            "p",
            { class: "links" },
            el("a", { href: hit.document_url, text: `Xem trang ${hit.page}` }),
            el("a", { href: hit.pdf_url, target: "_blank", rel: "noopener", text: "Mở PDF" }),
            el("a", { href: `/batches/${hit.batch_id}`, text: `Lô quét số ${hit.batch_id}` }),
          ),
        ),
      );
    }
    const pages = Math.ceil(total / LIMIT);
    if (pages > 1) {
      pager.hidden = false;
      pagerLabel.textContent = `Trang kết quả ${Math.floor(offset / LIMIT) + 1}/${pages}`;
      prev.disabled = offset <= 0;
      next.disabled = offset + LIMIT >= total;
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    offset = 0;
    if (!q.value.trim() && !anyFilter()) {
      clear(results);
      pager.hidden = true;
      clear(statusBox).append(
        message("notice", "Hãy nhập từ khóa cần tìm, hoặc chọn loại giấy tờ / thủ tục / nhập số định danh."),
      );
      renderFacets(null);
      q.focus();
      return;
    }
    navigate();
  });
  docType.addEventListener("change", () => form.requestSubmit());
  procedure.addEventListener("change", () => form.requestSubmit());
  $("reset-filters").addEventListener("click", () => {
    docType.value = "";
    procedure.value = "";
    cccd.value = "";
    batch.value = "";
    from.value = "";
    to.value = "";
  });
  prev.addEventListener("click", () => {
    offset = Math.max(0, offset - LIMIT);
    navigate();
    statusBox.scrollIntoView({ block: "start" });
  });
  next.addEventListener("click", () => {
    offset += LIMIT;
    navigate();
    statusBox.scrollIntoView({ block: "start" });
  });
  window.addEventListener("popstate", () => {
    paramsFromUrl();
    run();
  });

  async function loadBatches() {
    try {
      const list = await hoso.api("/api/batches?limit=200");
      const chosen = batch.value;
      for (const b of list) {
        if (Array.from(batch.options).some((o) => o.value === String(b.id))) continue;
        batch.append(
          el("option", { value: String(b.id), text: `Lô quét số ${b.id} (${hoso.formatDate(b.created)}, ${b.documents} tài liệu)` }),
        );
      }
      batch.value = chosen;
    } catch (_) {
      /* the filter stays usable with "all batches" */
    }
  }

  async function loadProcedures() {
    let list;
    try {
      list = await hoso.api("/api/procedures");
    } catch (_) {
      return; /* codes stay usable without their names */
    }
    procNames = new Map(list.map((p) => [p.code, p.name]));
    const chosen = procedure.value;
    clear(procedure).append(el("option", { value: "", text: "Tất cả thủ tục" }));
    const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name, "vi") || a.code.localeCompare(b.code));
    for (const p of sorted) procedure.append(el("option", { value: p.code, text: `${p.name} (${p.code})` }));
    if (chosen && !procNames.has(chosen)) procedure.append(el("option", { value: chosen, text: procLabel(chosen) }));
    procedure.value = chosen;
    if (lastProcCounts !== null) renderChips(procFacets, lastProcCounts, procedure, PROC_CHIPS);
  }

  paramsFromUrl();
  loadProcedures();
  loadBatches();
  run();
  if (!q.value) q.focus();
})();

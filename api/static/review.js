/* Classification helpers shared by the search, document, reception and review pages
 * (hosoClassify: Vietnamese labels of document types and fields), and the review page
 * itself (/soat-xet): the queue of documents the classifier was unsure about; the chosen
 * one's page image with its fields highlighted beside the type and field correction form
 * (classify-panel.js, shared with the document page); saving the type opens the next
 * document. For admins, retrain the classifier from the corrections or roll it back. */
"use strict";

const hosoClassify = (() => {
  const TYPES = {
    to_khai_khai_sinh: "Tờ khai đăng ký khai sinh",
    giay_chung_sinh: "Giấy chứng sinh",
    to_khai_xac_nhan_hon_nhan: "Tờ khai xác nhận tình trạng hôn nhân",
    to_khai_khai_tu: "Tờ khai đăng ký khai tử",
    giay_uy_quyen: "Giấy ủy quyền",
    can_cuoc: "Căn cước",
    giay_xac_nhan_cu_tru: "Giấy xác nhận thông tin cư trú",
    don_dang_ky_dat_dai: "Đơn đăng ký đất đai",
    giay_chung_nhan_qsdd: "Giấy chứng nhận QSDĐ",
    trich_luc_ban_do: "Trích lục bản đồ địa chính",
    quyet_dinh: "Quyết định",
    khac: "Khác",
  };
  const FIELDS = {
    cccd: "Số định danh",
    ho_ten: "Họ tên",
    ngay_sinh: "Ngày sinh",
    gioi_tinh: "Giới tính",
    dia_chi: "Địa chỉ",
    so_thua: "Thửa đất số",
    so_to_ban_do: "Tờ bản đồ số",
    dien_tich: "Diện tích",
    so_giay_chung_nhan: "Số giấy chứng nhận",
  };

  /** Vietnamese label; an unknown code is shown as it is; none → "Chưa phân loại". */
  function typeLabel(code) {
    if (!code) return "Chưa phân loại";
    return TYPES[code] || String(code);
  }

  function fieldLabel(key) {
    return FIELDS[key] || String(key);
  }

  /** 0.934 → "93%"; null → "". */
  function percent(x) {
    if (x === null || x === undefined || Number.isNaN(Number(x))) return "";
    return `${Math.round(Number(x) * 100)}%`;
  }

  /* Types an admin added (GET /api/document-types) join the built-in labels once they
   * arrive; type lists already built are rebuilt then, keeping their choice. Plain fetch:
   * these helpers also load on pages where a 401 must not send anyone to the login. */
  const built = new Map(); // select → its blank label
  const ready = fetch("/api/document-types", {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((r) => (r.ok ? r.json() : []))
    .then((types) => {
      for (const t of types) if (t && t.code && t.label && !(t.code in TYPES)) TYPES[t.code] = t.label;
      for (const [select, blank] of built) fill(select, select.value, blank);
    })
    .catch(() => {});

  /** <option>s for a type <select>, the chosen one selected (kept when unknown). */
  function typeOptions(select, chosen, blank) {
    built.set(select, blank);
    fill(select, chosen, blank);
  }

  function fill(select, chosen, blank) {
    const { el, clear } = hoso;
    clear(select);
    if (blank) select.append(el("option", { value: "", text: blank }));
    if (chosen && !TYPES[chosen]) select.append(el("option", { value: chosen, text: chosen }));
    for (const [code, label] of Object.entries(TYPES)) {
      select.append(el("option", { value: code, text: label }));
    }
    select.value = chosen || "";
  }

  return { TYPES, FIELDS, typeLabel, fieldLabel, percent, typeOptions, ready };
})();

(() => {
  const root = document.getElementById("review");
  if (!root) return; // only the helpers on other pages
  const { el, clear, message, api } = hoso;
  const C = hosoClassify;
  const $ = (id) => document.getElementById(id);
  const list = $("review-list");
  const status = $("review-status");
  const isAdmin = root.dataset.role === "admin";
  const work = $("review-work");
  const workTitle = $("work-title");
  const workLinks = $("work-links");
  const workMessage = $("work-message");
  const imageBox = $("page-image-box");
  const pageTitle = $("work-page-title");
  const prev = $("work-prev");
  const next = $("work-next");

  let queue = []; // the rows of GET /api/review, oldest first
  let doc = null; // the document being reviewed (GET /api/documents/{id})
  let page = null; // the page number shown
  let openSeq = 0;
  let pendingNote = null; // what was saved, said above the next document once it opens

  const panel = hosoClassifyPanel.create({
    nodes: {
      panel: $("classify"),
      type: $("classify-type"),
      status: $("classify-status"),
      fields: $("classify-fields"),
      corrections: $("corrections"),
    },
    imageBox,
    currentPage: () => page,
    goPage: showPage,
    scrollTarget: imageBox,
    showAll: true,
    reload: reloadDoc,
    onTypeSaved: (_type, said) => advance(said),
  });

  function wanted() {
    const m = /^#tai-lieu-(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) : null;
  }

  async function loadQueue() {
    clear(status).append(el("p", { class: "muted", text: "Đang tải…" }));
    let rows;
    try {
      rows = await api("/api/review");
    } catch (e) {
      clear(status).append(message("error", `Không tải được danh sách cần soát xét: ${e.message}`));
      return false;
    }
    queue = rows;
    renderQueue();
    return true;
  }

  function renderQueue() {
    clear(status);
    clear(list);
    if (!queue.length) {
      status.append(message("success", "Không có tài liệu nào cần soát xét."));
      return;
    }
    status.append(el("p", { class: "summary", text: `${queue.length} tài liệu cần soát xét (cũ nhất trước).` }));
    const body = el("tbody");
    for (const r of queue) {
      const chosen = doc && doc.id === r.id;
      body.append(
        el(
          "tr",
          { attrs: { "data-document": r.id, "aria-current": chosen ? "true" : "false" } },
          el(
            "td",
            {},
            el("button", {
              type: "button",
              class: chosen ? "primary small" : "secondary small",
              text: "Soát xét",
              attrs: { "aria-label": `Soát xét tài liệu số ${r.id}`, "data-open": r.id },
              on: { click: () => choose(r.id) },
            }),
          ),
          el("td", {}, el("a", { href: r.url, text: `Tài liệu số ${r.id}` })),
          el("td", { text: C.typeLabel(r.type) }),
          el("td", { class: "num", text: C.percent(r.type_confidence) || "—" }),
          el("td", {}, el("a", { href: `/batches/${r.batch_id}`, text: `Lô quét số ${r.batch_id}` })),
        ),
      );
    }
    list.append(
      el(
        "div",
        { class: "table-wrap" },
        el(
          "table",
          { class: "classify-table review-table", id: "review-table" },
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              el("th", { text: "" }),
              el("th", { text: "Tài liệu" }),
              el("th", { text: "Loại dự đoán" }),
              el("th", { text: "Độ tin cậy" }),
              el("th", { text: "Lô quét" }),
            ),
          ),
          body,
        ),
      ),
    );
  }

  /** Open a document of the queue (the URL remembers it: #tai-lieu-N). */
  function choose(id) {
    if (location.hash === `#tai-lieu-${id}`) open(id);
    else location.hash = `tai-lieu-${id}`;
  }

  async function open(id) {
    const mine = ++openSeq;
    clear(workMessage);
    let fresh;
    try {
      fresh = await api(`/api/documents/${id}`);
    } catch (e) {
      if (mine !== openSeq) return;
      work.hidden = false;
      clear(workMessage).append(message("error", `Không mở được tài liệu số ${id}: ${e.message}`));
      return;
    }
    if (mine !== openSeq) return;
    const changed = !doc || doc.id !== fresh.id;
    doc = fresh;
    work.hidden = false;
    workTitle.textContent = `Tài liệu số ${doc.id}: ${doc.source}`;
    clear(workLinks).append(
      el("a", { href: `/documents/${doc.id}`, text: "Mở trang tài liệu" }),
      doc.pdf_url ? el("a", { href: doc.pdf_url, target: "_blank", rel: "noopener", text: "PDF tìm kiếm được" }) : null,
    );
    if (!doc.needs_review) {
      workMessage.append(message("info", "Tài liệu này đã được soát xét; vẫn có thể sửa loại và các trường."));
    }
    renderQueue();
    if (changed) {
      clear($("classify-status"));
      if (pendingNote) $("classify-status").append(pendingNote);
      pendingNote = null;
      const first = doc.page_list.find((p) => p.image_url);
      showPage(first ? first.number : doc.page_list.length ? doc.page_list[0].number : null);
    }
    panel.render(doc, changed);
  }

  async function reloadDoc() {
    if (!doc) return;
    const fresh = await api(`/api/documents/${doc.id}`);
    doc = fresh;
    panel.render(doc);
  }

  function showPage(n) {
    const p = doc ? doc.page_list.find((x) => x.number === n) : null;
    clear(imageBox);
    page = p ? n : null;
    const i = p ? doc.page_list.indexOf(p) : -1;
    prev.disabled = i <= 0;
    next.disabled = i < 0 || i >= doc.page_list.length - 1;
    prev.hidden = next.hidden = !doc || doc.page_list.length < 2;
    if (!p) {
      pageTitle.textContent = "Ảnh quét";
      imageBox.append(el("p", { class: "muted", text: "Tài liệu chưa có ảnh trang." }));
      return;
    }
    pageTitle.textContent = `Ảnh quét trang ${n} / ${doc.page_list.length}`;
    if (!p.image_url) {
      imageBox.append(el("p", { class: "muted", text: "Chưa có ảnh trang này." }));
      return;
    }
    imageBox.append(
      el("img", {
        id: "page-image",
        src: p.image_url,
        alt: `Ảnh quét trang ${n} của ${doc.source}`,
        on: { load: () => panel.drawMarks() },
      }),
    );
  }

  function step(delta) {
    if (!doc) return;
    const i = doc.page_list.findIndex((x) => x.number === page);
    const target = doc.page_list[i + delta];
    if (target) {
      showPage(target.number);
      panel.drawMarks();
    }
  }

  /** After saving the type (the document leaves the queue) or skipping: the next one. */
  async function advance(said) {
    const left = doc ? doc.id : null;
    const before = queue.map((r) => r.id);
    if (!(await loadQueue())) return;
    const after = before.slice(before.indexOf(left) + 1);
    const target =
      queue.find((r) => r.id !== left && after.includes(r.id)) || queue.find((r) => r.id !== left);
    const note = said ? [said, " "] : [];
    if (!target) {
      doc = null;
      work.hidden = true;
      renderQueue();
      clear(status).append(message("success", [...note, "Không còn tài liệu nào cần soát xét."]));
      history.replaceState(null, "", location.pathname + location.search);
      return;
    }
    if (said) pendingNote = message("success", [said, ` Tiếp theo: tài liệu số ${target.id}.`]);
    choose(target.id);
  }

  prev.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  $("skip").addEventListener("click", () => advance(""));
  window.addEventListener("hashchange", () => {
    const id = wanted();
    if (id !== null) open(id);
  });

  async function start() {
    if (!(await loadQueue())) return;
    const id = wanted();
    if (id !== null) open(id);
    else if (queue.length) choose(queue[0].id);
  }

  async function loadVersion() {
    const out = $("model-version");
    try {
      const v = await api("/api/classifier");
      out.textContent = v.version;
    } catch (e) {
      out.textContent = `không rõ (${e.message})`;
    }
  }

  async function adminAction(button, url, done) {
    const box = $("model-status");
    for (const b of document.querySelectorAll("#model-tools button")) b.disabled = true;
    clear(box).append(el("p", { class: "muted", text: "Đang thực hiện…" }));
    try {
      const answer = await api(url, { method: "POST", headers: { Accept: "application/json" } });
      $("model-version").textContent = answer.version;
      clear(box).append(message("success", done(answer)));
    } catch (e) {
      clear(box).append(message("error", e.message));
    } finally {
      for (const b of document.querySelectorAll("#model-tools button")) b.disabled = false;
      loadQueue();
    }
  }

  if (isAdmin) {
    $("retrain").addEventListener("click", (e) =>
      adminAction(e.target, "/api/classifier/retrain", (a) => [
        "Đã huấn luyện lại: mô hình ",
        el("strong", { class: "mono", text: a.version }),
        `, dùng ${a.corrections_used} lần sửa của cán bộ.`,
      ]),
    );
    $("rollback").addEventListener("click", (e) =>
      adminAction(e.target, "/api/classifier/rollback", (a) => [
        "Đã quay lại mô hình ",
        el("strong", { class: "mono", text: a.version }),
        ".",
      ]),
    );
  }
  loadVersion();
  start();
})();

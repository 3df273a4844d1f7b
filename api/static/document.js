/* Document page: thumbnails of the pages; the chosen page's image beside its OCR text;
 * the searchable PDF once ready. #page-N in the URL opens page N. The dossier code, the
 * document type and the cover/separator sheets it was cut by. For clerks: turn, take out,
 * move the shown page or split after it; merge another document into this one.
 * The "Phân loại" panel (anyone logged in): the type the classifier gave, correcting it,
 * the extracted fields (edit inline; a field's boxes are highlighted over the page image)
 * and the history of corrections: classify-panel.js, shared with the review page. */
"use strict";

(() => {
  const { el, clear, message } = hoso;
  const root = document.getElementById("document");
  const id = Number(root.dataset.document);
  const $ = (name) => document.getElementById(name);
  const title = $("doc-title");
  const statusBox = $("doc-status");
  const messageBox = $("doc-message");
  const links = $("doc-links");
  const back = $("back-link");
  const thumbs = $("thumbs");
  const view = $("page-view");
  const pageTitle = $("page-title");
  const info = $("page-info");
  const pageError = $("page-error");
  const imageBox = $("page-image-box");
  const text = $("page-text");
  const prev = $("prev-page");
  const next = $("next-page");
  const facts = $("doc-facts");
  const editStatus = $("edit-status");
  const docEdit = $("doc-edit");
  const pageEdit = $("page-edit");
  const editable = hosoEdit.canEdit(root);
  const run = hosoEdit.runner(editStatus, { onStart: () => redrawTools(), onEnd: () => redrawTools() });

  let doc = null;
  let current = null; // page number shown
  let shownKey = null; // what the viewer currently shows, to avoid reloading on polls
  const texts = new Map(); // page number -> OCR text
  let timer = null;
  let docKey = null; // the document as last drawn; a change means new images and texts
  let version = 0; // part of image URLs: bumps when the document changes (edits)
  let batchDocs = null; // the other documents of the batch (targets for move / merge)
  let editNote = ""; // what to say once the document is done again after an edit
  let editDone = null; // resolves the edit being followed: the note, or false
  let merging = false;

  function wantedPage() {
    const m = /^#page-(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) : null;
  }

  function pageByNumber(n) {
    return doc ? doc.page_list.find((p) => p.number === n) : undefined;
  }

  function fmtNumber(x, digits) {
    return Number(x).toFixed(digits).replace(".", ",");
  }

  async function load() {
    if (timer) clearTimeout(timer);
    timer = null;
    let fresh;
    try {
      fresh = await hoso.api(`/api/documents/${id}`);
    } catch (e) {
      if (e.status === 404 && doc) {
        gone();
        return;
      }
      clear(messageBox).append(message("error", e.message));
      if (e.status !== 404 && e.status !== 403) timer = setTimeout(load, 3000);
      return;
    }
    // classification changes (type, fields) need no new images: leave them out of the key
    const key = JSON.stringify({ ...fresh, type: 0, type_confidence: 0, needs_review: 0, fields: 0 });
    if (key !== docKey) {
      docKey = key;
      version += 1;
      texts.clear();
      shownKey = null;
      thumbsKey = null;
    }
    doc = fresh;
    if (!batchDocs && editable) loadBatch();
    renderDocument();
    renderClassify();
    if (doc.status === "pending") timer = setTimeout(load, editDone ? 1000 : 2000);
    else if (editDone) {
      const failed = doc.status === "failed" ? `Lỗi: ${doc.error || "không rõ nguyên nhân"}.` : "";
      finishEdit(editNote || failed ? el("span", {}, editNote || "", failed ? " " : "", failed) : "");
    }
  }

  function finishEdit(note) {
    const resolve = editDone;
    editDone = null;
    if (resolve) resolve(note);
  }

  function redrawTools() {
    if (!doc) return;
    pageEditKey = null;
    renderDocEdit();
    renderPageEdit(true);
  }

  /** The document was merged into another or all its pages moved away. */
  function gone() {
    const back = doc.batch_id;
    finishEdit(false);
    doc = null;
    view.hidden = true;
    clear(thumbs);
    clear(links);
    clear(docEdit);
    clear(facts);
    clear(statusBox);
    clear(editStatus);
    clear(messageBox).append(
      message("notice", [
        `Tài liệu số ${id} không còn nữa (đã ghép vào tài liệu khác hoặc đã chuyển hết trang). `,
        el("a", { href: `/batches/${back}`, text: `Xem lô quét số ${back}` }),
      ]),
    );
  }

  async function loadBatch() {
    try {
      const p = await hoso.api(`/api/batches/${doc.batch_id}`);
      batchDocs = p.documents;
    } catch (_) {
      batchDocs = []; // moving / merging then has no targets; the rest still works
    }
    if (doc) {
      renderDocEdit();
      renderPageEdit(true);
    }
  }

  function renderDocument() {
    document.title = `${doc.source} — Số hóa hồ sơ`;
    title.textContent = doc.source || `Tài liệu số ${doc.id}`;
    clear(statusBox).append(hoso.badge(doc.status));
    back.href = `/batches/${doc.batch_id}`;
    back.textContent = `← Lô quét số ${doc.batch_id}`;

    clear(messageBox);
    if (doc.status === "pending") {
      messageBox.append(message("info", "Tài liệu đang được xử lý; trang này tự cập nhật."));
    } else if (doc.status === "failed") {
      messageBox.append(message("error", `Lỗi khi xử lý tài liệu: ${doc.error || "không rõ nguyên nhân"}`));
    }

    clear(links);
    if (doc.pdf_url) {
      links.append(
        el("a", {
          class: "button primary",
          id: "pdf-link",
          href: doc.pdf_url,
          text: "Tải PDF tìm kiếm được",
          attrs: { download: "" },
        }),
        el("a", { href: doc.pdf_url, target: "_blank", rel: "noopener", text: "Mở PDF trong tab mới" }),
      );
    } else if (doc.status !== "failed") {
      links.append(el("span", { class: "muted", text: "Tệp PDF sẽ có khi xử lý xong." }));
    }
    if (doc.page_list.some((p) => p.text_url)) {
      links.append(el("a", { href: doc.text_url, target: "_blank", rel: "noopener", text: "Toàn bộ chữ (.txt)" }));
    }
    const pages = doc.pages === null || doc.pages === undefined ? doc.page_list.length : doc.pages;
    links.append(el("span", { class: "muted", text: `${pages} trang` }));
    const blanks = doc.page_list.filter((p) => p.blank).map((p) => p.number);
    if (blanks.length) links.append(el("span", { class: "flag-blank", text: `Trang trắng: ${blanks.join(", ")}` }));

    renderFacts();
    renderDocEdit();
    renderThumbs();
    const n = wantedPage();
    show(pageByNumber(n) ? n : current && pageByNumber(current) ? current : doc.page_list.length ? doc.page_list[0].number : null);
  }

  let thumbsKey = null;

  function renderFacts() {
    clear(facts);
    const item = (label, ...value) => el("div", {}, el("dt", { text: label }), el("dd", {}, ...value));
    facts.append(
      item(
        "Hồ sơ:",
        doc.dossier_code
          ? el("span", { class: "code", text: doc.dossier_code })
          : el("span", { class: "muted", text: "chưa có tờ bìa" }),
      ),
      item(
        "Loại giấy tờ:",
        doc.doc_type_sheet || el("span", { class: "muted", text: "chưa có tờ phân cách" }),
      ),
    );
    const sheets = doc.sheets || [];
    if (sheets.length) {
      const list = el("ul");
      for (const s of sheets) {
        list.append(
          el("li", {}, hosoEdit.sheetLabel(s.kind), s.value ? ` “${s.value}”` : "", ` (ảnh quét số ${s.scan_page})`),
        );
      }
      facts.append(item("Tờ bìa / phân cách:", list));
    }
  }

  function renderThumbs() {
    const key = JSON.stringify([version, doc.page_list.map((p) => [p.number, p.status, p.thumb_url, p.blank])]);
    if (key === thumbsKey) return; // keep keyboard focus while polling
    thumbsKey = key;
    clear(thumbs);
    for (const p of doc.page_list) {
      const picture = p.thumb_url
        ? el("img", {
            src: hosoEdit.versioned(p.thumb_url, version),
            alt: "",
            loading: "lazy",
            width: 84,
            height: 110,
          })
        : el("span", { class: "noimg", text: hoso.statusLabel(p.status) });
      const cap = el("span", { class: "cap", text: `Trang ${p.number}` });
      const blank = p.blank ? " — trang trắng" : "";
      const button = el(
        "button",
        {
          type: "button",
          attrs: {
            "data-page": p.number,
            "aria-label": `Trang ${p.number} (${hoso.statusLabel(p.status)}${blank})`,
            "aria-current": p.number === current ? "true" : "false",
          },
          on: { click: () => go(p.number) },
        },
        picture,
        cap,
      );
      if (p.blank) button.append(el("span", { class: "badge blank", text: "trang trắng" }));
      if (p.status === "failed") button.append(hoso.badge("failed"));
      thumbs.append(el("li", { class: p.blank ? "blank" : "" }, button));
    }
  }

  /* ---- editing (clerks) ---- */

  function others() {
    return (batchDocs || []).filter((d) => d.id !== id);
  }

  /** After an edit: follow this document until it is done again (load() polls). */
  function afterEdit(kind, answer) {
    const ids = (answer && answer.documents) || [];
    editNote = "";
    if (kind === "split" && ids.length > 1) {
      const link = el("a", { href: `/documents/${ids[1]}`, text: `tài liệu số ${ids[1]}` });
      editNote = el("span", {}, "Các trang sau được tách thành ", link, ".");
    } else if (kind === "move") {
      const target = ids.find((d) => d !== id);
      editNote = target
        ? el("a", { href: `/documents/${target}`, text: `Xem tài liệu số ${target}` })
        : "";
    }
    merging = false;
    batchDocs = null; // page counts changed: fetch again
    const followed = new Promise((resolve) => {
      editDone = resolve;
    });
    load();
    return followed;
  }

  function renderDocEdit() {
    if (!editable || !doc) return;
    const focus = hosoEdit.focusKey(docEdit);
    clear(docEdit);
    const pending = doc.status === "pending" || run.isBusy();
    docEdit.append(
      el(
        "div",
        { class: "doc-tools" },
        hosoEdit.button(
          "Ghép với tài liệu…",
          () => {
            merging = !merging;
            renderDocEdit();
            const select = docEdit.querySelector("select");
            if (merging && select) select.focus();
          },
          {
            disabled: pending || !others().length,
            attrs: { "aria-expanded": merging ? "true" : "false", "data-key": "merge-open" },
          },
        ),
      ),
    );
    if (merging) {
      docEdit.append(
        hosoEdit.mergeForm({
          doc: { id, source: doc.source },
          others: others(),
          run,
          disabled: pending,
          onClose: () => {
            merging = false;
            renderDocEdit();
          },
          onDone: afterEdit,
        }),
      );
    }
    hosoEdit.restoreFocus(docEdit, focus);
  }

  let pageEditKey = null;

  function renderPageEdit(force) {
    if (!editable || !doc || current === null) return;
    const key = JSON.stringify([current, version, doc.status, !!batchDocs, run.isBusy()]);
    if (!force && key === pageEditKey) return;
    pageEditKey = key;
    const focus = hosoEdit.focusKey(pageEdit);
    clear(pageEdit).append(
      hosoEdit.pageActions({
        doc: { id, source: doc.source, count: doc.page_list.length },
        number: current,
        others: others(),
        run,
        disabled: doc.status === "pending" || run.isBusy(),
        onDone: afterEdit,
      }),
    );
    hosoEdit.restoreFocus(pageEdit, focus, editStatus);
  }

  function go(n) {
    if (location.hash === `#page-${n}`) show(n);
    else location.hash = `page-${n}`; // hashchange shows it, and Back works
  }

  function show(n) {
    const page = pageByNumber(n);
    if (!page) {
      view.hidden = true;
      return;
    }
    current = n;
    view.hidden = false;
    for (const b of thumbs.querySelectorAll("button[data-page]")) {
      b.setAttribute("aria-current", Number(b.dataset.page) === n ? "true" : "false");
    }
    const index = doc.page_list.indexOf(page);
    prev.disabled = index <= 0;
    next.disabled = index >= doc.page_list.length - 1;

    renderPageEdit();
    const key = JSON.stringify([n, version, page.status, page.image_url, page.text_url, page.confidence]);
    if (key === shownKey) return;
    shownKey = key;

    pageTitle.textContent = `Trang ${n} / ${doc.page_list.length}`;
    clear(info);
    const item = (label, value) => el("div", {}, el("dt", { text: label }), el("dd", { text: value }));
    info.append(item("Trạng thái:", hoso.statusLabel(page.status)));
    if (page.turned !== null && page.turned !== undefined) {
      info.append(item("Xoay trang:", page.turned ? `${page.turned}°` : "không"));
    }
    if (page.skew !== null && page.skew !== undefined) {
      info.append(item("Chỉnh nghiêng:", page.skew ? `${fmtNumber(page.skew, 2)}°` : "không"));
    }
    if (page.confidence !== null && page.confidence !== undefined) {
      info.append(item("Độ tin cậy OCR:", `${fmtNumber(page.confidence, 0)}%`));
    }
    clear(pageError);
    if (page.error) pageError.append(message("error", page.error));

    clear(imageBox);
    if (page.image_url) {
      imageBox.append(
        el(
          "a",
          {
            href: hosoEdit.versioned(page.image_url, version),
            target: "_blank",
            rel: "noopener",
            title: "Mở ảnh cỡ lớn",
          },
          el("img", {
            id: "page-image",
            src: hosoEdit.versioned(page.image_url, version),
            alt: `Ảnh quét trang ${n} của ${doc.source}`,
            on: { load: drawMarks },
          }),
        ),
      );
    } else {
      imageBox.append(el("p", { class: "muted", text: "Chưa có ảnh trang này." }));
    }
    loadText(page);
  }

  function showText(body) {
    text.textContent = body.trim() ? body : "(Không nhận dạng được chữ nào trên trang này.)";
  }

  async function loadText(page) {
    const n = page.number;
    if (!page.text_url) {
      text.textContent = page.status === "pending" ? "Đang nhận dạng chữ…" : "Trang này chưa có chữ nhận dạng.";
      return;
    }
    if (texts.has(n)) {
      showText(texts.get(n));
      return;
    }
    text.textContent = "Đang tải chữ nhận dạng…";
    const asked = version;
    try {
      const body = await hoso.text(hosoEdit.versioned(page.text_url, asked));
      if (asked !== version) return; // the document changed meanwhile
      texts.set(n, body);
      if (current === n) showText(body);
    } catch (e) {
      if (current === n && asked === version) text.textContent = `Không tải được chữ: ${e.message}`;
    }
  }

  /* ---- classification: type, fields and their place on the page, corrections ---- */

  // shared with the review page (classify-panel.js)
  const classifyPanel = hosoClassifyPanel.create({
    nodes: {
      panel: $("classify"),
      type: $("classify-type"),
      status: $("classify-status"),
      fields: $("classify-fields"),
      corrections: $("corrections"),
    },
    imageBox,
    currentPage: () => current,
    goPage: go,
    scrollTarget: view,
    reload: load,
  });

  function renderClassify() {
    if (doc) classifyPanel.render(doc);
  }

  function drawMarks() {
    classifyPanel.drawMarks();
  }

  window.addEventListener("hashchange", () => {
    const n = wantedPage();
    if (n !== null && doc) show(n);
  });
  prev.addEventListener("click", () => {
    const i = doc.page_list.findIndex((p) => p.number === current);
    if (i > 0) go(doc.page_list[i - 1].number);
  });
  next.addEventListener("click", () => {
    const i = doc.page_list.findIndex((p) => p.number === current);
    if (i >= 0 && i < doc.page_list.length - 1) go(doc.page_list[i + 1].number);
  });

  load();
})();

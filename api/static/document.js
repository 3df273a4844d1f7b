/* Document page: thumbnails of the pages; the chosen page's image beside its OCR text;
 * the searchable PDF once ready. #page-N in the URL opens page N. */
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

  let doc = null;
  let current = null; // page number shown
  let shownKey = null; // what the viewer currently shows, to avoid reloading on polls
  const texts = new Map(); // page number -> OCR text
  let timer = null;

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
    timer = null;
    try {
      doc = await hoso.api(`/api/documents/${id}`);
    } catch (e) {
      clear(messageBox).append(message("error", e.message));
      if (e.status !== 404 && e.status !== 403) timer = setTimeout(load, 3000);
      return;
    }
    renderDocument();
    if (doc.status === "pending") timer = setTimeout(load, 2000);
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

    renderThumbs();
    const n = wantedPage();
    show(pageByNumber(n) ? n : current && pageByNumber(current) ? current : doc.page_list.length ? doc.page_list[0].number : null);
  }

  let thumbsKey = null;

  function renderThumbs() {
    const key = JSON.stringify(doc.page_list.map((p) => [p.number, p.status, p.thumb_url]));
    if (key === thumbsKey) return; // keep keyboard focus while polling
    thumbsKey = key;
    clear(thumbs);
    for (const p of doc.page_list) {
      const picture = p.thumb_url
        ? el("img", { src: p.thumb_url, alt: "", loading: "lazy", width: 84, height: 110 })
        : el("span", { class: "noimg", text: hoso.statusLabel(p.status) });
      const cap = el("span", { class: "cap", text: `Trang ${p.number}` });
      const button = el(
        "button",
        {
          type: "button",
          attrs: {
            "data-page": p.number,
            "aria-label": `Trang ${p.number} (${hoso.statusLabel(p.status)})`,
            "aria-current": p.number === current ? "true" : "false",
          },
          on: { click: () => go(p.number) },
        },
        picture,
        cap,
      );
      if (p.status === "failed") button.append(hoso.badge("failed"));
      thumbs.append(el("li", {}, button));
    }
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

    const key = JSON.stringify([n, page.status, page.image_url, page.text_url, page.confidence]);
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
          { href: page.image_url, target: "_blank", rel: "noopener", title: "Mở ảnh cỡ lớn" },
          el("img", { id: "page-image", src: page.image_url, alt: `Ảnh quét trang ${n} của ${doc.source}` }),
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
    try {
      const body = await hoso.text(page.text_url);
      texts.set(n, body);
      if (current === n) showText(body);
    } catch (e) {
      if (current === n) text.textContent = `Không tải được chữ: ${e.message}`;
    }
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

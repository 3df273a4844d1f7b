/* hoso — shared helpers for the web pages. Vanilla JS, no build step.
 *
 * Rule: strings from the API are put in the page with textContent (via el()), never
 * innerHTML. The only HTML taken from the API is the search snippet (search.js: escaped
 * text with <b> around the matched words), and only its text and <b> are kept.
 */
"use strict";

const hoso = (() => {
  const STATUS = {
    pending: "Đang xử lý",
    processing: "Đang xử lý",
    done: "Xong",
    failed: "Lỗi",
  };

  /** Create an element. props: {class, text, attrs:{}, on:{event: fn}, ...dom props}. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key === "attrs") {
        for (const [name, v] of Object.entries(value)) {
          if (v !== undefined && v !== null && v !== false) node.setAttribute(name, String(v));
        }
      } else if (key === "on") {
        for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
      } else node[key] = value;
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.firstChild.remove();
    return node;
  }

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  function loginUrl() {
    return "/login?next=" + encodeURIComponent(location.pathname + location.search + location.hash);
  }

  async function errorOf(response) {
    let message = "";
    try {
      const body = await response.json();
      message = body && body.error ? String(body.error) : "";
    } catch (_) {
      /* not JSON */
    }
    return new ApiError(message || `Máy chủ báo lỗi ${response.status}`, response.status);
  }

  /** fetch + JSON; throws ApiError with the API's Vietnamese message. */
  async function api(url, options) {
    let response;
    try {
      response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        ...options,
      });
    } catch (_) {
      throw new ApiError("Không kết nối được với máy chủ. Kiểm tra mạng rồi thử lại.", 0);
    }
    if (response.status === 401) {
      location.href = loginUrl();
      throw await errorOf(response);
    }
    if (!response.ok) throw await errorOf(response);
    return response.json();
  }

  async function text(url) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch (_) {
      throw new ApiError("Không kết nối được với máy chủ.", 0);
    }
    if (!response.ok) throw await errorOf(response);
    return response.text();
  }

  /** API messages often start with the file name already ("a.pdf: …"): don't say it twice. */
  function withoutName(source, text) {
    const t = String(text || "");
    return source && t.startsWith(`${source}: `) ? t.slice(source.length + 2) : t;
  }

  function fileMessage(source, text) {
    return [el("strong", { text: source }), ": ", withoutName(source, text)];
  }

  function statusLabel(status) {
    return STATUS[status] || String(status || "");
  }

  function badge(status) {
    const known = Object.prototype.hasOwnProperty.call(STATUS, status) ? status : "";
    return el("span", { class: `badge ${known}`, text: statusLabel(status) });
  }

  function formatDate(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    const p = (n) => String(n).padStart(2, "0");
    return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
    if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
    return `${(n / 1024 / 1024 / 1024).toFixed(2).replace(".", ",")} GB`;
  }

  function message(kind, content, attrs) {
    const node = el("div", { class: kind, attrs: { role: kind === "error" ? "alert" : "status", ...attrs } });
    return append(node, [content]);
  }

  function role() {
    return document.body.dataset.role || "";
  }

  function canUpload() {
    return role() === "clerk" || role() === "admin";
  }

  /** A <progress> with a text label. update(done, total, text) — total 0 means unknown. */
  function meter(labelText) {
    const bar = el("progress", { max: 1, attrs: { "aria-label": labelText } });
    const left = el("span");
    const right = el("strong");
    const root = el("div", { class: "meter" }, el("div", { class: "label" }, left, right), bar);
    return {
      root,
      update(done, total, leftText, rightText, finished) {
        if (total > 0) {
          bar.max = total;
          bar.value = Math.min(done, total);
        } else if (finished) {
          bar.max = 1;
          bar.value = 1;
        } else {
          bar.removeAttribute("value"); // indeterminate
        }
        left.textContent = leftText || "";
        right.textContent = rightText || "";
        root.classList.toggle("done", !!finished);
      },
    };
  }

  /**
   * Live progress of one batch: a progress bar, a table of its documents and its errors.
   * Polls GET /api/batches/{id} every second until the batch is done.
   * options.refused=false leaves out the files refused on arrival (the caller shows them).
 * options.onUpdate(progress) is called after each poll; options.onDone(progress) once each
 * time the batch reaches "done".
   */
  function batchProgress(container, batchId, options = {}) {
    const opts = { interval: 1000, retry: canUpload(), refused: true, ...options };
    const status = el("p", { class: "batch-state", attrs: { "aria-live": "polite" } });
    const bar = meter(`Tiến độ nhận dạng lô quét số ${batchId}`);
    const errorBox = el("div");
    const pollError = el("div");
    const tbody = el("tbody");
    const table = el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        { class: "documents" },
        el("caption", { class: "visually-hidden", text: `Tài liệu trong lô quét số ${batchId}` }),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { attrs: { scope: "col" }, text: "Tài liệu" }),
            el("th", { attrs: { scope: "col" }, text: "Trạng thái" }),
            el("th", { class: "num", attrs: { scope: "col" }, text: "Trang xong" }),
            el("th", { class: "num", attrs: { scope: "col" }, text: "Trang lỗi" }),
            el("th", { attrs: { scope: "col" }, text: "Thao tác" }),
          ),
        ),
        tbody,
      ),
    );
    clear(container);
    append(container, [status, bar.root, pollError, errorBox, table]);

    const rows = new Map();
    let timer = null;
    let stopped = false;
    let wasDone = false;

    function renderRow(doc) {
      let row = rows.get(doc.id);
      if (!row) {
        row = {
          tr: el("tr", { attrs: { "data-document": doc.id } }),
          name: el("td", { class: "file" }),
          state: el("td"),
          done: el("td", { class: "num" }),
          failed: el("td", { class: "num" }),
          action: el("td"),
          key: null,
        };
        append(row.tr, [row.name, row.state, row.done, row.failed, row.action]);
        rows.set(doc.id, row);
      }
      tbody.append(row.tr); // keeps API order
      const key = JSON.stringify([doc.status, doc.error, doc.source]);
      if (row.key !== key) {
        row.key = key;
        clear(row.name).append(
          el("a", { href: `/documents/${doc.id}`, text: doc.source || `Tài liệu ${doc.id}` }),
        );
        if (doc.error) row.name.append(el("div", { class: "err", text: withoutName(doc.source, doc.error) }));
        clear(row.state).append(badge(doc.status));
        clear(row.action);
        row.action.append(el("a", { href: `/documents/${doc.id}`, text: "Xem" }));
        if (doc.status === "failed" && opts.retry) {
          const button = el("button", {
            type: "button",
            class: "secondary small",
            text: "Thử lại",
            attrs: { "aria-label": `Thử lại ${doc.source || ""}`.trim() },
            on: { click: () => retry(doc, button) },
          });
          row.action.append(" ", button);
        }
      }
      const pages = doc.pages === null || doc.pages === undefined ? "?" : doc.pages;
      row.done.textContent = `${doc.pages_done}/${pages}`;
      row.failed.textContent = String(doc.pages_failed || 0);
    }

    async function retry(doc, button) {
      button.disabled = true;
      button.textContent = "Đang gửi…";
      try {
        await api(`/api/documents/${doc.id}/retry`, { method: "POST" });
        clear(pollError);
        start();
      } catch (e) {
        button.disabled = false;
        button.textContent = "Thử lại";
        clear(pollError).append(message("error", `Không thử lại được ${doc.source}: ${e.message}`));
      }
    }

    function render(p) {
      const total = p.pages_total || 0;
      const finished = p.status === "done";
      const processed = (p.pages_done || 0) + (p.pages_failed || 0);
      const failedDocs = p.documents.filter((d) => d.status === "failed").length;
      let left;
      const doneDocs = p.documents.filter((d) => d.status === "done").length;
      if (finished) {
        left = `Lô quét đã xử lý xong: ${doneDocs} tài liệu đã số hóa`;
        left += failedDocs ? `, ${failedDocs} tài liệu bị lỗi.` : ".";
      } else if (total === 0) left = "Đang tách trang… (trang tự cập nhật)";
      else left = `Đang nhận dạng chữ… ${doneDocs}/${p.documents.length} tài liệu xong (trang tự cập nhật)`;
      let right = total ? `${p.pages_done}/${total} trang xong` : "";
      if (p.pages_failed) right += ` · ${p.pages_failed} trang lỗi`;
      bar.update(processed, total, "", right, finished);
      if (status.dataset.state !== `${p.status}|${left}`) {
        status.dataset.state = `${p.status}|${left}`; // only a real change is announced
        clear(status).append(badge(p.status), " ", left);
      }

      // Failed documents show their error in their row; files refused on arrival have none.
      clear(errorBox);
      const refused = opts.refused ? (p.errors || []).filter((e) => !e.document_id) : [];
      if (refused.length) {
        const list = el("ul");
        for (const e of refused) list.append(el("li", {}, fileMessage(e.source, e.message)));
        errorBox.append(message("error", [el("strong", { text: "Tệp bị từ chối khi nhận:" }), list]));
      }
      for (const doc of p.documents) renderRow(doc);
      table.hidden = p.documents.length === 0;
    }

    async function poll() {
      timer = null;
      if (stopped) return;
      let delay = opts.interval;
      try {
        const p = await api(`/api/batches/${batchId}`);
        clear(pollError);
        render(p);
        if (opts.onUpdate) opts.onUpdate(p);
        if (p.status === "done") {
          if (!wasDone && opts.onDone) opts.onDone(p);
          wasDone = true;
          return; // stop polling
        }
        wasDone = false;
      } catch (e) {
        clear(pollError).append(message("error", `Không lấy được tiến độ: ${e.message}`));
        if (e.status === 404 || e.status === 403) return;
        delay = 3000;
      }
      if (!stopped) timer = setTimeout(poll, delay);
    }

    function start() {
      stopped = false;
      wasDone = false;
      if (timer) clearTimeout(timer);
      poll();
    }

    start();
    return {
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
      },
      refresh: start,
    };
  }

  /** Table of recent batches into container. */
  async function recentBatches(container, limit = 10) {
    try {
      const batches = await api(`/api/batches?limit=${limit}`);
      clear(container);
      if (!batches.length) {
        container.append(el("p", { class: "muted", text: "Chưa có lô quét nào." }));
        return;
      }
      const tbody = el("tbody");
      for (const b of batches) {
        tbody.append(
          el(
            "tr",
            {},
            el("td", {}, el("a", { href: `/batches/${b.id}`, text: `Lô quét số ${b.id}` })),
            el("td", { text: formatDate(b.created) }),
            el("td", { class: "num", text: b.documents }),
            el("td", { text: b.language }),
          ),
        );
      }
      container.append(
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
                el("th", { attrs: { scope: "col" }, text: "Lô quét" }),
                el("th", { attrs: { scope: "col" }, text: "Ngày tải lên" }),
                el("th", { class: "num", attrs: { scope: "col" }, text: "Số tài liệu" }),
                el("th", { attrs: { scope: "col" }, text: "Ngôn ngữ" }),
              ),
            ),
            tbody,
          ),
        ),
      );
    } catch (e) {
      clear(container).append(message("error", `Không tải được danh sách lô quét: ${e.message}`));
    }
  }

  return {
    el,
    append,
    clear,
    api,
    text,
    ApiError,
    statusLabel,
    withoutName,
    fileMessage,
    badge,
    formatDate,
    formatBytes,
    message,
    role,
    canUpload,
    meter,
    batchProgress,
    recentBatches,
  };
})();

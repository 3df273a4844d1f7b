/* Batch page: live progress of one batch, retry for failed documents; how the batch was
 * cut into dossiers → documents → pages, and (for clerks) the tools to fix that cut:
 * select a page thumbnail to turn, take out, move it or split after it; merge documents;
 * reorder pages by drag and drop or with the ◀ ▶ buttons, then "Lưu thứ tự". */
"use strict";

(() => {
  const { el, clear, message, api } = hoso;
  const section = document.getElementById("batch");
  const id = Number(section.dataset.batch);
  const meta = document.getElementById("batch-meta");
  const split = document.getElementById("split");
  const tree = document.getElementById("tree");
  const dupBox = document.getElementById("duplicates");
  const statusBox = document.getElementById("edit-status");
  const editable = hosoEdit.canEdit(split);

  const state = {
    progress: null,
    details: new Map(), // document id → {key, doc (GET /api/documents/{id}), version}
    selected: null, // {doc, page}: the page whose tools are open
    merging: null, // document id whose "ghép" form is open
    orders: new Map(), // document id → page numbers in the new, unsaved order
    loadError: null,
  };
  let version = 0; // bumps each time a document is fetched anew: new thumbnail URLs
  let syncing = Promise.resolve(); // syncs run one after the other, in arrival order
  let drag = null; // {doc, index} while a thumbnail is dragged

  // While an edit is sent and followed, every tool is disabled (render() checks isBusy).
  let editFocus = null; // the control used for the edit: focus goes back to it afterwards
  const run = hosoEdit.runner(statusBox, {
    onStart: () => {
      editFocus = hosoEdit.focusKey(split);
      render();
    },
    onEnd: () => {
      render();
      const active = document.activeElement;
      if (editFocus && (!active || active === document.body || active === statusBox)) {
        hosoEdit.restoreFocus(split, editFocus);
      }
      editFocus = null;
    },
  });

  const progress = hoso.batchProgress(document.getElementById("batch-progress"), id, {
    onUpdate: (p) => {
      meta.textContent = `Tải lên lúc ${hoso.formatDate(p.created)} · ngôn ngữ nhận dạng: ${p.language}`;
      dropStaleRows(p);
      sync(p);
    },
  });

  /** hoso.batchProgress keeps a row for a document merged away; take such rows out. */
  function dropStaleRows(p) {
    const ids = new Set(p.documents.map((d) => String(d.id)));
    for (const row of document.querySelectorAll("#batch-progress tr[data-document]")) {
      if (!ids.has(row.dataset.document)) row.remove();
    }
  }

  /* ---- data ---- */

  function docKey(d) {
    return JSON.stringify([
      d.status,
      d.pages,
      d.pages_done,
      d.pages_failed,
      d.blank_pages,
      d.finished,
      d.dossier_code,
      d.doc_type_sheet,
      d.error,
    ]);
  }

  /** Take a progress answer; fetch the documents that changed; draw the tree again. */
  function sync(p) {
    syncing = syncing.then(() => syncNow(p)).catch((e) => {
      state.loadError = `Không vẽ được cây tài liệu: ${e.message}`;
    });
    return syncing;
  }

  async function syncNow(p) {
    const first = state.progress === null;
    state.progress = p;
    const ids = new Set(p.documents.map((d) => d.id));
    let gone = false;
    for (const key of [...state.details.keys()]) {
      if (!ids.has(key)) {
        state.details.delete(key);
        gone = true;
      }
    }
    const changed = p.documents.filter((d) => {
      const held = state.details.get(d.id);
      return !held || held.key !== docKey(d);
    });
    const fetches = changed.map(async (d) => {
      try {
        const doc = await api(`/api/documents/${d.id}`);
        const held = state.details.get(d.id);
        if (held && held.doc.page_list.length !== doc.page_list.length) state.orders.delete(d.id);
        version += 1;
        state.details.set(d.id, { key: docKey(d), doc, version });
        state.loadError = null;
      } catch (e) {
        if (e.status === 404) state.details.delete(d.id);
        else state.loadError = `Không tải được các trang của ${d.source}: ${e.message}`;
      }
    });
    await Promise.all(fetches);
    if (first || gone || changed.length) {
      tidy();
      render();
    }
  }

  /** Forget selections and unsaved orders that no longer make sense. */
  function tidy() {
    const docs = new Map(state.progress.documents.map((d) => [d.id, d]));
    for (const key of [...state.orders.keys()]) if (!docs.has(key)) state.orders.delete(key);
    if (state.merging && !docs.has(state.merging)) state.merging = null;
    const sel = state.selected;
    if (sel) {
      const held = state.details.get(sel.doc);
      if (!held || !held.doc.page_list.some((pg) => pg.number === sel.page)) state.selected = null;
    }
  }

  function docsOtherThan(docId) {
    return state.progress.documents.filter((d) => d.id !== docId);
  }

  function isPending(d) {
    return d.status === "pending" || d.status === "processing";
  }

  function orderOf(docId) {
    const held = state.details.get(docId);
    const natural = held ? held.doc.page_list.map((pg) => pg.number) : [];
    return state.orders.get(docId) || natural;
  }

  function setOrder(docId, order) {
    const natural = order.every((n, i) => n === i + 1);
    if (natural) state.orders.delete(docId);
    else state.orders.set(docId, order);
    render();
  }

  function shift(docId, index, by) {
    const order = orderOf(docId).slice();
    const to = index + by;
    if (to < 0 || to >= order.length) return;
    [order[index], order[to]] = [order[to], order[index]];
    setOrder(docId, order);
  }

  /* ---- edits ---- */

  /** After an edit: follow the documents it touched until none is pending any more. */
  async function afterEdit(kind, docIds) {
    for (const d of docIds) state.orders.delete(d);
    if (kind !== "rotate") state.selected = null; // numbers changed; a turned page stays
    state.merging = null;
    progress.refresh(); // the progress table and bar follow too
    const wanted = new Set(docIds);
    for (;;) {
      let p;
      try {
        p = await api(`/api/batches/${id}`);
      } catch (e) {
        if (e.status === 404 || e.status === 403 || e.status === 401) throw e;
        await hosoEdit.sleep(2000); // the network hiccuped: try again
        continue;
      }
      await sync(p);
      if (!p.documents.some((d) => wanted.has(d.id) && isPending(d))) {
        const failed = p.documents.filter((d) => wanted.has(d.id) && d.status === "failed");
        return failed.length ? `Lỗi ở: ${failed.map((d) => hosoEdit.docName(d)).join(", ")}.` : "";
      }
      await hosoEdit.sleep(1000);
    }
  }

  function onDone(docId) {
    return (kind, answer) => afterEdit(kind, [docId, ...((answer && answer.documents) || [])]);
  }

  function saveOrder(d) {
    const order = orderOf(d.id);
    run(`lưu thứ tự trang của tài liệu số ${d.id}`, () => hosoEdit.call.reorder(d.id, order), () =>
      afterEdit("reorder", [d.id]),
    );
  }

  function select(docId, page) {
    const sel = state.selected;
    state.selected = sel && sel.doc === docId && sel.page === page ? null : { doc: docId, page };
    render();
  }

  /* ---- drawing ---- */

  function render() {
    const p = state.progress;
    if (!p) return;
    const focus = hosoEdit.focusKey(split);
    renderDuplicates(p);
    clear(tree);
    tree.setAttribute("aria-busy", "false");
    if (state.loadError) tree.append(message("error", state.loadError));
    if (!p.documents.length) {
      const text = (p.duplicates || []).length
        ? "Lô quét không có tài liệu mới: các tệp đều đã có trong hệ thống."
        : "Lô quét chưa có tài liệu nào.";
      tree.append(el("p", { class: "muted", text }));
      return;
    }
    const groups = new Map();
    for (const d of p.documents) {
      const code = d.dossier_code || "";
      if (!groups.has(code)) groups.set(code, []);
      groups.get(code).push(d);
    }
    for (const [code, docs] of groups) tree.append(renderDossier(code, docs));
    hosoEdit.restoreFocus(split, focus, focus ? statusBox : null);
  }

  function renderDuplicates(p) {
    clear(dupBox);
    const dups = p.duplicates || [];
    if (!dups.length) return;
    const list = el("ul");
    for (const d of dups) {
      const target = d.document_id
        ? el("a", { href: `/documents/${d.document_id}`, text: `tài liệu ${d.document_id}` })
        : el("span", { text: "tệp đã tải lên trước đây" });
      let where = "";
      if (d.batch_id && d.batch_id !== id) where = ` (tệp ${d.earlier_source || "?"} của lô quét số ${d.batch_id})`;
      else if (d.earlier_source && d.earlier_source !== d.source) where = ` (tệp ${d.earlier_source} của lô này)`;
      const name = el("strong", { text: d.source });
      list.append(el("li", { class: "duplicate" }, "Tệp trùng: ", name, " → ", target, where));
    }
    dupBox.append(
      message("notice", [el("strong", { text: "Tệp đã có trong hệ thống, không xử lý lại:" }), list], {
        role: "note",
      }),
    );
  }

  function renderDossier(code, docs) {
    const pages = docs.reduce((n, d) => n + (d.pages || 0), 0);
    const heading = el(
      "h3",
      {},
      code ? ["Hồ sơ ", el("span", { class: "code", text: code })] : "Chưa có tờ bìa",
      el("span", { class: "count", text: ` · ${docs.length} tài liệu, ${pages} trang` }),
    );
    const list = el("ol", { class: "doc-list" });
    for (const d of docs) list.append(renderDoc(d));
    const props = { class: `dossier${code ? "" : " no-cover"}`, attrs: { "data-dossier": code } };
    return el("section", props, heading, list);
  }

  function renderDoc(d) {
    const held = state.details.get(d.id);
    const doc = held ? held.doc : null;
    const pending = isPending(d);
    const locked = pending || run.isBusy();
    const card = el("li", { class: "doc-card", attrs: { "data-document": d.id, "data-status": d.status } });

    const title = el("h4", {}, el("a", { href: `/documents/${d.id}`, text: d.source || `Tài liệu ${d.id}` }));
    card.append(el("div", { class: "doc-card-head" }, title, hoso.badge(d.status)));

    const facts = el("p", { class: "doc-facts" });
    facts.append(el("span", { text: `Tài liệu số ${d.id}` }));
    facts.append(
      el(
        "span",
        { class: "doc-type" },
        "Loại giấy tờ: ",
        d.doc_type_sheet
          ? el("strong", { text: d.doc_type_sheet })
          : el("span", { class: "muted", text: "chưa có tờ phân cách" }),
      ),
    );
    const count = d.pages === null || d.pages === undefined ? "?" : d.pages;
    facts.append(el("span", { class: "page-count", text: `${count} trang` }));
    if (d.blank_pages && d.blank_pages.length) {
      facts.append(el("span", { class: "flag-blank", text: `Trang trắng: ${d.blank_pages.join(", ")}` }));
    }
    if (d.scanned && d.pages !== null && d.scanned > d.pages) {
      facts.append(
        el("span", { class: "muted", text: `${d.scanned} ảnh quét (gồm tờ bìa, tờ phân cách, trang đã bỏ)` }),
      );
    }
    card.append(facts);
    if (d.error) card.append(el("p", { class: "err", text: hoso.withoutName(d.source, d.error) }));

    if (editable) {
      const others = docsOtherThan(d.id);
      const open = state.merging === d.id;
      card.append(
        el(
          "div",
          { class: "doc-tools" },
          hosoEdit.button(
            "Ghép với tài liệu…",
            () => {
              state.merging = open ? null : d.id;
              render();
              if (state.merging) {
                const select = tree.querySelector(`[data-document="${d.id}"] .merge-form select`);
                if (select) select.focus();
              }
            },
            {
              disabled: locked || !others.length,
              title: others.length
                ? "Nối các trang của một tài liệu khác vào cuối tài liệu này"
                : "Lô quét không có tài liệu khác",
              attrs: { "aria-expanded": open ? "true" : "false", "data-key": `${d.id}:merge-open` },
            },
          ),
          pending ? el("span", { class: "muted", text: "Đang xử lý — chờ xong mới sửa được." }) : null,
        ),
      );
      if (open) {
        card.append(
          hosoEdit.mergeForm({
            doc: d,
            others,
            run,
            disabled: locked,
            onClose: () => {
              state.merging = null;
              render();
            },
            onDone: onDone(d.id),
          }),
        );
      }
    }

    if (!doc) {
      card.append(el("p", { class: "muted", text: "Đang tải các trang…" }));
      return card;
    }
    const order = orderOf(d.id);
    if (!order.length) {
      card.append(el("p", { class: "muted", text: "Không còn trang nào." }));
      return card;
    }
    const name = d.source || `tài liệu ${d.id}`;
    const strip = el("ol", { class: "pages", attrs: { "aria-label": `Các trang của ${name}` } });
    order.forEach((n, index) => strip.append(renderPage(d, held, n, index, order, locked)));
    card.append(strip);

    if (editable && state.orders.has(d.id)) {
      card.append(
        el(
          "div",
          { class: "order-bar", attrs: { role: "status" } },
          el("span", { text: `Thứ tự mới (chưa lưu): trang ${order.join(", ")}` }),
          hosoEdit.button("Lưu thứ tự", () => saveOrder(d), {
            class: "primary small",
            disabled: locked,
            attrs: { "data-key": `${d.id}:save-order` },
          }),
          hosoEdit.button(
            "Hủy",
            () => {
              state.orders.delete(d.id);
              render();
            },
            { attrs: { "data-key": `${d.id}:cancel-order` } },
          ),
        ),
      );
    }

    const sel = state.selected;
    if (editable && sel && sel.doc === d.id) {
      card.append(
        hosoEdit.pageActions({
          doc: { id: d.id, source: d.source, count: doc.page_list.length },
          number: sel.page,
          others: docsOtherThan(d.id),
          run,
          disabled: locked,
          onClose: () => {
            state.selected = null;
            render();
            restoreThumbFocus(d.id, sel.page);
          },
          onDone: onDone(d.id),
        }),
      );
    }
    return card;
  }

  function restoreThumbFocus(docId, page) {
    const node = tree.querySelector(`[data-key="page:${docId}:${page}"]`);
    if (node) node.focus();
  }

  function renderPage(d, held, n, index, order, locked) {
    const page = held.doc.page_list.find((pg) => pg.number === n);
    const blank = !!(page && page.blank);
    const failed = page && page.status === "failed";
    const picture =
      page && page.thumb_url
        ? el("img", {
            src: hosoEdit.versioned(page.thumb_url, held.version),
            alt: "",
            loading: "lazy",
            decoding: "async",
            draggable: false,
            width: 84,
            height: 110,
          })
        : el("span", { class: "noimg", text: hoso.statusLabel(page ? page.status : "pending") });
    const extra = [];
    if (blank) extra.push(el("span", { class: "badge blank", text: "trang trắng" }));
    if (failed) extra.push(hoso.badge("failed"));
    if (index + 1 !== n) extra.push(el("span", { class: "moved-to", text: `→ vị trí ${index + 1}` }));
    const label = `Trang ${n}${blank ? " (trang trắng)" : ""}${failed ? " (lỗi)" : ""}`;
    const cap = el("span", { class: "cap", text: `Trang ${n}` });
    const sel = state.selected;
    const selected = !!(sel && sel.doc === d.id && sel.page === n);

    let thumb;
    if (editable) {
      thumb = el(
        "button",
        {
          type: "button",
          class: "pg-thumb",
          title: "Chọn trang để sửa",
          attrs: {
            "aria-pressed": selected ? "true" : "false",
            "aria-label": label,
            "data-key": `page:${d.id}:${n}`,
          },
          on: { click: () => select(d.id, n) },
        },
        picture,
        cap,
        extra,
      );
    } else {
      thumb = el(
        "a",
        { class: "pg-thumb", href: `/documents/${d.id}#page-${n}`, attrs: { "aria-label": `${label} — xem trang` } },
        picture,
        cap,
        extra,
      );
    }
    const li = el(
      "li",
      { class: `pg${blank ? " blank" : ""}${selected ? " selected" : ""}`, attrs: { "data-page": n } },
      thumb,
    );
    if (!editable) return li;

    li.append(
      el(
        "div",
        { class: "pg-order" },
        hosoEdit.button("◀", () => shift(d.id, index, -1), {
          disabled: locked || index === 0,
          title: "Lên trước",
          attrs: { "aria-label": `Chuyển trang ${n} lên trước`, "data-key": `up:${d.id}:${n}` },
        }),
        hosoEdit.button("▶", () => shift(d.id, index, 1), {
          disabled: locked || index === order.length - 1,
          title: "Ra sau",
          attrs: { "aria-label": `Chuyển trang ${n} ra sau`, "data-key": `down:${d.id}:${n}` },
        }),
      ),
    );
    if (locked || order.length < 2) return li;

    li.draggable = true;
    const before = (e) => {
      const r = li.getBoundingClientRect();
      return e.clientX < r.left + r.width / 2;
    };
    const unmark = () => li.classList.remove("drop-before", "drop-after");
    li.addEventListener("dragstart", (e) => {
      drag = { doc: d.id, index };
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", `Trang ${n}`);
      li.classList.add("dragging");
    });
    li.addEventListener("dragend", () => {
      drag = null;
      li.classList.remove("dragging");
      for (const node of tree.querySelectorAll(".drop-before, .drop-after")) {
        node.classList.remove("drop-before", "drop-after");
      }
    });
    li.addEventListener("dragover", (e) => {
      if (!drag || drag.doc !== d.id) return; // pages move between documents with "Chuyển sang tài liệu"
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      const b = before(e);
      li.classList.toggle("drop-before", b);
      li.classList.toggle("drop-after", !b);
    });
    li.addEventListener("dragleave", unmark);
    li.addEventListener("drop", (e) => {
      unmark();
      if (!drag || drag.doc !== d.id) return;
      e.preventDefault();
      const from = drag.index;
      let to = before(e) ? index : index + 1;
      if (to > from) to -= 1;
      drag = null;
      if (to === from) return;
      const next = order.slice();
      const [moved] = next.splice(from, 1);
      next.splice(to, 0, moved);
      setOrder(d.id, next);
    });
    return li;
  }

  if (!editable) {
    document.getElementById("tree-hint").textContent =
      "Lô quét được chia theo tờ bìa hồ sơ và tờ phân cách. Chọn một trang để xem.";
  } else {
    document.getElementById("tree-hint").textContent =
      "Lô quét được chia theo tờ bìa hồ sơ và tờ phân cách. Chọn một trang để xoay, bỏ, chuyển hoặc tách tài liệu; " +
      "kéo thả trang (hoặc dùng nút ◀ ▶) để đổi thứ tự rồi bấm “Lưu thứ tự”.";
  }
})();

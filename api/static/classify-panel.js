/* The "Phân loại" panel shared by the document page (/documents/{id}) and the review queue
 * (/soat-xet): the type the classifier gave and a form to correct it, the extracted fields
 * (edited inline; a field's boxes are highlighted over the page image) and the history of
 * corrections. Needs hoso (hoso.js) and hosoClassify (review.js) when create() is called.
 *
 * hosoClassifyPanel.create(options) → {render(doc, force), drawMarks(), locate(key)}
 *   options.nodes: {panel, type, status, fields, corrections} elements to fill
 *   options.imageBox: the element holding the shown page's <img> (marks are placed in it)
 *   options.currentPage(): the number of the page shown; options.goPage(n): show page n
 *   options.scrollTarget: scrolled into view when a field on the page is located
 *   options.reload(): fetch the document again (and call render with it)
 *   options.onTypeSaved(type, label): instead of reload after a type correction
 *   options.showAll: with no field chosen, mark every field found on the shown page
 */
"use strict";

const hosoClassifyPanel = (() => {
  function create(o) {
    const { el, clear, message } = hoso;
    const C = hosoClassify;
    const n = o.nodes;
    const imageBox = o.imageBox;
    let doc = null;
    let classifyKey = null; // the classification as last drawn
    let fieldBoxes = {}; // field key -> {page, boxes: [{left, top, width, height}]} (image pixels)
    let marked = null; // the field highlighted on the image
    let editingField = null; // the field being edited inline
    let classifySeq = 0;
    imageBox.classList.add("mark-host");

    function render(fresh, force) {
      if (!fresh) return;
      if (!doc || doc.id !== fresh.id) {
        fieldBoxes = {};
        marked = null;
        editingField = null;
        classifyKey = null;
      }
      doc = fresh;
      const fields = doc.fields || {};
      const key = JSON.stringify([doc.id, doc.status, doc.type, doc.type_confidence, doc.needs_review, fields]);
      if (key === classifyKey && !force) return;
      classifyKey = key;
      n.panel.hidden = !doc.type && !Object.keys(fields).length && doc.status !== "done";
      if (n.panel.hidden) return;
      renderType();
      renderFields();
      loadDetails();
    }

    function renderType() {
      const id = doc.id;
      const confidence = C.percent(doc.type_confidence);
      const select = el("select", { id: "type-select", name: "type" });
      C.typeOptions(select, doc.type, doc.type ? null : "— Chọn loại giấy tờ —");
      const save = el("button", { type: "submit", class: "secondary", id: "type-save", text: "Lưu loại giấy tờ" });
      const form = el(
        "form",
        { class: "type-form", id: "type-form" },
        el("label", {}, el("span", { text: "Sửa loại giấy tờ" }), select),
        save,
      );
      // a document waiting for review may be confirmed as it is (the same type saved)
      const confirming = () => doc.needs_review && select.value === doc.type;
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!select.value || (select.value === doc.type && !confirming())) {
          clear(n.status).append(message("notice", "Hãy chọn loại giấy tờ khác với loại hiện tại."));
          return;
        }
        save.disabled = true;
        const chosen = select.value;
        const label = C.typeLabel(chosen);
        const confirmed = confirming();
        try {
          await hoso.api(`/api/documents/${id}/type`, {
            method: "POST",
            headers: { Accept: "application/json", "Content-Type": "application/json" },
            body: JSON.stringify({ type: chosen }),
          });
        } catch (e) {
          clear(n.status).append(message("error", `Không sửa được loại giấy tờ: ${e.message}`));
          save.disabled = false;
          return;
        }
        const said = confirmed ? `Đã xác nhận loại giấy tờ “${label}”.` : `Đã sửa loại giấy tờ thành “${label}”.`;
        if (o.onTypeSaved) {
          save.disabled = false;
          await o.onTypeSaved(chosen, said);
          return;
        }
        clear(n.status).append(message("success", said));
        try {
          await o.reload();
          render(doc, true);
        } finally {
          save.disabled = false;
        }
      });
      clear(n.type).append(
        el(
          "p",
          { class: "type-line" },
          el("span", {}, "Loại giấy tờ: ", el("span", { class: "type-name", id: "doc-type", text: C.typeLabel(doc.type) })),
          confidence ? el("span", { id: "type-confidence", class: "muted", text: `Độ tin cậy ${confidence}` }) : null,
          doc.needs_review ? el("span", { class: "badge review", id: "needs-review", text: "Cần soát xét" }) : null,
        ),
        form,
        doc.needs_review
          ? el("p", { class: "hint", text: "Nếu loại máy đoán là đúng, bấm “Lưu loại giấy tờ” để xác nhận." })
          : null,
      );
    }

    const FIELD_ORDER = Object.keys(C.FIELDS);

    function fieldKeys() {
      const order = (k) => (FIELD_ORDER.includes(k) ? FIELD_ORDER.indexOf(k) : FIELD_ORDER.length);
      return Object.keys(doc.fields || {}).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    }

    function renderFields() {
      const fields = doc.fields || {};
      const keys = fieldKeys();
      clear(n.fields);
      if (!keys.length) {
        n.fields.append(el("p", { class: "muted", text: "Chưa trích xuất được trường thông tin nào." }));
        return;
      }
      const body = el("tbody");
      for (const key of keys) {
        const f = fields[key] || {};
        const label = C.fieldLabel(key);
        const where = fieldBoxes[key];
        const locateButton = el("button", {
          type: "button",
          class: "field-locate",
          text: label,
          title: "Xem vị trí trên ảnh quét",
          attrs: { "aria-pressed": marked === key ? "true" : "false", "data-field": key },
          on: { click: () => locate(key) },
        });
        let valueCell;
        if (editingField === key) {
          const input = el("input", {
            type: "text",
            id: `field-input-${key}`,
            value: f.value === null || f.value === undefined ? "" : String(f.value),
            maxLength: 500,
            attrs: { "aria-label": `Giá trị mới: ${label}` },
          });
          const form = el(
            "form",
            { class: "field-edit" },
            input,
            el("button", { type: "submit", class: "primary small", text: "Lưu" }),
            el("button", {
              type: "button",
              class: "secondary small",
              text: "Hủy",
              on: {
                click: () => {
                  editingField = null;
                  renderFields();
                },
              },
            }),
          );
          form.addEventListener("submit", (event) => {
            event.preventDefault();
            saveField(key, input.value, form);
          });
          valueCell = el("td", {}, form);
          setTimeout(() => input.focus(), 0);
        } else {
          valueCell = el(
            "td",
            {},
            el("span", { class: "field-value", text: f.value === null || f.value === undefined ? "" : String(f.value) }),
            f.corrected ? [" ", el("span", { class: "badge corrected", text: "đã sửa" })] : null,
          );
        }
        body.append(
          el(
            "tr",
            { class: marked === key ? "chosen" : "", attrs: { "data-field": key } },
            el(
              "th",
              { scope: "row" },
              locateButton,
              where && where.page ? el("span", { class: "muted", text: ` (trang ${where.page})` }) : null,
            ),
            valueCell,
            el("td", { class: "num", text: C.percent(f.confidence) || "—" }),
            el(
              "td",
              {},
              editingField === key
                ? null
                : el("button", {
                    type: "button",
                    class: "secondary small",
                    text: "Sửa",
                    attrs: { "aria-label": `Sửa ${label}`, "data-edit": key },
                    on: {
                      click: () => {
                        editingField = key;
                        renderFields();
                      },
                    },
                  }),
            ),
          ),
        );
      }
      n.fields.append(
        el(
          "table",
          { class: "classify-table", id: "fields-table" },
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              el("th", { text: "Trường" }),
              el("th", { text: "Giá trị" }),
              el("th", { text: "Độ tin cậy" }),
              el("th", { text: "" }),
            ),
          ),
          body,
        ),
      );
    }

    async function saveField(key, value, form) {
      for (const b of form.querySelectorAll("button")) b.disabled = true;
      try {
        await hoso.api(`/api/documents/${doc.id}/fields`, {
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/json" },
          body: JSON.stringify({ key, value }),
        });
        editingField = null;
        clear(n.status).append(message("success", `Đã lưu “${C.fieldLabel(key)}”.`));
        await o.reload();
        render(doc, true);
        const again = n.fields.querySelector(`button[data-edit="${CSS.escape(key)}"]`);
        if (again) again.focus();
      } catch (e) {
        for (const b of form.querySelectorAll("button")) b.disabled = false;
        clear(n.status).append(message("error", `Không lưu được: ${e.message}`));
      }
    }

    /** The fields' boxes on the page images, and the corrections made so far. */
    async function loadDetails() {
      const mine = ++classifySeq;
      const id = doc.id;
      const [boxes, history] = await Promise.all([
        hoso.api(`/api/documents/${id}/fields`).catch(() => null),
        hoso.api(`/api/documents/${id}/corrections`).catch((e) => e),
      ]);
      if (mine !== classifySeq || !doc || doc.id !== id) return;
      if (boxes && boxes.fields) {
        fieldBoxes = {};
        for (const [key, f] of Object.entries(boxes.fields)) {
          fieldBoxes[key] = { page: Number(f.page) || null, boxes: f.boxes || [] };
        }
        if (editingField === null) renderFields();
        drawMarks();
      }
      renderCorrections(history);
    }

    function renderCorrections(history) {
      clear(n.corrections);
      if (history instanceof Error) {
        n.corrections.append(message("error", `Không tải được lịch sử sửa: ${history.message}`));
        return;
      }
      if (!history.length) {
        n.corrections.append(el("p", { class: "muted", text: "Chưa có lần sửa nào." }));
        return;
      }
      const list = el("ul", { class: "corrections", id: "corrections-list" });
      for (const c of history) {
        const isType = c.kind === "type";
        const show = (v) => (isType ? C.typeLabel(v) : v === null || v === undefined || v === "" ? "(trống)" : String(v));
        list.append(
          el(
            "li",
            {},
            el("time", { attrs: { datetime: c.at }, text: hoso.formatDate(c.at) }),
            " — ",
            isType ? "Loại giấy tờ" : `Trường “${C.fieldLabel(c.key)}”`,
            ": ",
            el("del", { text: show(c.old) }),
            " → ",
            el("ins", { text: show(c.new) }),
            c.user_id !== null && c.user_id !== undefined
              ? el("span", { class: "muted", text: ` (tài khoản số ${c.user_id})` })
              : null,
          ),
        );
      }
      n.corrections.append(list);
    }

    function locate(key) {
      marked = marked === key ? null : key;
      for (const b of n.fields.querySelectorAll("button.field-locate")) {
        const on = b.dataset.field === marked;
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.closest("tr").classList.toggle("chosen", on);
      }
      clear(n.status);
      if (!marked) {
        drawMarks();
        return;
      }
      const where = fieldBoxes[marked];
      if (!where || !where.page || !where.boxes.length) {
        n.status.append(message("notice", `Không xác định được vị trí của “${C.fieldLabel(marked)}” trên ảnh quét.`));
        drawMarks();
        return;
      }
      if (where.page !== o.currentPage()) o.goPage(where.page); // the image loads, then drawMarks()
      else drawMarks();
      if (o.scrollTarget) o.scrollTarget.scrollIntoView({ block: "start", behavior: "smooth" });
    }

    /** Boxes over the shown image, scaled from image pixels to its displayed size. */
    function drawMarks() {
      for (const m of imageBox.querySelectorAll(".field-mark")) m.remove();
      const keys = marked ? [marked] : o.showAll ? Object.keys(fieldBoxes) : [];
      const img = imageBox.querySelector("img");
      if (!keys.length || !img || !img.complete || !img.naturalWidth) return;
      const sx = img.clientWidth / img.naturalWidth;
      const sy = img.clientHeight / img.naturalHeight;
      const host = imageBox.getBoundingClientRect();
      const pic = img.getBoundingClientRect();
      const ox = pic.left - host.left - imageBox.clientLeft;
      const oy = pic.top - host.top - imageBox.clientTop;
      const page = o.currentPage();
      for (const key of keys) {
        const where = fieldBoxes[key];
        if (!where || where.page !== page) continue;
        for (const b of where.boxes) {
          const mark = el("div", {
            class: marked ? "field-mark" : "field-mark all",
            attrs: { "aria-hidden": "true", "data-field": key },
          });
          Object.assign(mark.style, {
            left: `${ox + b.left * sx - 3}px`,
            top: `${oy + b.top * sy - 3}px`,
            width: `${b.width * sx + 6}px`,
            height: `${b.height * sy + 6}px`,
          });
          imageBox.append(mark);
        }
      }
    }

    window.addEventListener("resize", drawMarks);
    return { render, drawMarks, locate };
  }

  return { create };
})();

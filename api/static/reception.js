/* Reception page (/tiep-nhan): choose the procedure, tick the documents handed in, enter the
 * applicant, POST /api/dossiers, then show the code, the appointment and the receipt link.
 * Once a full 12-digit ID is typed, what the centre already holds about that person
 * (GET /api/citizens/{id}) is offered: fill in the known details, reuse documents already
 * digitised (sent as reused_document_ids: not scanned again), earlier dossiers. The
 * digitised documents chosen (from a scan batch or reused) are checked against the
 * procedure's required documents as they are picked (GET /api/completeness), and the
 * received dossier's own check is shown with the result. */
"use strict";

(() => {
  const { el, clear, message, api } = hoso;
  const D = hosoDossier;
  const $ = (id) => document.getElementById(id);
  const form = $("reception-form");
  const filter = $("proc-filter");
  const select = $("procedure");
  const count = $("proc-count");
  const info = $("proc-info");
  const errorBox = $("reception-error");
  const submit = $("receive-button");
  const result = $("reception-result");
  const hasAuthorised = $("has-authorised");
  const authorised = $("authorised");
  const batchSelect = $("attach-batch");
  const attachDocs = $("attach-docs");
  const attached = new Set(); // document ids to attach
  let procs = []; // sorted catalogue
  let confirmMissing = null; // the missing list the clerk was warned about

  // ---- procedures ----------------------------------------------------------------------

  function renderOptions() {
    const q = D.fold(filter.value.trim());
    const keep = select.value;
    clear(select);
    const groups = new Map();
    let shown = 0;
    for (const p of procs) {
      if (q && !D.fold(`${p.name} ${p.code} ${p.field}`).includes(q)) continue;
      if (!groups.has(p.field)) {
        groups.set(p.field, el("optgroup", { label: p.field || "Lĩnh vực khác" }));
        select.append(groups.get(p.field));
      }
      groups.get(p.field).append(el("option", { value: p.code, text: `${p.name} · ${p.code}` }));
      shown += 1;
    }
    if (keep && select.querySelector(`option[value="${CSS.escape(keep)}"]`)) select.value = keep;
    else if (shown === 1) select.value = select.querySelector("option").value;
    else select.value = "";
    count.textContent = q
      ? shown
        ? `${shown} thủ tục khớp với “${filter.value.trim()}”.`
        : `Không có thủ tục nào khớp với “${filter.value.trim()}”.`
      : `${procs.length} thủ tục, xếp theo lĩnh vực.`;
    if (select.value !== (info.dataset.code || "")) renderInfo();
  }

  function selected() {
    return procs.find((p) => p.code === select.value) || null;
  }

  function renderInfo() {
    const p = selected();
    confirmMissing = null;
    clear(info);
    info.dataset.code = p ? p.code : "";
    if (!p) {
      info.append(el("p", { class: "muted", text: "Chưa chọn thủ tục." }));
      return;
    }
    info.append(
      el("h3", { class: "proc-name", text: p.name }),
      D.facts([
        ["Mã thủ tục", p.code],
        ["Lĩnh vực", p.field],
        ["Thời hạn giải quyết", D.timeLimit(p)],
        ["Phí, lệ phí", D.fee(p)],
      ]),
    );
    const list = el("ul", { class: "checklist" });
    (p.documents || []).forEach((doc, i) => {
      const id = `doc-${i}`;
      const box = el("input", {
        type: "checkbox",
        id,
        attrs: { "data-index": i, "aria-describedby": `${id}-meta` },
      });
      const number = el("input", {
        type: "number",
        class: "count",
        min: 1,
        max: 999,
        value: 1,
        attrs: { "aria-label": `Số bản: ${doc.name}`, "data-count": i },
      });
      list.append(
        el(
          "li",
          {},
          box,
          el(
            "label",
            { attrs: { for: id } },
            el("span", { class: "doc-name", text: doc.name }),
            el(
              "span",
              { class: "doc-meta", id: `${id}-meta` },
              el("span", { class: "copies", text: D.COPIES_VI[doc.copies] || doc.copies }),
              doc.mandatory
                ? el("span", { class: "tag must", text: "Bắt buộc" })
                : el("span", { class: "tag", text: "Nếu có" }),
            ),
          ),
          el("span", { class: "count-wrap" }, "Số bản ", number),
        ),
      );
    });
    const all = el("button", {
      type: "button",
      class: "link",
      text: "Đánh dấu đã nhận tất cả",
      on: {
        click: () => {
          for (const b of list.querySelectorAll("input[type=checkbox]")) b.checked = true;
          confirmMissing = null;
        },
      },
    });
    info.append(
      el(
        "fieldset",
        { class: "docs" },
        el("legend", { text: "Thành phần hồ sơ — đánh dấu giấy tờ đã nhận" }),
        p.documents && p.documents.length
          ? list
          : el("p", { class: "muted", text: "Danh mục chưa ghi thành phần hồ sơ cho thủ tục này." }),
        p.documents && p.documents.length ? el("p", {}, all) : null,
      ),
    );
    if (!p.verified) {
      info.append(
        el("p", {
          class: "hint",
          text: `Thông tin thủ tục chưa được đối chiếu với văn bản gốc${p.source ? ` (${p.source})` : ""}.`,
        }),
      );
    }
    list.addEventListener("change", () => {
      confirmMissing = null;
    });
    refreshCheck();
  }

  // ---- completeness of the digitised documents chosen -----------------------------------

  const checkCard = $("completeness-card");
  const checkBox = $("completeness");
  let checkSeq = 0;
  let checkTimer = null;

  function chosenDocuments() {
    return Array.from(new Set([...attached, ...reused])).sort((a, b) => a - b);
  }

  /** Re-asks the server (debounced; a late answer for an older choice is dropped). */
  function refreshCheck() {
    clearTimeout(checkTimer);
    checkSeq += 1;
    const p = selected();
    if (!p) {
      checkCard.hidden = true;
      clear(checkBox);
      return;
    }
    checkCard.hidden = false;
    const mine = checkSeq;
    checkTimer = setTimeout(async () => {
      const params = new URLSearchParams({ procedure_code: p.code });
      for (const id of chosenDocuments()) params.append("document_id", id);
      try {
        const c = await api(`/api/completeness?${params}`);
        if (mine !== checkSeq) return;
        hoso.append(clear(checkBox), [
          chosenDocuments().length
            ? null
            : el("p", { class: "muted", text: "Chưa chọn giấy tờ số hóa nào." }),
          hosoCompleteness.view(c),
        ]);
      } catch (e) {
        if (mine !== checkSeq) return;
        clear(checkBox).append(message("error", `Không đối chiếu được: ${e.message}`));
      }
    }, 150);
  }

  function receivedDocuments(p) {
    const out = [];
    for (const box of info.querySelectorAll(".checklist input[type=checkbox]")) {
      if (!box.checked) continue;
      const i = Number(box.dataset.index);
      const doc = p.documents[i];
      const n = Number.parseInt(info.querySelector(`[data-count="${i}"]`).value, 10);
      out.push({ type: doc.type, name: doc.name, copies: doc.copies, count: n > 0 ? n : 1 });
    }
    return out;
  }

  function missingMandatory(p) {
    return (p.documents || [])
      .filter((doc, i) => doc.mandatory && !info.querySelector(`#doc-${i}`).checked)
      .map((doc) => doc.name);
  }

  async function loadProcedures() {
    try {
      const map = await D.catalogue();
      procs = Array.from(map.values()).sort(
        (a, b) => (a.field || "").localeCompare(b.field || "", "vi") || a.name.localeCompare(b.name, "vi"),
      );
      renderOptions();
    } catch (e) {
      count.textContent = "";
      clear(info).append(message("error", `Không tải được danh mục thủ tục: ${e.message}`));
    }
  }

  filter.addEventListener("input", renderOptions);
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === "ArrowDown") {
      event.preventDefault();
      const first = select.querySelector("option");
      if (first && !select.value) {
        select.value = first.value;
        renderInfo();
      }
      select.focus();
    }
  });
  select.addEventListener("change", renderInfo);

  // ---- applicant -----------------------------------------------------------------------

  /** Format hint for a 12-digit personal ID; the server validates. */
  function idHint(input, hint, base) {
    const v = input.value.trim();
    hint.classList.remove("bad", "good");
    if (!v) hint.textContent = base;
    else if (/\D/.test(v)) {
      hint.textContent = "Số định danh chỉ gồm chữ số.";
      hint.classList.add("bad");
    } else if (v.length !== 12) {
      hint.textContent = `Đã nhập ${v.length}/12 chữ số.`;
      hint.classList.add("bad");
    } else {
      hint.textContent = "Đủ 12 chữ số.";
      hint.classList.add("good");
    }
  }

  for (const [inputId, hintId] of [
    ["applicant-id", "applicant-id-hint"],
    ["authorised-id", "authorised-id-hint"],
  ]) {
    const input = $(inputId);
    const hint = $(hintId);
    const base = hint.textContent;
    input.addEventListener("input", () => idHint(input, hint, base));
  }

  // ---- what the centre already holds about the applicant --------------------------------

  const C = hosoClassify;
  const citizenBox = $("citizen");
  const reused = new Set(); // ids of digitised documents to reuse
  let citizenFor = ""; // the ID number shown in citizenBox
  let citizenSeq = 0;
  let citizenTimer = null;

  function forgetCitizen() {
    citizenFor = "";
    citizenSeq += 1;
    reused.clear();
    citizenBox.hidden = true;
    clear(citizenBox);
    refreshCheck();
  }

  async function lookupCitizen() {
    const v = $("applicant-id").value.trim();
    if (!/^\d{12}$/.test(v)) {
      if (citizenFor) forgetCitizen();
      return;
    }
    if (v === citizenFor) return;
    forgetCitizen();
    citizenFor = v;
    const mine = citizenSeq;
    citizenBox.hidden = false;
    citizenBox.append(el("p", { class: "muted", text: "Đang tra cứu hồ sơ, giấy tờ đã có của công dân…" }));
    let body;
    try {
      body = await api(`/api/citizens/${encodeURIComponent(v)}`);
    } catch (e) {
      if (mine !== citizenSeq) return;
      clear(citizenBox).append(message(e.status === 400 ? "notice" : "error", `Không tra cứu được số định danh: ${e.message}`));
      return;
    }
    if (mine !== citizenSeq) return;
    renderCitizen(body);
  }

  function renderCitizen(c) {
    clear(citizenBox);
    const docs = c.documents || [];
    const reusable = c.reusable || docs.filter((d) => d.reusable);
    const dossiers = c.dossiers || [];
    if (!c.applicant && !docs.length && !dossiers.length) {
      citizenBox.append(
        el("p", { class: "muted", id: "citizen-none", text: "Chưa có hồ sơ hay giấy tờ số hóa nào của số định danh này." }),
      );
      return;
    }
    citizenBox.append(el("h3", { text: "Thông tin đã có của công dân" }));
    const a = c.applicant;
    if (a) {
      const known = [a.name, a.address, a.phone].filter(Boolean).join(" · ");
      const fill = el("button", {
        type: "button",
        class: "secondary small",
        id: "citizen-prefill",
        text: "Điền thông tin đã có",
        on: {
          click: () => {
            if (a.name) $("applicant-name").value = a.name;
            if (a.address) $("applicant-address").value = a.address;
            if (a.phone) $("applicant-phone").value = a.phone;
            fill.textContent = "Đã điền thông tin";
            fill.disabled = true;
          },
        },
      });
      citizenBox.append(el("p", { id: "citizen-known" }, el("span", { text: known }), " ", fill));
    }
    if (reusable.length) {
      const list = el("ul", { class: "checklist reuse-list", id: "reuse-list" });
      for (const d of reusable) {
        const id = `reuse-${d.id}`;
        list.append(
          el(
            "li",
            {},
            el("input", {
              type: "checkbox",
              id,
              value: d.id,
              checked: reused.has(d.id),
              on: {
                change: (e) => {
                  if (e.target.checked) reused.add(d.id);
                  else reused.delete(d.id);
                  refreshCheck();
                },
              },
            }),
            el(
              "label",
              { attrs: { for: id } },
              el("span", { class: "doc-name", text: C.typeLabel(d.type) }),
              el("span", { class: "doc-meta", text: ` ${d.source || `Tài liệu số ${d.id}`}` }),
            ),
            el("a", { href: `/documents/${d.id}`, target: "_blank", rel: "noopener", text: "Xem" }),
          ),
        );
      }
      citizenBox.append(
        el(
          "fieldset",
          { class: "docs" },
          el("legend", { text: "Dùng lại giấy tờ đã số hóa — không cần quét lại" }),
          list,
        ),
      );
    }
    const others = docs.length - reusable.length;
    if (others > 0) {
      citizenBox.append(
        el("p", { class: "hint", text: `Còn ${others} giấy tờ đã số hóa khác của công dân (loại không dùng lại được).` }),
      );
    }
    if (dossiers.length) {
      const SHOWN = 5;
      const names = new Map(procs.map((p) => [p.code, p.name]));
      const list = el("ul", { class: "earlier", id: "citizen-dossiers" });
      for (const d of dossiers.slice(0, SHOWN)) {
        list.append(
          el(
            "li",
            {},
            el("a", { class: "code", href: `/ho-so/${encodeURIComponent(d.code)}`, target: "_blank", rel: "noopener", text: d.code }),
            ` — ${names.get(d.procedure_code) || d.procedure_code} — `,
            D.badge(d.status, d.status_vi),
            el("span", { class: "muted", text: ` (tiếp nhận ${hoso.formatDate(d.received)})` }),
          ),
        );
      }
      citizenBox.append(el("p", { class: "hint", text: `Hồ sơ trước đây (${dossiers.length}):` }), list);
      if (dossiers.length > SHOWN) {
        citizenBox.append(el("p", { class: "hint", text: `và ${dossiers.length - SHOWN} hồ sơ cũ hơn.` }));
      }
    }
  }

  $("applicant-id").addEventListener("input", () => {
    clearTimeout(citizenTimer);
    citizenTimer = setTimeout(lookupCitizen, 250);
  });

  hasAuthorised.addEventListener("change", () => {
    authorised.hidden = !hasAuthorised.checked;
    if (hasAuthorised.checked) $("authorised-name").focus();
  });

  // ---- documents from a scan batch ------------------------------------------------------

  let batchesLoaded = false;
  $("attach").addEventListener("toggle", async (event) => {
    if (!event.target.open || batchesLoaded) return;
    batchesLoaded = true;
    try {
      const batches = await api("/api/batches?limit=20");
      for (const b of batches) {
        batchSelect.append(
          el("option", {
            value: b.id,
            text: `Lô quét số ${b.id} — ${D.time(b.created)} (${b.documents} tài liệu)`,
          }),
        );
      }
      if (!batches.length) attachDocs.append(el("p", { class: "muted", text: "Chưa có lô quét nào." }));
    } catch (e) {
      batchesLoaded = false;
      clear(attachDocs).append(message("error", `Không tải được danh sách lô quét: ${e.message}`));
    }
  });

  function attachSummary() {
    let node = $("attach-summary");
    if (!node) {
      node = el("p", { id: "attach-summary", class: "hint" });
      attachDocs.after(node);
    }
    node.textContent = attached.size ? `Đã chọn ${attached.size} tài liệu để đính kèm.` : "";
  }

  batchSelect.addEventListener("change", async () => {
    clear(attachDocs);
    if (!batchSelect.value) return;
    attachDocs.append(el("p", { class: "muted", text: "Đang tải…" }));
    try {
      const batch = await api(`/api/batches/${batchSelect.value}`);
      clear(attachDocs);
      const list = el("ul", { class: "checklist attach-list" });
      for (const doc of batch.documents) {
        const done = doc.status === "done";
        const id = `att-${doc.id}`;
        const box = el("input", {
          type: "checkbox",
          id,
          value: doc.id,
          checked: attached.has(doc.id),
          disabled: !done,
          on: {
            change: (e) => {
              if (e.target.checked) attached.add(doc.id);
              else attached.delete(doc.id);
              attachSummary();
              refreshCheck();
            },
          },
        });
        list.append(
          el(
            "li",
            {},
            box,
            el(
              "label",
              { attrs: { for: id } },
              el("span", { class: "doc-name", text: doc.source || `Tài liệu ${doc.id}` }),
              el(
                "span",
                { class: "doc-meta" },
                doc.pages ? `${doc.pages} trang` : "",
                done ? "" : " — chưa số hóa xong",
              ),
            ),
            el("a", { href: `/documents/${doc.id}`, target: "_blank", rel: "noopener", text: "Xem" }),
          ),
        );
      }
      attachDocs.append(
        batch.documents.length
          ? list
          : el("p", { class: "muted", text: "Lô quét này không có tài liệu." }),
      );
    } catch (e) {
      clear(attachDocs).append(message("error", `Không tải được lô quét: ${e.message}`));
    }
  });

  // ---- submit --------------------------------------------------------------------------

  function person(prefix) {
    return {
      name: $(`${prefix}-name`).value.trim(),
      id_number: $(`${prefix}-id`).value.trim(),
      address: $(`${prefix}-address`).value.trim(),
      phone: $(`${prefix}-phone`).value.trim(),
    };
  }

  function showError(content, focus) {
    clear(errorBox).append(message("error", content));
    (focus || errorBox).focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(errorBox);
    const p = selected();
    if (!p) {
      showError("Hãy chọn thủ tục hành chính.", filter);
      return;
    }
    const applicant = person("applicant");
    if (!applicant.name) {
      showError("Hãy nhập họ và tên người nộp hồ sơ.", $("applicant-name"));
      return;
    }
    const missing = missingMandatory(p);
    const key = JSON.stringify([p.code, missing]);
    if (missing.length && confirmMissing !== key) {
      confirmMissing = key;
      clear(errorBox).append(
        message("notice", [
          el("strong", { text: "Còn thiếu giấy tờ bắt buộc:" }),
          el("ul", {}, missing.map((m) => el("li", { text: m }))),
          "Hồ sơ chưa đủ thành phần. Đánh dấu giấy tờ đã nhận, hoặc bấm “Tiếp nhận hồ sơ” lần nữa để vẫn tiếp nhận (sau đó có thể yêu cầu bổ sung).",
        ], { role: "alert" }),
      );
      errorBox.focus();
      return;
    }
    const body = {
      procedure_code: p.code,
      applicant,
      channel: form.querySelector("input[name=channel]:checked").value,
      received_documents: receivedDocuments(p),
      document_ids: Array.from(attached).filter((d) => !reused.has(d)),
      reused_document_ids: Array.from(reused),
    };
    if (hasAuthorised.checked) body.authorised = person("authorised");

    submit.disabled = true;
    submit.textContent = "Đang tiếp nhận…";
    try {
      const dossier = await api("/api/dossiers", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      showResult(dossier, p);
    } catch (e) {
      showError([el("strong", { text: "Chưa tiếp nhận được hồ sơ: " }), e.message]);
    } finally {
      submit.disabled = false;
      submit.textContent = "Tiếp nhận hồ sơ";
    }
  });

  function showResult(d, p) {
    $("result-code").textContent = d.code;
    const facts = $("result-facts");
    clear(facts);
    const who = d.authorised
      ? `${d.applicant.name} (người nộp thay: ${d.authorised.name})`
      : d.applicant.name;
    facts.replaceWith(
      Object.assign(
        D.facts([
          ["Thủ tục", `${p.name} (${p.code})`],
          ["Người nộp hồ sơ", who],
          ["Tiếp nhận lúc", D.official(d.received)],
          [
            "Hẹn trả kết quả",
            el("strong", { class: "appointment", id: "result-appointment", text: D.official(d.appointment) }),
          ],
          ["Mã tra cứu", el("strong", { class: "mono key", id: "result-key", text: d.lookup_key })],
          ["Kênh tiếp nhận", D.CHANNEL_VI[d.channel] || d.channel],
        ]),
        { id: "result-facts" },
      ),
    );
    $("receipt-link").href = d.receipt_url;
    $("sheets-link").href = D.sheetsUrl(d);
    $("dossier-link").href = `/ho-so/${encodeURIComponent(d.code)}`;
    showResultCheck(d);
    form.hidden = true;
    result.hidden = false;
    result.focus();
    window.scrollTo(0, 0);
  }

  /** The received dossier's own check (documents behind its cover sheet included). */
  async function showResultCheck(d) {
    const box = clear($("result-completeness"));
    box.append(el("p", { class: "muted", text: "Đang đối chiếu…" }));
    try {
      const c = await api(`/api/dossiers/${encodeURIComponent(d.code)}/completeness`);
      hoso.append(clear(box), [hosoCompleteness.view(c), hosoCompleteness.supplementAction(d, c)]);
    } catch (e) {
      clear(box).append(message("error", `Không đối chiếu được: ${e.message}`));
    }
  }

  $("new-reception").addEventListener("click", () => {
    form.reset();
    attached.clear();
    forgetCitizen();
    clear(attachDocs);
    batchSelect.value = "";
    attachSummary();
    authorised.hidden = true;
    for (const id of ["applicant-id", "authorised-id"]) $(id).dispatchEvent(new Event("input"));
    renderOptions();
    renderInfo();
    clear(errorBox);
    result.hidden = true;
    form.hidden = false;
    filter.focus();
  });

  loadProcedures();
})();

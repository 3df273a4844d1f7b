"use strict";
/* The leader's inbox (mode "result") and the clerk's digitised copies (mode "digitised"):
 * choose documents, type the password/PIN once, sign them all; leaders may send one back. */
(function () {
  const { el, clear, append, formatDate } = hoso;
  const mode = document.body.dataset.mode;
  const listUrl = mode === "result" ? "/api/signing/inbox" : "/api/signing/digitised";
  const signUrl = mode === "result" ? "/api/signing/inbox/sign" : "/api/signing/digitised/sign";
  const $ = (id) => document.getElementById(id);
  let items = [];

  function say(kind, content) {
    const box = clear($("queue-message"));
    box.append(hoso.message(kind, content));
    box.focus();
  }

  function selected() {
    return [...document.querySelectorAll("input.pick:checked")].map((c) => Number(c.value));
  }

  function updateCount() {
    const n = selected().length;
    $("selected-count").textContent = String(n);
    $("sign-button").disabled = n === 0;
  }

  function describe(item) {
    const lines = [];
    if (item.dossier) {
      lines.push(
        el("p", { class: "meta" }, "Hồ sơ ", el("a", { href: `/ho-so/${item.dossier.code}`, class: "mono", text: item.dossier.code })),
        el("p", { class: "meta", text: `Người nộp: ${item.dossier.applicant_name} · Thủ tục ${item.dossier.procedure_code}` }),
      );
    } else {
      lines.push(el("p", { class: "meta", text: `Lô quét số ${item.batch_id} · số hóa lúc ${formatDate(item.scanned_at)}` }));
    }
    lines.push(
      el(
        "p",
        { class: "meta" },
        el("a", { href: item.pdf_url, target: "_blank", rel: "noopener", text: `Xem tài liệu ${item.document_id} (PDF, ${item.pages} trang)` }),
        item.requested_by ? ` · trình ký bởi ${item.requested_by}` : "",
      ),
    );
    return lines;
  }

  function rejectForm(item) {
    if (mode !== "result") return el("span");
    const note = el("textarea", { rows: 2, maxLength: 2000, attrs: { "aria-label": `Lý do trả lại tài liệu ${item.document_id}` } });
    const button = el("button", { type: "button", class: "small", text: "Trả lại" });
    button.addEventListener("click", async () => {
      if (!note.value.trim()) {
        say("error", "Cần ghi lý do trả lại để cán bộ biết cần sửa gì.");
        note.focus();
        return;
      }
      button.disabled = true;
      try {
        await hoso.api(`/api/signing/tasks/${item.task_id}/reject`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ note: note.value }),
        });
        say("success", `Đã trả lại tài liệu ${item.document_id} cho cán bộ xử lý.`);
        await load();
      } catch (e) {
        button.disabled = false;
        say("error", e.message);
      }
    });
    return el("div", { class: "reject" }, el("label", { text: "Lý do trả lại" }), note, button);
  }

  function render() {
    const box = clear($("queue"));
    $("queue-count").textContent = `(${items.length})`;
    $("sign-panel").hidden = items.length === 0;
    if (!items.length) {
      box.append(el("p", { class: "muted", attrs: { id: "queue-empty" }, text: "Không có văn bản nào đang chờ ký." }));
      return;
    }
    const all = el("input", { type: "checkbox", checked: true, attrs: { id: "pick-all" } });
    all.addEventListener("change", () => {
      document.querySelectorAll("input.pick").forEach((c) => (c.checked = all.checked));
      updateCount();
    });
    const list = el("ul", { class: "queue-list" });
    for (const item of items) {
      const pick = el("input", { type: "checkbox", class: "pick", value: item.task_id, checked: true,
        attrs: { "aria-label": `Chọn tài liệu ${item.document_id}` } });
      pick.addEventListener("change", updateCount);
      list.append(
        el(
          "li",
          { class: "queue-item", attrs: { "data-task": item.task_id, "data-document": item.document_id } },
          pick,
          el("img", { src: item.thumb_url, alt: `Trang đầu tài liệu ${item.document_id}`, loading: "lazy" }),
          el("div", {}, ...describe(item)),
          rejectForm(item),
        ),
      );
    }
    append(box, [el("label", { class: "select-all" }, all, " Chọn tất cả"), list]);
    updateCount();
  }

  async function load() {
    try {
      const body = await hoso.api(listUrl);
      if (body.enabled === false) {
        clear($("queue")).append(el("p", { class: "muted", text: "Ký số bản số hóa đang tắt trong cấu hình." }));
        return;
      }
      items = body.items;
      render();
    } catch (e) {
      clear($("queue")).append(hoso.message("error", e.message));
    }
  }

  $("sign-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const ids = selected();
    const secret = $("sign-secret");
    if (!ids.length) return;
    $("sign-button").disabled = true;
    say("info", `Đang ký ${ids.length} văn bản…`);
    try {
      const out = await hoso.api(signUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ task_ids: ids, secret: secret.value }),
      });
      secret.value = "";
      const parts = [`Đã ký số ${out.signed.length} văn bản.`];
      if (out.processed_dossiers.length) parts.push(` Hồ sơ chuyển sang “Đã giải quyết xong”: ${out.processed_dossiers.join(", ")}.`);
      for (const e of out.errors) parts.push(` Tài liệu yêu cầu ${e.task_id}: ${e.message}`);
      say(out.errors.length ? "notice" : "success", parts.join(""));
      await load();
    } catch (e) {
      say("error", e.message);
      secret.select();
    } finally {
      updateCount();
    }
  });

  load();
})();

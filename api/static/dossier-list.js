/* Dossier list (/ho-so): filters by status and applicant ID live in the URL. */
"use strict";

(() => {
  const { el, clear, message, api } = hoso;
  const D = hosoDossier;
  const LIMIT = 50;
  const $ = (id) => document.getElementById(id);
  const form = $("list-filters");
  const status = $("f-status");
  const idInput = $("f-id");
  const statusBox = $("list-status");
  const wrap = $("list-wrap");
  const rows = $("dossier-rows");
  const pager = $("pager");
  let offset = 0;
  let seq = 0;

  for (const [value, label] of Object.entries(D.STATUS_VI)) {
    status.append(el("option", { value, text: label }));
  }

  function fromUrl() {
    const p = new URLSearchParams(location.search);
    status.value = D.STATUS_VI[p.get("status")] ? p.get("status") : "";
    idInput.value = p.get("applicant_id") || "";
    offset = Math.max(0, Number.parseInt(p.get("offset") || "0", 10) || 0);
  }

  function params() {
    const p = new URLSearchParams();
    if (status.value) p.set("status", status.value);
    if (idInput.value.trim()) p.set("applicant_id", idInput.value.trim());
    if (offset) p.set("offset", String(offset));
    return p;
  }

  async function load() {
    const mine = ++seq;
    const p = params();
    clear(statusBox).append(el("p", { class: "muted", text: "Đang tải…" }));
    let names;
    let data;
    try {
      [names, data] = await Promise.all([
        D.catalogue().catch(() => new Map()),
        api(`/api/dossiers?${p}&limit=${LIMIT + 1}`),
      ]);
    } catch (e) {
      if (mine !== seq) return;
      wrap.hidden = true;
      pager.hidden = true;
      clear(statusBox).append(message("error", `Không tải được danh sách hồ sơ: ${e.message}`));
      return;
    }
    if (mine !== seq) return;
    const list = data.dossiers.slice(0, LIMIT);
    const more = data.dossiers.length > LIMIT;
    clear(rows);
    clear(statusBox);
    const now = Date.now();
    for (const d of list) {
      const proc = names.get(d.procedure_code);
      const late = D.isOverdue(d, now);
      rows.append(
        el(
          "tr",
          { class: late ? "is-overdue" : "", attrs: { "data-code": d.code } },
          el("td", { class: "code" }, el("a", { href: `/ho-so/${encodeURIComponent(d.code)}`, text: d.code })),
          el(
            "td",
            {},
            proc ? proc.name : d.procedure_code,
            el("span", { class: "sub", text: proc ? `${proc.code} · ${proc.field}` : "" }),
          ),
          el(
            "td",
            {},
            d.applicant.name,
            el("span", { class: "sub mono", text: d.applicant.id_number }),
          ),
          el("td", { text: D.time(d.received) }),
          el("td", {}, D.time(d.appointment), late ? [" ", D.overdueBadge()] : null),
          el("td", {}, D.badge(d.status, d.status_vi)),
        ),
      );
    }
    const filtered = status.value || idInput.value.trim();
    if (!list.length) {
      wrap.hidden = true;
      statusBox.append(
        message(
          "info",
          offset
            ? "Không còn hồ sơ nào ở trang này."
            : filtered
              ? "Không có hồ sơ nào khớp với bộ lọc."
              : "Chưa có hồ sơ nào.",
        ),
      );
    } else {
      wrap.hidden = false;
      const overdue = list.filter((d) => D.isOverdue(d, now)).length;
      statusBox.append(
        el("p", {
          class: "summary",
          attrs: { id: "list-summary" },
          text:
            `Hồ sơ ${offset + 1}–${offset + list.length}` +
            (overdue ? ` · ${overdue} hồ sơ quá hạn trong trang này` : ""),
        }),
      );
    }
    pager.hidden = !offset && !more;
    $("prev").disabled = !offset;
    $("next").disabled = !more;
    $("pager-label").textContent = `Trang ${Math.floor(offset / LIMIT) + 1}`;
  }

  function go(push) {
    const url = `/ho-so${params().toString() ? `?${params()}` : ""}`;
    if (push) history.pushState(null, "", url);
    load();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    offset = 0;
    go(true);
  });
  status.addEventListener("change", () => {
    offset = 0;
    go(true);
  });
  $("f-reset").addEventListener("click", () => {
    status.value = "";
    idInput.value = "";
    offset = 0;
    go(true);
  });
  $("prev").addEventListener("click", () => {
    offset = Math.max(0, offset - LIMIT);
    go(true);
  });
  $("next").addEventListener("click", () => {
    offset += LIMIT;
    go(true);
  });
  window.addEventListener("popstate", () => {
    fromUrl();
    load();
  });

  fromUrl();
  load();
})();

/* Statistics (/thong-ke): form II.06a for a period (default: this month up to today), the
 * CSV/XLSX downloads and two charts. The period lives in the URL. */
"use strict";

(() => {
  const { el, clear, message, api } = hoso;
  const D = hosoDossier;
  const $ = (id) => document.getElementById(id);
  const form = $("period-form");
  const from = $("date_from");
  const to = $("date_to");
  const procSelect = $("procedure");
  const statusBox = $("stats-status");
  const body = $("stats-body");
  let names = new Map();
  let seq = 0;

  const COLUMNS = [
    "received_total",
    "received_online",
    "received_direct_postal",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_total",
    "in_progress_within",
    "in_progress_overdue",
    "withdrawn_returned",
  ]; // ratings: in the donut and in the CSV/XLSX files
  const RESOLVED = [
    { key: "resolved_early", label: "Trước hạn", color: "#1c7c3a" },
    { key: "resolved_on_time", label: "Đúng hạn", color: "#0b5cad" },
    { key: "resolved_late", label: "Quá hạn", color: "#b3261e" },
  ];
  const RATINGS = [
    { key: "rating_very_satisfied", label: "Rất hài lòng", color: "#1c7c3a" },
    { key: "rating_satisfied", label: "Hài lòng", color: "#0b5cad" },
    { key: "rating_not_satisfied", label: "Không hài lòng", color: "#b3261e" },
  ];

  function roman(n) {
    const table = [
      [1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"],
      [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"],
    ];
    let out = "";
    for (const [v, s] of table) {
      while (n >= v) {
        out += s;
        n -= v;
      }
    }
    return out;
  }

  // ---- period ----------------------------------------------------------------------------

  function today() {
    return D.todayIso();
  }

  function iso(y, m, d) {
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.toISOString().slice(0, 10);
  }

  function quick(kind) {
    const [y, m] = today().split("-").map(Number);
    switch (kind) {
      case "last-month":
        return [iso(y, m - 1, 1), iso(y, m, 0)];
      case "quarter": {
        const first = Math.floor((m - 1) / 3) * 3 + 1;
        return [iso(y, first, 1), today()];
      }
      case "year":
        return [iso(y, 1, 1), today()];
      default:
        return [iso(y, m, 1), today()];
    }
  }

  function fromUrl() {
    const p = new URLSearchParams(location.search);
    const [f, t] = quick("month");
    from.value = D.showDay(p.get("date_from") || f);
    to.value = D.showDay(p.get("date_to") || t);
    const proc = p.get("procedure") || "";
    if (proc && !Array.from(procSelect.options).some((o) => o.value === proc)) {
      procSelect.append(el("option", { value: proc, text: proc }));
    }
    procSelect.value = proc;
  }

  function params() {
    const p = new URLSearchParams();
    p.set("date_from", D.parseDay(from.value) || "");
    p.set("date_to", D.parseDay(to.value) || "");
    if (procSelect.value) p.set("procedure", procSelect.value);
    return p;
  }

  function invalid() {
    for (const [input, label] of [
      [from, "Từ ngày"],
      [to, "Đến ngày"],
    ]) {
      if (!D.parseDay(input.value)) {
        return `${label} “${input.value.trim()}” không hợp lệ. Hãy nhập dạng ngày/tháng/năm, ví dụ 01/03/2026.`;
      }
    }
    if (D.parseDay(from.value) > D.parseDay(to.value)) return "“Đến ngày” phải sau hoặc bằng “Từ ngày”.";
    return null;
  }

  // ---- table -----------------------------------------------------------------------------

  function row(kind, number, label, sub, figures) {
    return el(
      "tr",
      { class: kind, attrs: { "data-row": kind } },
      el("td", { class: "stt", text: number }),
      el(
        kind === "procedure" ? "td" : "th",
        { class: "name", attrs: { scope: "row" } },
        label,
        sub ? el("span", { class: "sub", text: sub }) : null,
      ),
      COLUMNS.map((key) => el("td", { class: "num", attrs: { "data-col": key }, text: figures[key] ?? 0 })),
    );
  }

  function renderTable(report) {
    const tbody = clear($("ii06a-rows"));
    const fields = Object.keys(report.by_field).sort();
    fields.forEach((field, i) => {
      tbody.append(row("field", roman(i + 1), field, "", report.by_field[field]));
      const codes = Object.keys(report.by_procedure)
        .filter((c) => report.procedure_field[c] === field)
        .sort();
      codes.forEach((c, j) => {
        const p = names.get(c);
        tbody.append(row("procedure", String(j + 1), p ? p.name : c, c, report.by_procedure[c]));
      });
    });
    if (!fields.length) {
      tbody.append(
        el("tr", {}, el("td", { attrs: { colspan: 2 + COLUMNS.length }, class: "muted", text: "Không có hồ sơ nào trong kỳ." })),
      );
    }
    tbody.append(row("total", "", "Tổng cộng", "", report.total));
  }

  function renderCharts(report) {
    const fields = Object.keys(report.by_field).sort();
    clear($("bar-chart")).append(
      hosoCharts.stackedBars(
        fields.map((f) => ({ label: f, values: report.by_field[f] })),
        RESOLVED,
        {
          title: "Số hồ sơ đã giải quyết theo lĩnh vực: trước hạn, đúng hạn, quá hạn",
          empty: "Chưa có hồ sơ nào được giải quyết trong kỳ.",
        },
      ),
    );
    clear($("donut-chart")).append(
      hosoCharts.donut(RATINGS, report.total, {
        title: "Đánh giá mức độ hài lòng của người dân",
        unit: "lượt đánh giá",
        empty: "Chưa có lượt đánh giá nào trong kỳ.",
      }),
    );
  }

  function summary(report) {
    const t = report.total;
    const good = (t.resolved_early || 0) + (t.resolved_on_time || 0);
    const rate = t.resolved_total ? ` (${Math.round((good * 100) / t.resolved_total)}% trước hạn hoặc đúng hạn)` : "";
    const proc = procSelect.value ? ` · ${procSelect.selectedOptions[0].textContent}` : "";
    return (
      `Kỳ báo cáo ${D.showDay(report.from)} – ${D.showDay(report.to)}${proc}. ` +
      `Tiếp nhận ${t.received_total}; đã giải quyết ${t.resolved_total}${rate}; ` +
      `đang giải quyết ${t.in_progress_total}` +
      (t.in_progress_overdue ? ` (${t.in_progress_overdue} quá hạn)` : "") +
      `; rút hồ sơ/trả lại ${t.withdrawn_returned}.`
    );
  }

  async function load() {
    const bad = invalid();
    if (bad) {
      clear(statusBox).append(message("error", bad));
      return;
    }
    const mine = ++seq;
    const p = params();
    clear(statusBox).append(el("p", { class: "muted", text: "Đang tính số liệu…" }));
    try {
      const report = await api(`/api/reports/ii06a?${p}`);
      if (mine !== seq) return;
      clear(statusBox);
      renderTable(report);
      renderCharts(report);
      $("stats-summary").textContent = summary(report);
      $("ii06a-caption").textContent = `Tình hình, kết quả giải quyết thủ tục hành chính, ${D.showDay(report.from)} – ${D.showDay(report.to)}`;
      $("csv-link").href = `/api/reports/ii06a?${p}&format=csv`;
      $("xlsx-link").href = `/api/reports/ii06a?${p}&format=xlsx`;
      body.hidden = false;
    } catch (e) {
      if (mine !== seq) return;
      body.hidden = true;
      clear(statusBox).append(message("error", `Không lấy được báo cáo: ${e.message}`));
    }
  }

  function go() {
    if (!invalid()) history.pushState(null, "", `/thong-ke?${params()}`);
    load();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go();
  });
  for (const button of form.querySelectorAll("[data-quick]")) {
    button.addEventListener("click", () => {
      const [f, t] = quick(button.dataset.quick);
      from.value = D.showDay(f);
      to.value = D.showDay(t);
      go();
    });
  }
  procSelect.addEventListener("change", go);
  window.addEventListener("popstate", () => {
    fromUrl();
    load();
  });

  (async () => {
    try {
      names = await D.catalogue();
      const groups = new Map();
      const list = Array.from(names.values()).sort(
        (a, b) => (a.field || "").localeCompare(b.field || "", "vi") || a.name.localeCompare(b.name, "vi"),
      );
      for (const p of list) {
        if (!groups.has(p.field)) {
          groups.set(p.field, el("optgroup", { label: p.field }));
          procSelect.append(groups.get(p.field));
        }
        groups.get(p.field).append(el("option", { value: p.code, text: `${p.name} (${p.code})` }));
      }
    } catch (_) {
      /* the report still works with codes */
    }
    fromUrl();
    load();
  })();
})();

/* hoso — helpers shared by the dossier pages (reception, list, dossier, statistics, lookup).
 * Times are shown in Vietnam time whatever the computer's own time zone. */
"use strict";

const hosoDossier = (() => {
  const { el } = hoso;
  const ZONE = "Asia/Ho_Chi_Minh";

  const STATUS_VI = {
    received: "Đã tiếp nhận",
    not_accepted: "Không tiếp nhận",
    processing: "Đang giải quyết",
    supplement_requested: "Yêu cầu bổ sung hồ sơ",
    financial_obligation: "Yêu cầu thực hiện nghĩa vụ tài chính",
    withdrawn: "Công dân rút hồ sơ",
    stopped: "Dừng xử lý",
    processed: "Đã giải quyết xong",
    returned: "Đã trả kết quả",
  };

  /** What the workflow allows next (the server checks too). */
  const NEXT = {
    received: [
      "processing",
      "supplement_requested",
      "financial_obligation",
      "processed",
      "not_accepted",
      "withdrawn",
      "stopped",
    ],
    processing: ["supplement_requested", "financial_obligation", "processed", "withdrawn", "stopped"],
    supplement_requested: ["processing", "withdrawn", "stopped"],
    financial_obligation: ["processing", "processed", "withdrawn", "stopped"],
    processed: ["returned"],
  };

  /** Still being worked on: can become overdue, can be extended. */
  const OPEN = new Set(["received", "processing", "supplement_requested", "financial_obligation"]);
  const ENDED = new Set(["not_accepted", "withdrawn", "stopped"]);

  const CHANNEL_VI = { direct: "Trực tiếp", online: "Trực tuyến", postal: "Bưu chính" };
  const COPIES_VI = {
    original: "bản chính",
    copy: "bản sao",
    certified_copy: "bản sao chứng thực",
    original_or_copy: "bản chính hoặc bản sao",
  };

  function statusLabel(status, given) {
    return given || STATUS_VI[status] || String(status || "");
  }

  function badge(status, given) {
    const known = Object.prototype.hasOwnProperty.call(STATUS_VI, status) ? status : "unknown";
    return el("span", { class: `badge st-${known}`, text: statusLabel(status, given) });
  }

  function overdueBadge() {
    return el("span", { class: "badge overdue", text: "Quá hạn" });
  }

  /** Parts of a moment in Vietnam time: {year, month, day, hour, minute} as 2-digit strings. */
  function parts(iso) {
    const d = new Date(iso);
    if (!iso || Number.isNaN(d.getTime())) return null;
    const out = {};
    const fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone: ZONE,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    for (const p of fmt.formatToParts(d)) out[p.type] = p.value;
    return out;
  }

  /** "25/11/2026 17:30" (Vietnam time). */
  function time(iso) {
    const p = parts(iso);
    return p ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}` : iso ? String(iso) : "";
  }

  /** "25/11/2026" (Vietnam time). */
  function day(iso) {
    const p = parts(iso);
    return p ? `${p.day}/${p.month}/${p.year}` : "";
  }

  /** The receipt's wording: "17 giờ 30 phút, ngày 25/11/2026". */
  function official(iso) {
    const p = parts(iso);
    return p ? `${p.hour} giờ ${p.minute} phút, ngày ${p.day}/${p.month}/${p.year}` : "";
  }

  /** "2026-11-25" for today in Vietnam (for date inputs). */
  function todayIso() {
    const p = parts(new Date().toISOString());
    return `${p.year}-${p.month}-${p.day}`;
  }

  const pad = (n) => String(n).padStart(2, "0");

  /** "5/3/2025", "05-03-2025", "05.03.2025" or "2025-03-05" → "2025-03-05"; "" → "";
   * anything else → null. (Typed dates: no browser-locale guessing of day vs month.) */
  function parseDay(value) {
    const v = String(value || "").trim();
    if (!v) return "";
    let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
    let y, mo, d;
    if (m) [, d, mo, y] = m.map(Number);
    else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v))) [, y, mo, d] = m.map(Number);
    else return null;
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
    return `${y}-${pad(mo)}-${pad(d)}`;
  }

  /** "2025-03-05" → "05/03/2025". */
  function showDay(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${m[3]}/${m[2]}/${m[1]}` : iso || "";
  }

  /** "9:30", "09h30", "9 giờ 30", "14" → "09:30" / "14:00"; anything else → null. */
  function parseClock(value) {
    const m = /^(\d{1,2})\s*(?:[:hg]|giờ)?\s*(\d{1,2})?\s*(?:phút|p)?$/i.exec(String(value || "").trim());
    if (!m) return null;
    const h = Number(m[1]);
    const min = m[2] === undefined ? 0 : Number(m[2]);
    return h <= 23 && min <= 59 ? `${pad(h)}:${pad(min)}` : null;
  }

  /** A day ("2025-03-05") and a clock ("09:30") in Vietnam time → ISO with +07:00. */
  function vnIso(dayIso, clock) {
    return `${dayIso}T${clock}:00+07:00`;
  }

  function isOverdue(d, now = Date.now()) {
    return OPEN.has(d.status) && !d.resolved && new Date(d.appointment).getTime() < now;
  }

  function timeLimit(p) {
    if (p.same_day) return "Trong ngày (nhận sau 15 giờ trả vào ngày làm việc tiếp theo)";
    if (p.working_days) return `${p.working_days} ngày làm việc`;
    if (p.hours) return `${p.hours} giờ làm việc`;
    return "Chưa quy định";
  }

  function fee(p) {
    if (p.fee_note) return p.fee_note;
    if (p.fee_vnd) return `${Number(p.fee_vnd).toLocaleString("vi-VN")} đồng`;
    return "Không thu phí";
  }

  /** Lower case, no diacritics: "Đăng ký" → "dang ky" (search as people type). */
  function fold(text) {
    return String(text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase();
  }

  /** Cover sheet for the dossier plus one separator sheet per type of document received:
   * printed at the counter, put in the scanner with the papers so the batch splits itself. */
  function sheetsUrl(d) {
    const p = new URLSearchParams({ dossier: d.code });
    const types = new Set((d.received_documents || []).map((r) => r.type).filter((t) => /^[a-z0-9_]+$/.test(t || "")));
    for (const t of types) p.append("doc_type", t);
    return `/api/sheets.pdf?${p}`;
  }

  let procedures = null;
  /** The catalogue, once per page: Map code → procedure. */
  async function catalogue() {
    if (!procedures) {
      procedures = hoso.api("/api/procedures").then(
        (list) => new Map(list.map((p) => [p.code, p])),
        (e) => {
          procedures = null;
          throw e;
        },
      );
    }
    return procedures;
  }

  /** A definition list from [label, value] pairs (value: text or nodes; empty ones skipped). */
  function facts(pairs, cls = "facts") {
    const dl = el("dl", { class: cls });
    for (const [label, value, attrs] of pairs) {
      if (value === undefined || value === null || value === "") continue;
      dl.append(el("div", { attrs }, el("dt", { text: label }), hoso.append(el("dd"), [value])));
    }
    return dl;
  }

  return {
    STATUS_VI,
    NEXT,
    OPEN,
    ENDED,
    CHANNEL_VI,
    COPIES_VI,
    statusLabel,
    badge,
    overdueBadge,
    time,
    day,
    official,
    todayIso,
    parts,
    parseDay,
    showDay,
    parseClock,
    vnIso,
    isOverdue,
    timeLimit,
    fee,
    fold,
    catalogue,
    facts,
    sheetsUrl,
  };
})();

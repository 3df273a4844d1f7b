/* Classification helpers shared by the search, document, reception and review pages
 * (hosoClassify: Vietnamese labels of document types and fields), and the review page
 * itself (/soat-xet): documents the classifier was unsure about; for admins, retrain the
 * classifier from the clerks' corrections or roll it back. */
"use strict";

const hosoClassify = (() => {
  const TYPES = {
    to_khai_khai_sinh: "Tờ khai đăng ký khai sinh",
    giay_chung_sinh: "Giấy chứng sinh",
    to_khai_xac_nhan_hon_nhan: "Tờ khai xác nhận tình trạng hôn nhân",
    to_khai_khai_tu: "Tờ khai đăng ký khai tử",
    giay_uy_quyen: "Giấy ủy quyền",
    can_cuoc: "Căn cước",
    giay_xac_nhan_cu_tru: "Giấy xác nhận thông tin cư trú",
    don_dang_ky_dat_dai: "Đơn đăng ký đất đai",
    giay_chung_nhan_qsdd: "Giấy chứng nhận QSDĐ",
    trich_luc_ban_do: "Trích lục bản đồ địa chính",
    quyet_dinh: "Quyết định",
    khac: "Khác",
  };
  const FIELDS = {
    cccd: "Số định danh",
    ho_ten: "Họ tên",
    ngay_sinh: "Ngày sinh",
    gioi_tinh: "Giới tính",
    dia_chi: "Địa chỉ",
    so_thua: "Thửa đất số",
    so_to_ban_do: "Tờ bản đồ số",
    dien_tich: "Diện tích",
    so_giay_chung_nhan: "Số giấy chứng nhận",
  };

  /** Vietnamese label; an unknown code is shown as it is; none → "Chưa phân loại". */
  function typeLabel(code) {
    if (!code) return "Chưa phân loại";
    return TYPES[code] || String(code);
  }

  function fieldLabel(key) {
    return FIELDS[key] || String(key);
  }

  /** 0.934 → "93%"; null → "". */
  function percent(x) {
    if (x === null || x === undefined || Number.isNaN(Number(x))) return "";
    return `${Math.round(Number(x) * 100)}%`;
  }

  /** <option>s for a type <select>, the chosen one selected (kept when unknown). */
  function typeOptions(select, chosen, blank) {
    const { el, clear } = hoso;
    clear(select);
    if (blank) select.append(el("option", { value: "", text: blank }));
    if (chosen && !TYPES[chosen]) select.append(el("option", { value: chosen, text: chosen }));
    for (const [code, label] of Object.entries(TYPES)) {
      select.append(el("option", { value: code, text: label }));
    }
    select.value = chosen || "";
  }

  return { TYPES, FIELDS, typeLabel, fieldLabel, percent, typeOptions };
})();

(() => {
  const root = document.getElementById("review");
  if (!root) return; // only the helpers on other pages
  const { el, clear, message, api } = hoso;
  const C = hosoClassify;
  const $ = (id) => document.getElementById(id);
  const list = $("review-list");
  const status = $("review-status");
  const isAdmin = root.dataset.role === "admin";

  async function loadQueue() {
    clear(status).append(el("p", { class: "muted", text: "Đang tải…" }));
    let rows;
    try {
      rows = await api("/api/review");
    } catch (e) {
      clear(status).append(message("error", `Không tải được danh sách cần soát xét: ${e.message}`));
      return;
    }
    clear(status);
    clear(list);
    if (!rows.length) {
      status.append(message("success", "Không có tài liệu nào cần soát xét."));
      return;
    }
    status.append(el("p", { class: "summary", text: `${rows.length} tài liệu cần soát xét (cũ nhất trước).` }));
    const body = el("tbody");
    for (const r of rows) {
      body.append(
        el(
          "tr",
          { attrs: { "data-document": r.id } },
          el("td", {}, el("a", { href: r.url, text: `Tài liệu số ${r.id}` })),
          el("td", { text: C.typeLabel(r.type) }),
          el("td", { class: "num", text: C.percent(r.type_confidence) || "—" }),
          el("td", {}, el("a", { href: `/batches/${r.batch_id}`, text: `Lô quét số ${r.batch_id}` })),
        ),
      );
    }
    list.append(
      el(
        "table",
        { class: "classify-table" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { text: "Tài liệu" }),
            el("th", { text: "Loại dự đoán" }),
            el("th", { text: "Độ tin cậy" }),
            el("th", { text: "Lô quét" }),
          ),
        ),
        body,
      ),
    );
  }

  async function loadVersion() {
    const out = $("model-version");
    try {
      const v = await api("/api/classifier");
      out.textContent = v.version;
    } catch (e) {
      out.textContent = `không rõ (${e.message})`;
    }
  }

  async function adminAction(button, url, done) {
    const box = $("model-status");
    for (const b of document.querySelectorAll("#model-tools button")) b.disabled = true;
    clear(box).append(el("p", { class: "muted", text: "Đang thực hiện…" }));
    try {
      const answer = await api(url, { method: "POST", headers: { Accept: "application/json" } });
      $("model-version").textContent = answer.version;
      clear(box).append(message("success", done(answer)));
    } catch (e) {
      clear(box).append(message("error", e.message));
    } finally {
      for (const b of document.querySelectorAll("#model-tools button")) b.disabled = false;
      loadQueue();
    }
  }

  if (isAdmin) {
    $("retrain").addEventListener("click", (e) =>
      adminAction(e.target, "/api/classifier/retrain", (a) => [
        "Đã huấn luyện lại: mô hình ",
        el("strong", { class: "mono", text: a.version }),
        `, dùng ${a.corrections_used} lần sửa của cán bộ.`,
      ]),
    );
    $("rollback").addEventListener("click", (e) =>
      adminAction(e.target, "/api/classifier/rollback", (a) => [
        "Đã quay lại mô hình ",
        el("strong", { class: "mono", text: a.version }),
        ".",
      ]),
    );
  }
  loadVersion();
  loadQueue();
})();

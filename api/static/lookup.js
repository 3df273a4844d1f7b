/* Public status lookup (/tra-cuu): no login, kiosk-friendly. ?ma=CODE&tc=CHECK (the
 * receipt's QR link) looks up at once. When the result has been returned the citizen can
 * rate the service once. The API gives no personal data, and none is shown. */
"use strict";

(() => {
  const { el, clear, message, api } = hoso;
  const D = hosoDossier;
  const $ = (id) => document.getElementById(id);
  const form = $("lookup-form");
  const ma = $("ma");
  const tc = $("tc");
  const statusBox = $("lookup-status");
  const result = $("lookup-result");
  const button = $("lookup-button");
  let names = {};
  try {
    names = JSON.parse($("procedure-names").textContent || "{}");
  } catch (_) {
    names = {};
  }

  const STEPS = ["Tiếp nhận", "Đang giải quyết", "Đã giải quyết xong", "Đã trả kết quả"];
  const STEP_OF = {
    received: 0,
    processing: 1,
    supplement_requested: 1,
    financial_obligation: 1,
    processed: 2,
    returned: 3,
  };
  const RATINGS = [
    ["very_satisfied", "Rất hài lòng"],
    ["satisfied", "Hài lòng"],
    ["not_satisfied", "Không hài lòng"],
  ];
  const RATING_VI = Object.fromEntries(RATINGS);

  function explain(v) {
    switch (v.status) {
      case "received":
        return message("info", "Hồ sơ đã được tiếp nhận và đang chờ chuyển giải quyết.");
      case "processing":
        return message("info", "Hồ sơ đang được giải quyết.");
      case "supplement_requested": {
        const missing = v.missing || [];
        return message("notice", [
          el("strong", { text: "Hồ sơ cần bổ sung giấy tờ." }),
          " Ông/bà vui lòng mang đến Bộ phận Một cửa",
          missing.length ? ":" : ".",
          missing.length ? el("ul", { id: "missing" }, missing.map((m) => el("li", { text: m }))) : null,
        ]);
      }
      case "financial_obligation":
        return message(
          "notice",
          "Ông/bà cần thực hiện nghĩa vụ tài chính (nộp phí, lệ phí, thuế) để hồ sơ được tiếp tục giải quyết.",
        );
      case "processed":
        return message(
          "success",
          "Đã có kết quả. Mời ông/bà đến Bộ phận Một cửa nhận kết quả, mang theo Giấy tiếp nhận hồ sơ.",
        );
      case "returned":
        return message("success", "Kết quả đã được trả. Cảm ơn ông/bà đã sử dụng dịch vụ.");
      case "withdrawn":
        return message("info", "Hồ sơ đã được rút theo đề nghị của người nộp.");
      default:
        return message(
          "notice",
          "Hồ sơ không được tiếp tục giải quyết. Vui lòng liên hệ Bộ phận Một cửa để biết lý do.",
        );
    }
  }

  function steps(status) {
    if (!(status in STEP_OF)) return null;
    const at = STEP_OF[status];
    const list = el("ol", { class: "steps", attrs: { "aria-label": "Tiến độ giải quyết" } });
    STEPS.forEach((label, i) => {
      const done = i < at || (i === at && status === "returned");
      const current = i === at && !done;
      list.append(
        el("li", {
          class: done ? "done" : current ? "current" : "",
          attrs: { "aria-current": current ? "step" : null },
          text: label,
        }),
      );
    });
    return list;
  }

  function face(kind) {
    const NS = "http://www.w3.org/2000/svg";
    const mk = (tag, attrs) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      return n;
    };
    const mouth = {
      very_satisfied: "M11 21 Q18 29 25 21",
      satisfied: "M12 22 Q18 26 24 22",
      not_satisfied: "M12 25 Q18 19 24 25",
    }[kind];
    const s = mk("svg", { viewBox: "0 0 36 36", width: "44", height: "44", "aria-hidden": "true", class: "face" });
    s.append(
      mk("circle", { cx: "18", cy: "18", r: "16", fill: "none", stroke: "currentColor", "stroke-width": "2.5" }),
      mk("circle", { cx: "12.5", cy: "14", r: "2", fill: "currentColor" }),
      mk("circle", { cx: "23.5", cy: "14", r: "2", fill: "currentColor" }),
      mk("path", { d: mouth, fill: "none", stroke: "currentColor", "stroke-width": "2.5", "stroke-linecap": "round" }),
    );
    return s;
  }

  function ratingSection(v) {
    const box = el("div", { id: "rating" });
    if (v.can_rate) {
      const buttons = el("div", { class: "rating", attrs: { role: "group", "aria-labelledby": "rate-title" } });
      for (const [key, label] of RATINGS) {
        buttons.append(
          el(
            "button",
            {
              type: "button",
              class: `button huge r-${key}`,
              attrs: { "data-rating": key },
              on: { click: () => rate(v, key, box) },
            },
            face(key),
            el("span", { text: label }),
          ),
        );
      }
      box.append(
        el("h3", { id: "rate-title", text: "Ông/bà có hài lòng với việc giải quyết hồ sơ này không?" }),
        buttons,
      );
    } else if (v.rating) {
      box.append(
        message("success", `Ông/bà đã đánh giá: ${RATING_VI[v.rating] || v.rating}. Cảm ơn ông/bà!`),
      );
    }
    return box;
  }

  async function rate(v, key, box) {
    for (const b of box.querySelectorAll("button")) b.disabled = true;
    try {
      const out = await api("/api/public/rating", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({ ma: v.code, tc: tc.value.trim().toUpperCase(), rating: key }),
      });
      clear(box).append(
        message("success", [
          el("strong", { class: "thanks", text: out.message || "Cảm ơn ông/bà đã đánh giá" }),
          el("br"),
          `Mức độ hài lòng: ${RATING_VI[key]}.`,
        ]),
      );
    } catch (e) {
      for (const b of box.querySelectorAll("button")) b.disabled = false;
      box.querySelector(".rating-error")?.remove();
      box.append(
        message("error", e.status === 429 ? tooMany() : e.message, { class: "error rating-error" }),
      );
    }
  }

  function tooMany() {
    return "Ông/bà đã thao tác quá nhiều lần. Vui lòng đợi vài phút rồi thử lại.";
  }

  function render(v) {
    const proc = names[v.procedure_code];
    const done = v.status === "returned" || v.status === "processed";
    clear(result).append(
      el("h2", { id: "result-title" }, "Hồ sơ ", el("span", { class: "mono", text: v.code })),
      el("p", { class: "muted", text: proc ? `${proc} (${v.procedure_code})` : `Thủ tục ${v.procedure_code}` }),
      el("p", {
        class: `lookup-status ${done ? "ok" : D.ENDED.has(v.status) ? "ended" : v.status === "supplement_requested" || v.status === "financial_obligation" ? "warn" : ""}`,
        attrs: { id: "lookup-state" },
        text: D.statusLabel(v.status, v.status_vi),
      }),
      steps(v.status),
      D.facts([
        ["Tiếp nhận lúc", D.official(v.received_at)],
        ["Hẹn trả kết quả", D.official(v.appointment_at)],
        ["Đã trả kết quả lúc", v.returned_at ? D.official(v.returned_at) : ""],
      ]),
      explain(v),
      ratingSection(v),
    );
    result.hidden = false;
  }

  async function lookup() {
    const code = ma.value.trim().toUpperCase();
    const key = tc.value.trim().toUpperCase();
    ma.value = code;
    tc.value = key;
    if (!code || !key) {
      result.hidden = true;
      clear(statusBox).append(message("error", "Vui lòng nhập đủ mã hồ sơ và mã tra cứu."));
      (code ? tc : ma).focus();
      return;
    }
    history.replaceState(null, "", `/tra-cuu?${new URLSearchParams({ ma: code, tc: key })}`);
    button.disabled = true;
    button.textContent = "Đang tra cứu…";
    clear(statusBox);
    try {
      const v = await api(`/api/public/lookup?${new URLSearchParams({ ma: code, tc: key })}`);
      render(v);
      result.focus();
    } catch (e) {
      result.hidden = true;
      let text;
      if (e.status === 404) {
        text = [
          el("strong", { text: "Không tìm thấy hồ sơ." }),
          " Vui lòng kiểm tra lại mã hồ sơ và mã tra cứu in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
        ];
      } else if (e.status === 429) {
        text = [el("strong", { text: "Ông/bà đã tra cứu quá nhiều lần." }), " Vui lòng đợi vài phút rồi thử lại."];
      } else if (e.status === 0) {
        text = "Không kết nối được với máy chủ. Vui lòng thử lại sau.";
      } else {
        text = e.message;
      }
      clear(statusBox).append(message("error", text, { id: "lookup-error" }));
      statusBox.focus();
    } finally {
      button.disabled = false;
      button.textContent = "Tra cứu";
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    lookup();
  });
  $("lookup-clear").addEventListener("click", () => {
    form.reset();
    clear(statusBox);
    clear(result);
    result.hidden = true;
    history.replaceState(null, "", "/tra-cuu");
    ma.focus();
  });

  const params = new URLSearchParams(location.search);
  if (params.get("ma") || params.get("tc")) {
    ma.value = params.get("ma") || "";
    tc.value = params.get("tc") || "";
    if (ma.value && tc.value) lookup();
  } else {
    ma.focus();
  }
})();

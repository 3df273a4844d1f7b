"use strict";
/* "Khoá ký số của tôi": see, register (PKCS#12 file or PKCS#11 token) or remove one's key. */
(function () {
  const { el, clear, append, formatDate } = hoso;
  const $ = (id) => document.getElementById(id);

  function describe(key) {
    if (!key) return el("p", { attrs: { id: "no-key" }, text: "Bạn chưa đăng ký khoá ký số." });
    return el(
      "dl",
      { class: "sig-table", attrs: { id: "key-info" } },
      ...[
        ["Loại", key.kind_vi],
        ["Chủ thể chứng thư", key.subject],
        ["Chức vụ", key.title || "—"],
        ["Hiệu lực đến", formatDate(key.not_after) + (key.expired ? " (ĐÃ HẾT HẠN)" : "")],
        ...(key.token_label ? [["Token / khoá", `${key.token_label} / ${key.key_label}`]] : []),
      ].flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]),
    );
  }

  function picture(image, id, alt, removeUrl, none) {
    if (!image) return [el("p", { class: "muted", attrs: { id: `${id}-none` }, text: none })];
    const img = el("img", {
      class: "stamp-picture",
      attrs: { id, src: `${image.url}?t=${encodeURIComponent(image.created)}`, alt },
    });
    const parts = [img];
    if (removeUrl) {
      const remove = el("button", { type: "button", class: "small", text: "Xoá ảnh này" });
      remove.addEventListener("click", async () => {
        await hoso.api(removeUrl, { method: "DELETE" });
        load();
      });
      parts.push(remove);
    }
    return parts;
  }

  async function load() {
    const box = clear($("current-key"));
    try {
      const body = await hoso.api("/api/me/signing-key");
      clear($("signature-current")).append(
        ...picture(body.signature_image, "signature-preview", "Ảnh chữ ký của tôi", "/api/me/signature-image", "Chưa có ảnh chữ ký: dấu chữ ký chỉ có chữ."),
      );
      clear($("seal-current")).append(
        ...picture(body.seal, "seal-preview", "Con dấu của cơ quan", $("seal-form") ? "/api/signing/seal" : null, "Chưa có ảnh con dấu."),
      );
      box.append(describe(body.key));
      if (body.key) {
        const remove = el("button", { type: "button", class: "small", text: "Xoá khoá này" });
        remove.addEventListener("click", async () => {
          await hoso.api("/api/me/signing-key", { method: "DELETE" });
          load();
        });
        box.append(remove);
      }
    } catch (e) {
      box.append(hoso.message("error", e.message));
    }
    const all = $("all-keys");
    if (all) {
      try {
        const body = await hoso.api("/api/signing-keys");
        const rows = body.users.map((u) =>
          el("tr", {}, el("td", { text: u.name }), el("td", { text: u.role }),
            el("td", { text: u.key ? `${u.key.kind_vi}: ${u.key.subject}` : "Chưa có" }),
            el("td", { text: u.key ? formatDate(u.key.not_after) : "" })),
        );
        clear(all).append(el("table", {}, el("thead", {}, el("tr", {}, ...["Người dùng", "Vai trò", "Khoá", "Hiệu lực đến"].map((t) => el("th", { attrs: { scope: "col" }, text: t })))), el("tbody", {}, ...rows)));
      } catch (e) {
        clear(all).append(hoso.message("error", e.message));
      }
    }
  }

  async function send(url, options, box) {
    clear(box).append(hoso.message("info", "Đang kiểm tra khoá…"));
    try {
      const body = await hoso.api(url, { method: "POST", ...options });
      clear(box).append(hoso.message("success", `Đã đăng ký khoá của ${body.key.subject}.`));
      load();
      return true;
    } catch (e) {
      clear(box).append(hoso.message("error", e.message));
      return false;
    }
  }

  $("p12-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData();
    form.append("file", $("p12-file").files[0]);
    form.append("password", $("p12-password").value);
    form.append("title", $("p12-title").value);
    const signature = $("p12-signature").files[0];
    if (signature) form.append("signature_image", signature);
    if (await send("/api/me/signing-key/p12", { body: form }, $("p12-message"))) $("p12-form").reset();
    $("p12-password").value = "";
  });

  $("token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = JSON.stringify({
      module_path: $("token-module").value,
      token_label: $("token-label").value,
      key_label: $("token-key").value,
      pin: $("token-pin").value,
      title: $("token-title").value,
    });
    await send("/api/me/signing-key/pkcs11", { headers: { "Content-Type": "application/json", Accept: "application/json" }, body }, $("token-message"));
    $("token-pin").value = "";
  });

  async function sendPicture(url, input, box, done) {
    const form = new FormData();
    form.append("file", input.files[0]);
    clear(box).append(hoso.message("info", "Đang kiểm tra ảnh…"));
    try {
      await hoso.api(url, { method: "POST", body: form });
      clear(box).append(hoso.message("success", done));
      input.value = "";
      load();
    } catch (e) {
      clear(box).append(hoso.message("error", e.message));
    }
  }

  $("signature-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendPicture("/api/me/signature-image", $("signature-file"), $("signature-message"), "Đã lưu ảnh chữ ký.");
  });
  if ($("seal-form")) {
    $("seal-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sendPicture("/api/signing/seal", $("seal-file"), $("seal-message"), "Đã lưu ảnh con dấu của cơ quan.");
    });
  }

  load();
})();

/* Upload page: choose files (picker or drag-and-drop), upload with progress, then follow
 * the batch live. */
"use strict";

(() => {
  const { el, clear, append, message, formatBytes } = hoso;
  const recent = document.getElementById("recent");
  hoso.recentBatches(recent);

  const form = document.getElementById("upload-form");
  if (!form) return; // no upload rights

  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const list = document.getElementById("file-list");
  const summary = document.getElementById("chosen-summary");
  const button = document.getElementById("upload-button");
  const clearButton = document.getElementById("clear-button");
  const language = document.getElementById("language");
  const progressBox = document.getElementById("upload-progress");
  const messageBox = document.getElementById("upload-message");
  const result = document.getElementById("result");
  const resultLink = document.getElementById("result-link");
  const batchBox = document.getElementById("batch-progress");

  const KNOWN = /\.(pdf|tiff?|jpe?g|png)$/i;
  let chosen = [];
  let uploading = false;
  let follower = null;

  const keyOf = (f) => `${f.name}\u0000${f.size}\u0000${f.lastModified}`;

  function add(files) {
    const seen = new Set(chosen.map(keyOf));
    for (const f of files) {
      if (!seen.has(keyOf(f))) {
        chosen.push(f);
        seen.add(keyOf(f));
      }
    }
    render();
  }

  function render() {
    clear(list);
    chosen.forEach((f, i) => {
      const remove = el("button", {
        type: "button",
        class: "link",
        text: "Bỏ",
        attrs: { "aria-label": `Bỏ tệp ${f.name}` },
        on: {
          click: () => {
            chosen.splice(i, 1);
            render();
          },
        },
      });
      const item = el(
        "li",
        {},
        el("span", { class: "name", text: f.name }),
        el("span", { class: "size", text: formatBytes(f.size) }),
      );
      if (!KNOWN.test(f.name)) {
        item.append(el("span", { class: "badge failed", text: "Có thể bị từ chối" }));
      }
      item.append(remove);
      list.append(item);
    });
    const total = chosen.reduce((n, f) => n + f.size, 0);
    summary.textContent = chosen.length
      ? `Đã chọn ${chosen.length} tệp (${formatBytes(total)}).`
      : "Chưa chọn tệp nào.";
    button.disabled = uploading || chosen.length === 0;
    button.textContent = chosen.length ? `Tải lên ${chosen.length} tệp` : "Tải lên";
    clearButton.hidden = uploading || chosen.length === 0;
  }

  input.addEventListener("change", () => {
    add(Array.from(input.files || []));
    input.value = ""; // the same file may be chosen again later
  });
  clearButton.addEventListener("click", () => {
    chosen = [];
    render();
  });

  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
  }
  for (const name of ["dragleave", "dragend"]) {
    zone.addEventListener(name, (e) => {
      if (!zone.contains(e.relatedTarget)) zone.classList.remove("over");
    });
  }
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files) add(Array.from(e.dataTransfer.files));
  });
  // A file dropped outside the zone must not make the browser leave the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (uploading) return;
    if (!chosen.length) {
      clear(messageBox).append(message("error", "Hãy chọn ít nhất một tệp để tải lên."));
      return;
    }
    upload();
  });

  function upload() {
    const files = chosen.slice();
    const data = new FormData();
    for (const f of files) data.append("files", f, f.name);
    data.append("language", language.value);

    uploading = true;
    render();
    clear(messageBox);
    const bar = hoso.meter("Tiến độ tải lên");
    clear(progressBox).append(bar.root);
    progressBox.hidden = false;
    const total = files.reduce((n, f) => n + f.size, 0);
    bar.update(0, total, "Đang tải lên…", `0 / ${formatBytes(total)}`);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/batches");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (ev) => {
      if (!ev.lengthComputable) return;
      const pct = Math.round((ev.loaded / ev.total) * 100);
      bar.update(ev.loaded, ev.total, "Đang tải lên…", `${formatBytes(ev.loaded)} / ${formatBytes(ev.total)} (${pct}%)`);
    });
    xhr.upload.addEventListener("load", () => {
      bar.update(1, 1, "Đã gửi xong, máy chủ đang nhận tệp…", "100%");
    });
    xhr.addEventListener("load", () => {
      uploading = false;
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (_) {
        /* not JSON */
      }
      progressBox.hidden = true;
      if (xhr.status === 401) {
        location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
        return;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && body.id) {
        chosen = [];
        render();
        done(body);
      } else {
        const text = (body && body.error) || `Máy chủ báo lỗi ${xhr.status}`;
        clear(messageBox).append(message("error", `Không tải lên được: ${text}`));
        render();
      }
    });
    xhr.addEventListener("error", () => {
      uploading = false;
      progressBox.hidden = true;
      clear(messageBox).append(
        message("error", "Mất kết nối với máy chủ khi tải lên. Kiểm tra mạng rồi bấm Tải lên lần nữa."),
      );
      render();
    });
    xhr.send(data);
  }

  function done(body) {
    const accepted = body.accepted || [];
    const refused = body.errors || [];
    const parts = [
      message(
        "success",
        `Đã nhận ${accepted.length} tệp vào lô quét số ${body.id}.` +
          (refused.length ? ` ${refused.length} tệp bị từ chối.` : ""),
      ),
    ];
    const duplicates = body.duplicates || [];
    if (duplicates.length) {
      const ul = el("ul", { class: "duplicates" });
      for (const d of duplicates) {
        const link = d.document_id
          ? el("a", { href: `/documents/${d.document_id}`, text: ` (mở tài liệu ${d.document_id})` })
          : "";
        ul.append(el("li", {}, [hoso.fileMessage(d.source, d.message), link]));
      }
      parts.push(message("info", [el("strong", { text: "Tệp trùng, không xử lý lại:" }), ul], { id: "duplicates" }));
    }
    if (refused.length) {
      const ul = el("ul", { class: "refused" });
      for (const r of refused) {
        ul.append(el("li", {}, hoso.fileMessage(r.source, r.message)));
      }
      parts.push(message("error", [el("strong", { text: "Tệp bị từ chối:" }), ul], { id: "refused" }));
    }
    clear(messageBox);
    append(messageBox, parts);

    result.hidden = false;
    clear(resultLink).append(
      el("a", { href: `/batches/${body.id}`, class: "button", text: `Mở trang lô quét số ${body.id}` }),
    );
    if (follower) follower.stop();
    follower = hoso.batchProgress(batchBox, body.id, {
      refused: false, // already listed above
      onDone: () => hoso.recentBatches(recent),
    });
    hoso.recentBatches(recent);
  }

  render();
})();

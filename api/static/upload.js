/* Upload page: choose files (picker or drag-and-drop), upload with progress, then follow
 * the batch live. A selection with a file above 8 MB goes through resumable uploads (tus:
 * 4 MB slices, each retried with backoff after asking the server how far it got), so a
 * dropped 3G connection costs a retry, not the whole upload; small selections go in one
 * multipart request as before. */
"use strict";

(() => {
  const { el, clear, append, message, formatBytes, ApiError } = hoso;
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
    if (files.some((f) => f.size > LARGE)) {
      uploadResumable(files);
      return;
    }
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

  // -- resumable uploads (tus 1.0.0) for large files ----------------------------------

  const LARGE = 8 * 1024 * 1024; // above this a file goes through tus
  const SLICE = 4 * 1024 * 1024; // bytes per PATCH
  const MAX_TRIES = 10; // failures in a row before giving up (the upload is kept)
  const STALL_MS = 60 * 1000; // no progress for this long: the request is dropped and retried
  const TUS = { "Tus-Resumable": "1.0.0" };

  class Retry extends Error {} // network error, 5xx, busy, offset moved
  class Gone extends Error {} // the server no longer has the upload: start it again
  class Refused extends Error {} // the server will not take this file (too large…)

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const storeKey = (f) => `hoso-tus:${f.name}:${f.size}:${f.lastModified}`;

  // Upload URLs kept across page reloads: choosing the same file again resumes it.
  function remembered(f) {
    try {
      const saved = JSON.parse(localStorage.getItem(storeKey(f)) || "null");
      return saved && Date.now() - saved.saved < 24 * 3600 * 1000 ? saved.url : null;
    } catch (_) {
      return null;
    }
  }
  function remember(f, url) {
    try {
      localStorage.setItem(storeKey(f), JSON.stringify({ url, saved: Date.now() }));
    } catch (_) {
      /* private mode: resuming within this page still works */
    }
  }
  function forget(f) {
    try {
      localStorage.removeItem(storeKey(f));
    } catch (_) {
      /* nothing kept */
    }
  }

  async function errorText(response) {
    try {
      const body = await response.json();
      if (body && body.error) return String(body.error);
    } catch (_) {
      /* not JSON */
    }
    return `Máy chủ báo lỗi ${response.status}`;
  }

  /** fetch for tus requests: transient failures become Retry, 401 goes to the login. */
  async function tusFetch(url, options, timeoutMs = STALL_MS) {
    let response;
    const timeout =
      timeoutMs && typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(timeoutMs) : undefined;
    try {
      response = await fetch(url, {
        credentials: "same-origin",
        signal: timeout,
        ...options,
        headers: { Accept: "application/json", ...options.headers },
      });
    } catch (_) {
      throw new Retry("mất kết nối");
    }
    const s = response.status;
    if (s >= 500 || s === 408 || s === 423 || s === 429) throw new Retry(`máy chủ báo lỗi ${s}`);
    if (s === 401) {
      location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      throw new ApiError("Cần đăng nhập lại", 401);
    }
    return response;
  }

  /** Calls step() until it succeeds; after a Retry waits (backoff) and says so. */
  async function retrying(what, step, status) {
    for (let failures = 1; ; failures++) {
      try {
        const result = await step();
        status.textContent = "";
        return result;
      } catch (e) {
        if (!(e instanceof Retry)) throw e;
        if (failures >= MAX_TRIES) {
          throw new Error(
            `Không gửi được ${what} sau ${failures} lần thử (${e.message}). Kiểm tra mạng rồi bấm ` +
              "Tải lên lần nữa: phần đã gửi được giữ lại, tệp sẽ được gửi tiếp từ chỗ đã dừng.",
          );
        }
        status.textContent = `Mất kết nối, đang thử lại… (${what}, lần ${failures}/${MAX_TRIES})`;
        await sleep(Math.min(30000, 500 * 2 ** (failures - 1)) * (0.5 + Math.random() / 2));
      }
    }
  }

  function metadata(f) {
    const b64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
    return `filename ${b64(f.name)},language ${b64(language.value)}`;
  }

  async function create(f) {
    const response = await tusFetch("/api/uploads/", {
      method: "POST",
      headers: { ...TUS, "Upload-Length": String(f.size), "Upload-Metadata": metadata(f) },
    });
    if (response.status === 201 && response.headers.get("Location")) return response.headers.get("Location");
    throw new Refused(await errorText(response));
  }

  async function head(url, size) {
    const response = await tusFetch(url, { method: "HEAD", headers: TUS, cache: "no-store" });
    if ([403, 404, 410].includes(response.status)) throw new Gone();
    if (!response.ok) throw new Error(`Máy chủ báo lỗi ${response.status}`);
    if (Number(response.headers.get("Upload-Length")) !== size) throw new Gone();
    return Number(response.headers.get("Upload-Offset"));
  }

  /** One slice. XMLHttpRequest, not fetch: only it reports upload progress within the
   * slice (4 MB takes minutes on weak 3G); a stalled request is aborted and retried. */
  function patch(url, offset, blob, onSent) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("PATCH", url);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      let last = Date.now();
      const watchdog = setInterval(() => {
        if (Date.now() - last > STALL_MS) xhr.abort();
      }, 2000);
      const finish = (action) => {
        clearInterval(watchdog);
        action();
      };
      xhr.upload.addEventListener("progress", (ev) => {
        last = Date.now();
        onSent(ev.loaded);
      });
      xhr.addEventListener("error", () => finish(() => reject(new Retry("mất kết nối"))));
      xhr.addEventListener("abort", () => finish(() => reject(new Retry("mạng quá chậm"))));
      xhr.addEventListener("load", () =>
        finish(() => {
          const s = xhr.status;
          if (s === 204) resolve(Number(xhr.getResponseHeader("Upload-Offset")));
          else if (s === 409) reject(new Retry("vị trí tải lên đã thay đổi"));
          else if (s >= 500 || s === 408 || s === 423 || s === 429) reject(new Retry(`máy chủ báo lỗi ${s}`));
          else if (s === 403 || s === 404 || s === 410) reject(new Gone());
          else if (s === 401) {
            location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
            reject(new ApiError("Cần đăng nhập lại", 401));
          } else {
            let text = `Máy chủ báo lỗi ${s}`;
            try {
              text = JSON.parse(xhr.responseText).error || text;
            } catch (_) {
              /* not JSON */
            }
            reject(new Error(text));
          }
        }),
      );
      xhr.send(blob);
    });
  }

  /** Sends one file; resolves with its upload URL once every byte is on the server. */
  async function sendFile(f, onProgress, status) {
    for (let round = 0; round < 3; round++) {
      let url = remembered(f);
      let offset = null; // unknown: ask the server
      if (!url) {
        url = await retrying(f.name, () => create(f), status);
        remember(f, url);
        offset = 0;
      }
      try {
        for (let failures = 0; ; ) {
          try {
            if (offset === null) offset = await head(url, f.size);
            onProgress(offset);
            if (offset >= f.size) return url;
            const from = offset;
            offset = await patch(url, from, f.slice(from, from + SLICE), (n) => onProgress(from + n));
            failures = 0;
            status.textContent = "";
          } catch (e) {
            if (!(e instanceof Retry)) throw e;
            offset = null;
            failures += 1;
            if (failures >= MAX_TRIES) {
              throw new Error(
                `Không gửi được tệp ${f.name} sau ${failures} lần thử (${e.message}). Kiểm tra mạng ` +
                  "rồi bấm Tải lên lần nữa: tệp sẽ được gửi tiếp từ chỗ đã dừng.",
              );
            }
            status.textContent = `Mất kết nối, đang thử lại… (${f.name}, lần ${failures}/${MAX_TRIES})`;
            await sleep(Math.min(30000, 500 * 2 ** (failures - 1)) * (0.5 + Math.random() / 2));
          }
        }
      } catch (e) {
        if (!(e instanceof Gone)) throw e;
        forget(f); // expired or finished elsewhere: send it again
      }
    }
    throw new Error(`Không gửi được tệp ${f.name}: máy chủ liên tục mất phần đã tải lên.`);
  }

  async function uploadResumable(files) {
    uploading = true;
    render();
    clear(messageBox);
    clear(progressBox);
    const status = el("p", { class: "muted", attrs: { role: "status", "aria-live": "polite" } });
    progressBox.append(status);
    const meters = files.map((f) => {
      const m = hoso.meter(`Tiến độ tải lên tệp ${f.name}`);
      m.update(0, f.size, f.name, `0 / ${formatBytes(f.size)}`);
      progressBox.append(m.root);
      return m;
    });
    progressBox.hidden = false;
    const sent = [];
    const refused = [];
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const m = meters[i];
        const show = (n) =>
          m.update(n, f.size, f.name, `${formatBytes(n)} / ${formatBytes(f.size)} (${Math.floor((n / (f.size || 1)) * 100)}%)`);
        try {
          const url = await sendFile(f, show, status);
          sent.push({ id: url.split("/").pop(), file: f });
          m.update(f.size, f.size, f.name, "Đã gửi xong", true);
        } catch (e) {
          if (!(e instanceof Refused)) throw e;
          refused.push({ source: f.name, message: e.message });
          m.update(0, 0, f.name, "Bị từ chối", true);
        }
      }
      if (!sent.length) {
        throw new Error(`Không tệp nào được nhận: ${refused.map((r) => `${r.source}: ${hoso.withoutName(r.source, r.message)}`).join("; ")}`);
      }
      status.textContent = "Đã gửi xong, máy chủ đang nhận tệp…";
      const body = await retrying(
        "yêu cầu tạo lô",
        async () => {
          const response = await tusFetch("/api/batches/from-uploads", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ uploads: sent.map((s) => s.id), language: language.value }),
          }, 0); // storing big files may take a while: no stall timeout here
          if (!response.ok) throw new Error(await errorText(response));
          return response.json();
        },
        status,
      );
      for (const s of sent) forget(s.file);
      body.errors = refused.concat(body.errors || []);
      uploading = false;
      progressBox.hidden = true;
      chosen = [];
      render();
      done(body);
    } catch (e) {
      uploading = false;
      if (e instanceof ApiError && e.status === 401) return;
      progressBox.hidden = true;
      clear(messageBox).append(message("error", `Không tải lên được: ${e.message}`));
      render();
    }
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

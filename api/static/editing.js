/* editing.js — a clerk's corrections to how a batch was cut into documents (split, merge,
 * reorder, turn, move or take out pages). Shared by the batch page and the document page.
 *
 * Every edit sends the documents back to "pending"; the worker re-assembles them within
 * seconds. The pages then poll until the documents are done again.
 */
"use strict";

const hosoEdit = (() => {
  const { el, clear, message, api } = hoso;

  /** Clerks and admins may edit; the role comes from data-role on the page's root. */
  function canEdit(node) {
    const role = (node && node.dataset.role) || hoso.role();
    return role === "clerk" || role === "admin";
  }

  function send(method, url, body) {
    const options = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return api(url, options);
  }

  const call = {
    split: (doc, afterPage) => send("POST", `/api/documents/${doc}/split`, { after_page: afterPage }),
    merge: (doc, other) => send("POST", `/api/documents/${doc}/merge`, { other_document_id: other }),
    reorder: (doc, order) => send("POST", `/api/documents/${doc}/reorder`, { order }),
    rotate: (doc, n, degrees) => send("POST", `/api/documents/${doc}/pages/${n}/rotate`, { degrees }),
    move: (doc, n, target, position) =>
      send("POST", `/api/documents/${doc}/pages/${n}/move`, {
        target_document_id: target,
        position: position || null,
      }),
    remove: (doc, n) => send("DELETE", `/api/documents/${doc}/pages/${n}`),
  };

  /** An image URL that changes when the page's content may have changed (same URL, new
   * image after a turn or a renumbering: the browser would otherwise show the old one). */
  function versioned(url, version) {
    if (!url) return url;
    return `${url}${url.includes("?") ? "&" : "?"}v=${version}`;
  }

  function docName(d) {
    return `${d.source || "Tài liệu"} (tài liệu số ${d.id})`;
  }

  function pageCount(d) {
    if (d.page_list) return d.page_list.length;
    return d.pages === null || d.pages === undefined ? 0 : d.pages;
  }

  /**
   * Runs one edit at a time, reporting into statusBox.
   * run(what, request, follow): `what` completes "Không … được" ("xoay trang 2");
   * `request()` sends the edit (API promise); `follow(answer)` waits until the documents
   * are done again and may return a note (text or node) to add, or false when it could
   * not tell (it then says so itself). Until then the runner is busy: no other edit starts.
   * hooks.onStart / hooks.onEnd are called when the runner turns busy / idle.
   */
  function runner(statusBox, hooks = {}) {
    let busy = false;
    const say = (kind, content, attrs) => clear(statusBox).append(message(kind, content, attrs));
    const run = async (what, request, follow) => {
      if (busy) return false;
      busy = true;
      if (hooks.onStart) hooks.onStart(what);
      say("info", `Đang gửi yêu cầu ${what}…`);
      try {
        let answer;
        try {
          answer = await request();
        } catch (e) {
          say("error", `Không ${what} được: ${e.message}`);
          return false;
        }
        say(
          "info",
          [el("span", { class: "spinner", attrs: { "aria-hidden": "true" } }), `Đã ${what}; đang xử lý lại…`],
          { "data-state": "processing" },
        );
        let note;
        try {
          note = follow ? await follow(answer) : undefined;
        } catch (e) {
          say("error", `Đã ${what} nhưng không theo dõi được việc xử lý lại: ${e.message}. Hãy tải lại trang.`);
          return false;
        }
        if (note === false) return false;
        say("success", [`Đã ${what} — đã xử lý lại xong.`, note ? " " : "", note || ""], { "data-state": "done" });
        return true;
      } finally {
        busy = false;
        if (hooks.onEnd) hooks.onEnd();
      }
    };
    run.isBusy = () => busy;
    return run;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function button(text, onClick, props = {}) {
    return el("button", { type: "button", class: "secondary small", text, on: { click: onClick }, ...props });
  }

  /** Key of the focused control, to give focus back after the page is drawn again. */
  function focusKey(container) {
    const node = document.activeElement;
    return node && container.contains(node) && node.dataset ? node.dataset.key || null : null;
  }

  function restoreFocus(container, key, fallback) {
    if (!key) return;
    let node = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (node && node.disabled) {
      // e.g. "move earlier" on what is now the first page: its sibling still works
      node = [...node.parentElement.querySelectorAll("button")].find((b) => !b.disabled) || null;
    }
    if (!node && fallback) node = fallback;
    if (node) node.focus({ preventScroll: true });
  }

  /** <select> of 1..count+1 positions; the end is chosen. */
  function fillPositions(select, count) {
    clear(select);
    for (let i = 1; i <= count + 1; i += 1) {
      const label = i === count + 1 ? `cuối tài liệu (vị trí ${i})` : `vị trí ${i} (trước trang ${i} hiện nay)`;
      select.append(el("option", { value: String(i), text: label }));
    }
    select.value = String(count + 1);
  }

  function docOption(d) {
    return el("option", { value: String(d.id), text: `${docName(d)} — ${pageCount(d)} trang` });
  }

  let uid = 0;
  const TURN = { 90: "sang phải 90°", 270: "sang trái 90°", 180: "180°" };

  /**
   * Tools for one page: turn, take out, split after, move to another document.
   * opts: {doc: {id, source, count}, number, others: [{id, source, pages}], run, disabled,
   *        onClose, onDone(kind, answer) → promise that follows the re-processing}.
   */
  function pageActions(opts) {
    const { doc, number, run } = opts;
    const count = doc.count;
    const id = `pa${(uid += 1)}`;
    const disabled = !!opts.disabled;
    const follow = (kind) => (answer) => (opts.onDone ? opts.onDone(kind, answer) : undefined);
    const action = (name) => ({ "data-action": name, "data-key": `${doc.id}:${name}` });

    const turn = (degrees, label) =>
      button(
        label,
        () => run(`xoay trang ${number} ${TURN[degrees]}`, () => call.rotate(doc.id, number, degrees), follow("rotate")),
        { disabled, attrs: action(`rotate-${degrees}`) },
      );

    const last = number >= count;
    const splitButton = button(
      "Tách tài liệu sau trang này",
      () => run(`tách tài liệu sau trang ${number}`, () => call.split(doc.id, number), follow("split")),
      {
        disabled: disabled || last,
        title: last ? "Đây là trang cuối: không có gì để tách" : `Các trang sau trang ${number} thành một tài liệu mới`,
        attrs: action("split"),
      },
    );

    // Taking a page out asks first (it leaves the PDF and the search; kept on record).
    const confirmBox = el("div", {
      class: "confirm",
      hidden: true,
      attrs: { role: "group", "aria-label": "Xác nhận bỏ trang" },
    });
    const only = count <= 1;
    const removeButton = button(
      "Bỏ trang",
      () => {
        confirmBox.hidden = false;
        removeButton.hidden = true;
        confirmBox.querySelector("button").focus();
      },
      {
        class: "secondary small danger",
        disabled: disabled || only,
        title: only ? "Không bỏ được trang duy nhất của tài liệu" : "Bỏ trang quét nhầm (ảnh vẫn được lưu)",
        attrs: action("remove"),
      },
    );
    confirmBox.append(
      el("span", { text: `Bỏ trang ${number} khỏi tài liệu? Trang không còn trong PDF và trong tìm kiếm.` }),
      button(
        `Bỏ trang ${number}`,
        () => run(`bỏ trang ${number}`, () => call.remove(doc.id, number), follow("remove")),
        { class: "primary small danger", attrs: action("remove-confirm") },
      ),
      button("Thôi", () => {
        confirmBox.hidden = true;
        removeButton.hidden = false;
        removeButton.focus();
      }),
    );

    // "Chuyển sang tài liệu…": another document of the batch, at a chosen position.
    const targets = opts.others.filter((o) => o.id !== doc.id);
    let moveForm;
    if (targets.length) {
      const target = el("select", { id: `${id}-target` }, targets.map(docOption));
      const position = el("select", { id: `${id}-position` });
      const positions = () => {
        const o = targets.find((t) => String(t.id) === target.value);
        fillPositions(position, o ? pageCount(o) : 0);
      };
      target.addEventListener("change", positions);
      positions();
      const submit = (e) => {
        e.preventDefault();
        const to = Number(target.value);
        const at = Number(position.value);
        run(`chuyển trang ${number} sang tài liệu số ${to}`, () => call.move(doc.id, number, to, at), follow("move"));
      };
      moveForm = el(
        "form",
        { class: "edit-row move-form", on: { submit } },
        el("label", { attrs: { for: target.id }, text: "Chuyển sang tài liệu" }),
        target,
        el("label", { attrs: { for: position.id }, text: "vào" }),
        position,
        el("button", {
          type: "submit",
          class: "secondary small",
          text: "Chuyển trang",
          disabled,
          attrs: action("move"),
        }),
      );
    } else {
      moveForm = el("p", {
        class: "muted",
        text: "Chuyển trang: lô quét chỉ có tài liệu này (tách tài liệu trước để có nơi chuyển đến).",
      });
    }

    const title = el(
      "p",
      { class: "edit-title", id: `${id}-title` },
      el("strong", { text: `Sửa trang ${number}` }),
      ` / ${count} — ${docName(doc)}`,
    );
    if (opts.onClose) {
      title.append(" ", el("button", { type: "button", class: "link close", text: "Đóng", on: { click: opts.onClose } }));
    }
    const row = el(
      "div",
      { class: "edit-row" },
      turn(90, "Xoay phải 90°"),
      turn(270, "Xoay trái 90°"),
      turn(180, "Xoay 180°"),
      splitButton,
      removeButton,
    );
    const panel = el(
      "div",
      { class: "edit-panel", attrs: { role: "group", "aria-labelledby": title.id, "data-page": number } },
      title,
      row,
      confirmBox,
      moveForm,
    );
    if (disabled) panel.append(el("p", { class: "muted", text: "Đang xử lý; chờ xử lý xong rồi sửa tiếp." }));
    return panel;
  }

  /** "Ghép với tài liệu…": another document's pages appended to this one. */
  function mergeForm(opts) {
    const { doc, run } = opts;
    const id = `mf${(uid += 1)}`;
    const targets = opts.others.filter((o) => o.id !== doc.id);
    const title = el(
      "p",
      { class: "edit-title", id: `${id}-title` },
      el("strong", { text: "Ghép với tài liệu" }),
      ` — vào ${docName(doc)}`,
    );
    if (!targets.length) {
      return el(
        "div",
        { class: "edit-panel merge-form" },
        title,
        el("p", { class: "muted", text: "Lô quét không có tài liệu nào khác để ghép." }),
        opts.onClose ? el("div", {}, button("Thôi", opts.onClose)) : null,
      );
    }
    const select = el("select", { id: `${id}-other` }, targets.map(docOption));
    const submit = (e) => {
      e.preventDefault();
      const other = Number(select.value);
      run(
        `ghép tài liệu số ${other} vào tài liệu số ${doc.id}`,
        () => call.merge(doc.id, other),
        (answer) => (opts.onDone ? opts.onDone("merge", answer) : undefined),
      );
    };
    return el(
      "form",
      { class: "edit-panel merge-form", attrs: { "aria-labelledby": title.id }, on: { submit } },
      title,
      el("p", {
        class: "hint",
        text: "Các trang của tài liệu được chọn nối vào cuối tài liệu này; tài liệu kia không còn nữa.",
      }),
      el(
        "div",
        { class: "edit-row" },
        el("label", { attrs: { for: select.id }, text: "Tài liệu ghép vào" }),
        select,
        el("button", {
          type: "submit",
          class: "primary small",
          text: "Ghép",
          disabled: !!opts.disabled,
          attrs: { "data-key": `${doc.id}:merge` },
        }),
        opts.onClose ? button("Thôi", opts.onClose) : null,
      ),
    );
  }

  const SHEET = { cover: "Tờ bìa hồ sơ", separator: "Tờ phân cách" };

  function sheetLabel(kind) {
    return SHEET[kind] || String(kind || "");
  }

  return {
    canEdit,
    call,
    versioned,
    docName,
    pageCount,
    runner,
    sleep,
    button,
    focusKey,
    restoreFocus,
    pageActions,
    mergeForm,
    sheetLabel,
  };
})();

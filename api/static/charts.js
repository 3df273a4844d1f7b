/* hoso — two small charts drawn as inline SVG (no library): horizontal stacked bars and a
 * donut. Each chart is an <svg role="img"> with a text description, plus a legend; the
 * numbers are also in the table next to it. */
"use strict";

const hosoCharts = (() => {
  const { el } = hoso;
  const NS = "http://www.w3.org/2000/svg";
  let counter = 0;

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const num = (n) => Number(n || 0).toLocaleString("vi-VN");
  const pct = (part, whole) => (whole ? `${Math.round((part * 100) / whole)}%` : "0%");

  function legend(series, totals) {
    return el(
      "ul",
      { class: "legend" },
      series.map((s) =>
        el(
          "li",
          {},
          el("span", { class: "swatch", attrs: { style: `background:${s.color}`, "aria-hidden": "true" } }),
          totals ? `${s.label}: ${num(totals[s.key])}` : s.label,
        ),
      ),
    );
  }

  function frame(title, description, width, height) {
    const id = `chart-${++counter}`;
    return svg(
      "svg",
      {
        viewBox: `0 0 ${width} ${height}`,
        role: "img",
        "aria-labelledby": `${id}-t ${id}-d`,
        preserveAspectRatio: "xMinYMin meet",
      },
      svg("title", { id: `${id}-t` }, title),
      svg("desc", { id: `${id}-d` }, description),
    );
  }

  /**
   * rows: [{label, values: {key: n}}]; series: [{key, label, color}].
   * One horizontal bar per row, the series stacked, scaled to the largest row total.
   */
  function stackedBars(rows, series, { title, empty } = {}) {
    const W = 640;
    const labelW = 170;
    const barH = 26;
    const gap = 14;
    const top = 8;
    const right = 44;
    const totalOf = (r) => series.reduce((sum, s) => sum + (r.values[s.key] || 0), 0);
    // Whole-number ticks at a "nice" step (1, 2, 5, 10, 20, …), at most 5 intervals.
    const largest = Math.max(1, ...rows.map(totalOf));
    let step = 1;
    for (let k = 1; largest / step > 5; k *= 10) {
      step = [1, 2, 5].map((m) => m * k).find((s) => largest / s <= 5) || k * 10;
    }
    const max = Math.ceil(largest / step) * step;
    const H = top + rows.length * (barH + gap) + 22;
    const desc = rows
      .map((r) => `${r.label}: ${series.map((s) => `${s.label.toLowerCase()} ${num(r.values[s.key])}`).join(", ")}`)
      .join("; ");
    const root = frame(title, desc || empty || "", W, H);
    const plotW = W - labelW - right;
    for (let tick = 0; tick <= max; tick += step) {
      const x = labelW + (plotW * tick) / max;
      root.append(
        svg("line", { x1: x, x2: x, y1: top - 4, y2: H - 20, stroke: "#d5dbe3", "stroke-dasharray": tick ? "3 3" : null }),
        svg("text", { x, y: H - 6, "text-anchor": "middle", "font-size": 11, fill: "#5b6675" }, num(tick)),
      );
    }
    rows.forEach((r, i) => {
      const y = top + i * (barH + gap);
      const label = r.label.length > 24 ? `${r.label.slice(0, 23)}…` : r.label;
      root.append(
        svg("text", { x: labelW - 8, y: y + barH / 2 + 5, "text-anchor": "end", "font-size": 13 }, label, svg("title", {}, r.label)),
      );
      let x = labelW;
      for (const s of series) {
        const v = r.values[s.key] || 0;
        if (!v) continue;
        const w = (v / max) * plotW;
        root.append(
          svg(
            "rect",
            { x, y, width: Math.max(w, 1), height: barH, fill: s.color, "data-series": s.key },
            svg("title", {}, `${r.label} — ${s.label}: ${num(v)}`),
          ),
        );
        if (w >= 22) {
          root.append(
            svg(
              "text",
              { x: x + w / 2, y: y + barH / 2 + 5, "text-anchor": "middle", "font-size": 12, fill: "#fff", "font-weight": 700 },
              num(v),
            ),
          );
        }
        x += w;
      }
      root.append(svg("text", { x: x + 6, y: y + barH / 2 + 5, "font-size": 12, "font-weight": 700 }, num(totalOf(r))));
    });
    const figure = el("figure", { class: "bars" }, root, legend(series));
    if (empty && rows.every((r) => !totalOf(r))) figure.append(el("p", { class: "muted", text: empty }));
    return figure;
  }

  /** slices: [{key, label, color}], values: {key: n}. A ring with the total in the middle. */
  function donut(slices, values, { title, unit = "", empty } = {}) {
    const W = 240;
    const R = 80;
    const stroke = 34;
    const C = 2 * Math.PI * R;
    const total = slices.reduce((sum, s) => sum + (values[s.key] || 0), 0);
    const desc = total
      ? slices.map((s) => `${s.label}: ${num(values[s.key])} (${pct(values[s.key] || 0, total)})`).join("; ")
      : empty || "";
    const root = frame(title, desc, W, W);
    const cx = W / 2;
    root.append(svg("circle", { cx, cy: cx, r: R, fill: "none", stroke: "#e3e8ef", "stroke-width": stroke }));
    let offset = 0;
    for (const s of slices) {
      const v = values[s.key] || 0;
      if (!v) continue;
      const len = (v / total) * C;
      root.append(
        svg(
          "circle",
          {
            cx,
            cy: cx,
            r: R,
            fill: "none",
            stroke: s.color,
            "stroke-width": stroke,
            "stroke-dasharray": `${len} ${C - len}`,
            "stroke-dashoffset": -offset,
            transform: `rotate(-90 ${cx} ${cx})`,
            "data-series": s.key,
          },
          svg("title", {}, `${s.label}: ${num(v)} (${pct(v, total)})`),
        ),
      );
      offset += len;
    }
    root.append(
      svg("text", { x: cx, y: cx + 4, "text-anchor": "middle", "font-size": 30, "font-weight": 800 }, num(total)),
      svg("text", { x: cx, y: cx + 26, "text-anchor": "middle", "font-size": 13, fill: "#5b6675" }, unit),
    );
    const items = el(
      "ul",
      { class: "legend" },
      slices.map((s) =>
        el(
          "li",
          {},
          el("span", { class: "swatch", attrs: { style: `background:${s.color}`, "aria-hidden": "true" } }),
          `${s.label}: ${num(values[s.key])} (${pct(values[s.key] || 0, total)})`,
        ),
      ),
    );
    const figure = el("figure", { class: "donut" }, root, items);
    if (!total && empty) figure.append(el("p", { class: "muted", text: empty }));
    return figure;
  }

  return { stackedBars, donut };
})();

/* Batch page: live progress of one batch, retry for failed documents. */
"use strict";

(() => {
  const section = document.getElementById("batch");
  const id = Number(section.dataset.batch);
  const meta = document.getElementById("batch-meta");

  hoso.batchProgress(document.getElementById("batch-progress"), id, {
    onUpdate: (p) => {
      meta.textContent = `Tải lên lúc ${hoso.formatDate(p.created)} · ngôn ngữ nhận dạng: ${p.language}`;
    },
  });
})();

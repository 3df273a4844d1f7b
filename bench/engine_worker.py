"""One process of the "engine limit" contender: tesserocr with the model kept loaded.

``python -m bench.engine_worker OUT_DIR IMG...``: loads ``vie`` from Debian's tessdata
once, prints ``ready`` and waits for a line on stdin, then recognises each image
(``SetImageFile`` + ``GetUTF8Text``, nothing else), writes ``OUT_DIR/<name>.txt`` and
prints ``done <wall seconds> <CPU seconds>``. Started by ``bench.ocr_throughput`` with
OMP_THREAD_LIMIT=1.
Kept free of heavy imports so its start-up cost is that of tesserocr alone.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv and argv[0] in ("-h", "--help") else 1
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    import tesserocr

    out = Path(argv[0])
    images = [Path(a) for a in argv[1:]]
    with tesserocr.PyTessBaseAPI(path=TESSDATA, lang="vie") as api:
        print("ready", flush=True)
        sys.stdin.readline()
        start, cpu = time.perf_counter(), time.process_time()
        for image in images:
            api.SetImageFile(str(image))
            text = api.GetUTF8Text()
            (out / (image.stem + ".txt")).write_text(text, encoding="utf-8")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"done {wall:.3f} {cpu:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Benchmarks: OCR throughput against reference tools, accuracy, and memory under ``hoso serve``.

Run from the project root with the project's virtualenv, e.g.
``.venv/bin/python -m bench.ocr_throughput --pages 24 --repeats 3``. Each benchmark
writes only inside a temporary folder it removes, and prints a table plus one JSON line.
"""

"""Unstructured-material extraction: PDF extractors compared, DOCX readers compared, and the
batch's scaling from 1 to 2 worker processes. Reads ../shared/corpus (real Korean PDFs).

Usage: python benchmarks/bench_formats.py [--copies 150]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KOREAN_PDFS = ["bill_2125318_original.pdf", "bill_2125318_review_report.pdf"]


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def pdf_extractors(rounds: int) -> None:
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    from seoulrec.inputs.formats.documents import read_pdf

    files = [(CORPUS / "pdf" / name).read_bytes() for name in KOREAN_PDFS]
    pages = sum(len(pdfium.PdfDocument(d)) for d in files) * rounds

    def seoulrec_reader():
        for _ in range(rounds):
            for d in files:
                read_pdf(d)

    def pdfium_text_only():
        for _ in range(rounds):
            for d in files:
                pdf = pdfium.PdfDocument(d)
                for page in pdf:
                    page.get_textpage().get_text_range()

    def pypdf_text():
        for _ in range(rounds):
            for d in files:
                for page in PdfReader(io.BytesIO(d)).pages:
                    page.extract_text()

    results = {
        name: best_of(fn)
        for name, fn in (
            ("pypdfium2 text only", pdfium_text_only),
            ("seoulrec read_pdf (pypdfium2 + pypdf metadata)", seoulrec_reader),
            ("pypdf extract_text", pypdf_text),
        )
    }
    base = results["pypdf extract_text"]
    print(f"PDF text, {pages} Korean pages, one process:")
    for name, seconds in results.items():
        print(f"  {name:48s} {pages / seconds:8.0f} pages/s   {base / seconds:5.1f}x pypdf")
    sample = files[0]
    pdfium_text = pdfium.PdfDocument(sample)[0].get_textpage().get_text_range()
    pypdf_txt = PdfReader(io.BytesIO(sample)).pages[0].extract_text()
    phrase = "심의ㆍ의결하기 위하여"
    print(
        f"  '{phrase}' kept by pypdfium2: {phrase in pdfium_text}, by pypdf: {phrase in pypdf_txt}"
    )


def docx_readers(rounds: int) -> None:
    import docx

    from seoulrec.inputs.formats.documents import read_docx

    files = [p.read_bytes() for p in sorted((CORPUS / "docx").glob("*.docx"))]

    def ours():
        for _ in range(rounds):
            for d in files:
                read_docx(d)

    def python_docx():
        for _ in range(rounds):
            for d in files:
                document = docx.Document(io.BytesIO(d))
                [p.text for p in document.paragraphs]
                [c.text for t in document.tables for r in t.rows for c in r.cells]
                [
                    p.text
                    for s in document.sections
                    for p in s.header.paragraphs + s.footer.paragraphs
                ]
                _ = document.core_properties.title

    a, b = best_of(ours), best_of(python_docx)
    n = len(files) * rounds
    print(
        f"DOCX, {n} files: lxml direct {n / a:.0f} files/s, python-docx {n / b:.0f} files/s ({b / a:.1f}x in favour of lxml)"
    )


def batch_scaling(copies: int) -> None:
    from seoulrec.store.catalog import Catalog
    from seoulrec.inputs.ingest import IngestOptions, run_batch

    base = Path(tempfile.mkdtemp(prefix="seoulrec-bench-pdf-"))
    try:
        src = base / "pdfs"
        src.mkdir()
        pages = 0
        for i in range(copies):
            for name in KOREAN_PDFS:
                data = (
                    CORPUS / "pdf" / name
                ).read_bytes() + f"\n% copy {i}\n".encode()  # a distinct SHA-256
                (src / f"{i:04d}-{name}").write_bytes(data)
                pages += 10 if "original" in name else 14
        rates = {}
        for jobs in (1, 2):
            catalog = Catalog.create(base / f"c{jobs}.db")
            start = time.perf_counter()
            report = run_batch(catalog, [src], IngestOptions(jobs=jobs))
            seconds = time.perf_counter() - start
            assert report.added == copies * 2 and not report.failed
            rates[jobs] = pages / seconds
            print(
                f"batch of {copies * 2} Korean PDFs ({pages} pages), jobs={jobs}: {pages / seconds:.0f} pages/s ({copies * 2 / seconds:.0f} files/s)"
            )
            catalog.close()
        print(f"  speed-up with 2 workers: {rates[2] / rates[1]:.2f}x")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    pdf_extractors(args.rounds)
    docx_readers(args.rounds * 10)
    batch_scaling(args.copies)


if __name__ == "__main__":
    main()

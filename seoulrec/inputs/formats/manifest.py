"""Metadata manifests in the layout of Seoul's published approval list (DOMAIN 6)."""

from __future__ import annotations

import csv
import html
import io
import json

from seoulrec.errors import CorruptDocument
from seoulrec.model import LABEL_CLASSES, Extracted
from seoulrec.inputs.formats.pubdoc import department_of_number, normalize_date

#: Both real header variants: the published files and the list's own documentation.
ALIASES = {
    "package_id": "package_id",
    "doc_prdctn_dt": "doc_prdctn_dt",
    "tkcrd_nm": "tkcrd_nm",
    "trck_card_nm": "tkcrd_nm",
    "title": "title",
    "src_dept_doc_no": "src_dept_doc_no",
    "src_dept_doc_id": "src_dept_doc_no",
    "writer": "writer",
    "othbc_pd": "othbc_pd",
    "othnd_pd": "othbc_pd",
    "rspnber_dept_nm": "rspnber_dept_nm",
    "dept_nm": "rspnber_dept_nm",
    "othbc_se": "othbc_se",
    "othbs_se": "othbc_se",
    "cpyrht": "cpyrht",
    "url": "url",
}
REQUIRED = {"title"}


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp949"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CorruptDocument("manifest: neither UTF-8 nor CP949")


def _row_to_extracted(row: dict, line: int) -> Extracted:
    fields = {}
    for key, value in row.items():
        if key is None:
            continue
        canonical = ALIASES.get(key.strip().lower())
        if canonical:
            fields[canonical] = (
                html.unescape((value or "").strip()) if isinstance(value, str) else value
            )
    if not fields.get("title"):
        raise CorruptDocument(f"row {line}: no title")
    label = (fields.get("othbc_se") or "").strip()
    result = Extracted(
        format="manifest_row",
        title=" ".join(str(fields["title"]).split()),
        document_number=str(fields.get("src_dept_doc_no") or ""),
        department=str(fields.get("rspnber_dept_nm") or ""),
        enforcement_date=normalize_date(str(fields.get("doc_prdctn_dt") or "")),
        disclosure_class=LABEL_CLASSES.get(label),
    )
    if not result.department:
        result.department = department_of_number(result.document_number)
    result.metadata = {
        "package_id": str(fields.get("package_id") or ""),
        "unit_task": str(fields.get("tkcrd_nm") or ""),
        "writer": str(fields.get("writer") or ""),
        "retention_period": str(fields.get("othbc_pd") or ""),
        "licence": str(fields.get("cpyrht") or ""),
        "source_url": str(fields.get("url") or ""),
        "line": line,
    }
    if label and result.disclosure_class is None:
        result.warnings.append(f"row {line}: unknown disclosure class label {label!r}")
    return result


def read_manifest(data: bytes, name: str = "manifest") -> Extracted:
    """Read a CSV or JSON manifest: one ``Extracted`` per row in ``rows``; bad rows become warnings."""
    text = _decode(data)
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise CorruptDocument(
                f"{name}: invalid JSON ({exc.msg} at line {exc.lineno})"
            ) from None
        if isinstance(doc, dict):
            doc = next((v for v in doc.values() if isinstance(v, list)), [doc])
        rows = [(i, r) for i, r in enumerate(doc, start=1) if isinstance(r, dict)]
    else:
        reader = csv.DictReader(io.StringIO(text))
        if (
            not reader.fieldnames
            or not {ALIASES.get(f.strip().lower()) for f in reader.fieldnames} >= REQUIRED
        ):
            raise CorruptDocument(
                f"{name}: the CSV header has no title column: {reader.fieldnames}"
            )
        rows = [(reader.line_num, r) for r in reader]
    result = Extracted(format="manifest")
    for line, row in rows:
        try:
            result.rows.append(_row_to_extracted(row, line))
        except CorruptDocument as exc:
            result.warnings.append(f"{name}: {exc}")
    if not result.rows:
        raise CorruptDocument(f"{name}: the manifest holds no usable rows")
    return result

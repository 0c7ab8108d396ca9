"""The classification scheme (표준분류체계): load, validate, look up (DOMAIN 5).

A scheme is data: rows of ``code, name, parent[, description]`` from CSV, JSON or YAML. Codes
are unique, parents exist, and there are no cycles; errors name the line. Each imported scheme
becomes a new version in the catalog, and classifications keep the version they were made
under, so records' old classifications stay traceable.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from seoulrec.errors import ConfigError


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    parent: str | None = None
    description: str = ""
    line: int = 0


@dataclass
class Scheme:
    name: str
    categories: dict[str, Category] = field(default_factory=dict)
    source: str = ""
    sha256: str = ""

    def resolve(self, value: str) -> str | None:
        """A category code from a code or a name (the portal's lists use names)."""
        value = (value or "").strip()
        if value in self.categories:
            return value
        for category in self.categories.values():
            if category.name == value:
                return category.code
        return None

    def path(self, code: str) -> list[str]:
        names, seen = [], set()
        while code and code in self.categories and code not in seen:
            seen.add(code)
            names.append(self.categories[code].name)
            code = self.categories[code].parent or ""
        return list(reversed(names))

    def to_rows(self) -> list[dict]:
        return [
            {"code": c.code, "name": c.name, "parent": c.parent, "description": c.description}
            for c in self.categories.values()
        ]


def _decode(data: bytes, source: str) -> str:
    for enc in ("utf-8-sig", "cp949"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"{source}: not UTF-8 or CP949 text; save the scheme as UTF-8")


def _rows(text: str, source: str, fmt: str) -> list[tuple[int, dict]]:
    if fmt == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
        items = doc.get("categories", doc) if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise ConfigError(f"{source}: expected a list of categories")
        return [(i, row) for i, row in enumerate(items, start=1)]
    if fmt == "yaml":
        import yaml

        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(
                f"{source}: invalid YAML{f' at line {mark.line + 1}' if mark else ''}: {exc}"
            ) from None
        items = doc.get("categories", doc) if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise ConfigError(f"{source}: expected a list of categories")
        # YAML list items: report their position as "item N".
        return [(i, row) for i, row in enumerate(items, start=1)]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "code" not in reader.fieldnames or "name" not in reader.fieldnames:
        raise ConfigError(
            f"{source}: line 1: the header needs at least the columns code,name (got {reader.fieldnames})"
        )
    return [(reader.line_num, row) for row in reader]


def parse_scheme(data: bytes, source: str = "scheme", name: str | None = None) -> Scheme:
    """Parse and validate a scheme file; raises ConfigError naming the line of the first problem."""
    suffix = Path(source).suffix.lower()
    fmt = "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "csv"
    text = _decode(data, source)
    unit = "item" if fmt in ("json", "yaml") else "line"
    scheme = Scheme(
        name=name or Path(source).stem, source=source, sha256=hashlib.sha256(data).hexdigest()
    )
    for line, row in _rows(text, source, fmt):
        if not isinstance(row, dict):
            raise ConfigError(f"{source}: {unit} {line}: expected code and name fields")
        code = str(row.get("code") or "").strip()
        category_name = str(row.get("name") or "").strip()
        parent = str(row.get("parent") or "").strip() or None
        if not code or not category_name:
            raise ConfigError(f"{source}: {unit} {line}: code and name are required")
        if code in scheme.categories:
            raise ConfigError(
                f"{source}: {unit} {line}: duplicate code {code!r} (first at {unit} {scheme.categories[code].line})"
            )
        scheme.categories[code] = Category(
            code, category_name, parent, str(row.get("description") or "").strip(), line
        )
    if not scheme.categories:
        raise ConfigError(f"{source}: the scheme has no categories")
    for category in scheme.categories.values():
        if category.parent and category.parent not in scheme.categories:
            raise ConfigError(
                f"{source}: {unit} {category.line}: parent {category.parent!r} of {category.code!r} does not exist"
            )
    for category in scheme.categories.values():
        seen: list[str] = []
        code = category.code
        while code:
            if code in seen:
                cycle = " -> ".join(seen[seen.index(code) :] + [code])
                raise ConfigError(f"{source}: {unit} {category.line}: cycle in parents: {cycle}")
            seen.append(code)
            code = scheme.categories[code].parent or ""
    return scheme


def default_scheme() -> Scheme:
    data = resources.files("seoulrec.data").joinpath("scheme.csv").read_bytes()
    return parse_scheme(data, "scheme.csv", name="seoul-portal-default")

"""One contract test per plugin kind, run against every registered plugin."""

import pytest

from seoulrec.store.catalog import Catalog
from seoulrec.decide.classify import ClassifyContext, current_scheme
from seoulrec.errors import SeoulrecError
from seoulrec.publish.export import ExportContext
from seoulrec.plugins import (
    Classifier,
    ClassifierResult,
    DuplicatePlugin,
    Exporter,
    Registry,
    classifiers,
    exporters,
)

RECORDS = [
    {
        "id": 1,
        "record_key": "a",
        "title": "공공자전거 대여소 확충 계획",
        "department": "자전거정책과",
        "unit_task": "",
        "kind": "approval",
        "material_kind": None,
    },
    {
        "id": 2,
        "record_key": "b",
        "title": "",
        "department": "",
        "unit_task": "",
        "kind": "material",
        "material_kind": None,
    },
]


RECORDS = RECORDS + [
    {
        "id": 3,
        "record_key": "c",
        "title": "공공자전거 대여소 확충 계획",
        "department": "자전거정책과",
        "unit_task": "교통안전",
        "kind": "approval",
        "material_kind": None,
    },
]


def _context_for(name, catalog, scheme, version, tmp_path):
    """Each classifier with what it needs to decide something (maps, a trained model)."""
    (tmp_path / "units.csv").write_text("unit_task,category\n교통안전,TRA\n", "utf-8")
    (tmp_path / "depts.csv").write_text("department,category\n자전거정책과,TRA\n", "utf-8")
    settings = {"unit_task_map": "units.csv", "department_map": "depts.csv"}
    if name == "statistical":
        from seoulrec.decide.classify import train

        labels = tmp_path / "labels.csv"
        rows = (
            ["title,category"]
            + [f"공공자전거 대여소 {i}차 확충,교통" for i in range(8)]
            + [f"미세먼지 저감 {i}차 대책,환경" for i in range(8)]
        )
        labels.write_text("\n".join(rows) + "\n", "utf-8")
        train(catalog, {}, labels)
    return ClassifyContext(catalog, scheme, version, settings, tmp_path)


@pytest.mark.parametrize("name", sorted(classifiers.all()))
def test_classifier_contract(name, tmp_path):
    catalog = Catalog.create(tmp_path / "c.db")
    version, scheme = current_scheme(catalog)
    plugin = classifiers.get(name)(_context_for(name, catalog, scheme, version, tmp_path))
    assert isinstance(plugin, Classifier) and plugin.name == name and plugin.description
    results = plugin.classify(RECORDS)
    assert len(results) == len(RECORDS)
    for result in results:
        assert result is None or (
            isinstance(result, ClassifierResult)
            and result.category in scheme.categories
            and 0 <= result.confidence <= 1
            and isinstance(result.evidence, dict)
        )
    # A contract a plugin meets by always answering None is no contract: each decides the
    # record made for it, and files it where it belongs.
    assert results[2] is not None and results[2].category == "TRA", (name, results[2])
    assert plugin.classify([]) == []


def public_rows():
    base = {
        "record_key": "k",
        "document_number": "과-1",
        "title": "제목",
        "organ": "서울특별시",
        "department": "과",
        "enforcement_date": "2025-01-01",
        "unit_task": "",
        "writer": "",
        "retention_period": "",
        "licence": "",
        "kind": "approval",
        "material_kind": None,
        "approval_level": "division_head",
        "class_label": "공개",
        "grounds": [],
        "reason": "",
        "release_date": None,
        "text": "본문",
    }
    return [
        {
            **base,
            "id": "000000000000001",
            "original_public": True,
            "disclosure_class": "public",
            "published_since": "2026-01-01T00:00:00+00:00",
        },
        {
            **base,
            "id": "000000000000002",
            "original_public": False,
            "disclosure_class": "non_public",
            "class_label": "비공개",
            "grounds": [5],
            "published_since": None,
            "text": None,
        },
    ]


@pytest.mark.parametrize("name", sorted(exporters.all()))
def test_exporter_contract(name, tmp_path):
    cls = exporters.get(name)
    assert issubclass(cls, Exporter) and cls.name == name and cls.description
    plugin = cls()
    context = ExportContext(tmp_path, "https://example.org/sanction/", "", "full", {})
    counts = plugin.write(context, iter(public_rows()), tmp_path)
    assert isinstance(counts, dict) and "rows" in counts
    files = [p for p in tmp_path.iterdir() if p.is_file()]
    assert files, "an exporter writes at least one file into the folder it is given"
    for path in files:
        assert (
            "본문" not in path.read_text("utf-8") or name == "jsonl"
        )  # only jsonl carries published text
    assert isinstance(
        plugin.write_tombstones(
            context, [{"id": "000000000000003", "record_key": "x", "reason": "deleted"}], tmp_path
        ),
        dict,
    )


def test_duplicate_plugin_names_fail_loudly():
    class A(Exporter):
        name = "same"

    class B(Exporter):
        name = "same"

    registry = Registry("seoulrec.exporters", [])
    plugins = {}
    registry.register(plugins, A, "test")
    with pytest.raises(DuplicatePlugin, match="two seoulrec.exporters plugins are named 'same'"):
        registry.register(plugins, B, "test")
    with pytest.raises(SeoulrecError, match="unknown format 'nope'"):
        exporters.get("nope")

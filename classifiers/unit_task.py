"""Unit-task mapping: the record's 단위과제 (card name or code) → category. Authoritative."""

from __future__ import annotations

from seoulrec.classify import load_mapping
from seoulrec.plugins import Classifier, ClassifierResult


class UnitTaskClassifier(Classifier):
    name = "unit_task"
    authoritative = True
    description = "unit task (단위과제) → category, from [classify] unit_task_map (CSV: unit_task,category)"

    def __init__(self, context):
        super().__init__(context)
        path = context.path("unit_task_map")
        self.source = str(path) if path else None
        self.mapping = load_mapping(path, ("unit_task", "tkcrd_nm", "code"), context.scheme) if path else {}

    def classify(self, records):
        out = []
        for record in records:
            key = " ".join((record.get("unit_task") or "").split())
            hit = self.mapping.get(key) if key else None
            out.append(ClassifierResult(hit[0], 1.0, {"rule": "unit task mapping", "unit_task": key, "mapping": f"{self.source}:{hit[1]}"}) if hit else None)
        return out


PLUGINS = [UnitTaskClassifier]

"""Department defaults: the record's department (처리과) → a default category."""

from __future__ import annotations

from seoulrec.classify import load_mapping
from seoulrec.plugins import Classifier, ClassifierResult


class DepartmentClassifier(Classifier):
    name = "department"
    description = "department → default category, from [classify] department_map (CSV: department,category)"

    def __init__(self, context):
        super().__init__(context)
        path = context.path("department_map")
        self.source = str(path) if path else None
        self.confidence = float(context.settings.get("department_confidence", 0.65))
        self.mapping = load_mapping(path, ("department", "dept_nm", "rspnber_dept_nm"), context.scheme) if path else {}

    def classify(self, records):
        out = []
        for record in records:
            key = " ".join((record.get("department") or "").split())
            hit = self.mapping.get(key) if key else None
            out.append(ClassifierResult(hit[0], self.confidence, {"rule": "department default", "department": key, "mapping": f"{self.source}:{hit[1]}"}) if hit else None)
        return out


PLUGINS = [DepartmentClassifier]

"""Department defaults: the record's department (처리과) → a default category."""

from __future__ import annotations

from .mapping import MappingClassifier


class DepartmentClassifier(MappingClassifier):
    name = "department"
    description = (
        "department → default category, from [classify] department_map (CSV: department,category)"
    )
    field = "department"
    setting = "department_map"
    key_columns = ("department", "dept_nm", "rspnber_dept_nm")
    rule = "department default"

    def default_confidence(self, context) -> float:
        return float(context.settings.get("department_confidence", 0.65))


PLUGINS = [DepartmentClassifier]

"""Unit-task mapping: the record's 단위과제 (card name or code) → category. Authoritative."""

from __future__ import annotations

from .mapping import MappingClassifier


class UnitTaskClassifier(MappingClassifier):
    name = "unit_task"
    authoritative = True
    description = (
        "unit task (단위과제) → category, from [classify] unit_task_map (CSV: unit_task,category)"
    )
    field = "unit_task"
    setting = "unit_task_map"
    key_columns = ("unit_task", "tkcrd_nm", "code")
    rule = "unit task mapping"


PLUGINS = [UnitTaskClassifier]

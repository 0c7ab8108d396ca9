"""A classifier that looks a record field up in a CSV mapping table (the shared shape of the
unit-task and department classifiers)."""

from __future__ import annotations

from typing import ClassVar

from seoulrec.decide.classify import load_mapping
from seoulrec.plugins import Classifier, ClassifierResult


class MappingClassifier(Classifier):
    #: The record field to look up, the config key naming the CSV, its accepted key columns,
    #: and the words of the evidence.
    field: ClassVar[str] = ""
    setting: ClassVar[str] = ""
    key_columns: ClassVar[tuple[str, ...]] = ()
    rule: ClassVar[str] = ""

    def __init__(self, context):
        super().__init__(context)
        path = context.path(self.setting)
        self.source = str(path) if path else None
        self.mapping = load_mapping(path, self.key_columns, context.scheme) if path else {}
        self.confidence = self.default_confidence(context)

    def default_confidence(self, context) -> float:
        return 1.0

    def classify(self, records):
        out = []
        for record in records:
            key = " ".join((record.get(self.field) or "").split())
            hit = self.mapping.get(key) if key else None
            out.append(
                ClassifierResult(
                    hit[0],
                    self.confidence,
                    {"rule": self.rule, self.field: key, "mapping": f"{self.source}:{hit[1]}"},
                )
                if hit
                else None
            )
        return out

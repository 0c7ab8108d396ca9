"""The statistical classifier: the latest model trained with `seoulrec classify train`."""

from __future__ import annotations

from seoulrec.decide.classify import latest_model
from seoulrec.plugins import Classifier, ClassifierResult


class StatisticalClassifier(Classifier):
    name = "statistical"
    description = (
        "a model trained on labelled records (character n-grams + word stems, logistic regression)"
    )

    def __init__(self, context):
        super().__init__(context)
        self.version, self.model = latest_model(context.catalog)

    def classify(self, records):
        if self.model is None or not records:
            return [None] * len(records)
        predictions = self.model.predict(records)
        return [
            ClassifierResult(
                category,
                round(probability, 4),
                {"model_version": self.version, "top_features": top},
            )
            for category, probability, top in predictions
        ]


PLUGINS = [StatisticalClassifier]

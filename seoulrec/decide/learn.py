"""The statistical classifier: training, prediction with explanations, evaluation, baseline.

Features: TF-IDF of character n-grams within words (robust to Korean compounds and spacing)
plus kiwipiepy morphemes (nouns, verbs, foreign words) of the title and the department name,
into a class-balanced logistic regression (``morph``, the default, measured better on Seoul's
real list than ``char+stem``, which uses the built-in stemmer instead of kiwipiepy). Its decisions are explained by the features that pushed the winning class most.
The baseline a data scientist would write (TF-IDF character n-grams, a linear SVM) and a
variant on kiwipiepy morphemes are evaluated in the same run (``classify eval``).
"""

from __future__ import annotations

import io
import os
import pickle
from collections import Counter
from dataclasses import dataclass
from typing import Any

from seoulrec.errors import UsageError
from seoulrec.decide.korean import stems

MIN_PER_CLASS = 2
MIN_RECORDS = 10
MANY_CLASSES = 100  # the baseline's one-vs-rest problems split over two processes above this


def _title(record: dict) -> str:
    return record.get("title") or ""


def _words(record: dict) -> list[str]:
    tokens = [f"w:{s}" for s in stems(_title(record))]
    if record.get("department"):
        tokens.append(f"dept:{record['department']}")
    return tokens


_KIWI = None


def _morphemes(record: dict) -> list[str]:
    global _KIWI
    if _KIWI is None:
        try:
            from kiwipiepy import Kiwi
        except ImportError:
            raise UsageError(
                "the morpheme features need kiwipiepy: pip install 'seoulrec[korean]'"
            ) from None
        _KIWI = Kiwi()
    tokens = [f"m:{t.form}/{t.tag}" for t in _KIWI.tokenize(_title(record)) if t.tag[0] in "NVXS"]
    if record.get("department"):
        tokens.append(f"dept:{record['department']}")
    return tokens


def _identity(tokens):
    return tokens


def make_features(kind: str = "morph"):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import FunctionTransformer

    chars = (
        "chars",
        _pipe(
            FunctionTransformer(_titles),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
        ),
    )
    if kind == "char+stem":
        words = (
            "words",
            _pipe(
                FunctionTransformer(_word_lists),
                TfidfVectorizer(analyzer=_identity, sublinear_tf=True),
            ),
        )
    elif kind == "morph":
        words = (
            "words",
            _pipe(
                FunctionTransformer(_morph_lists),
                TfidfVectorizer(analyzer=_identity, sublinear_tf=True),
            ),
        )
    else:
        raise UsageError(f"unknown feature kind {kind!r}: char+stem or morph")
    return FeatureUnion([chars, words])


def _pipe(*steps):
    from sklearn.pipeline import make_pipeline

    return make_pipeline(*steps)


def _titles(records):
    return [_title(r) for r in records]


def _word_lists(records):
    return [_words(r) for r in records]


def _morph_lists(records):
    return [_morphemes(r) for r in records]


def check_labels(labelled: list[tuple[dict, str]]) -> tuple[list[tuple[dict, str]], list[str]]:
    """Drop classes with fewer than MIN_PER_CLASS examples (with a warning); refuse too little data."""
    counts = Counter(label for _, label in labelled)
    rare = sorted(c for c, n in counts.items() if n < MIN_PER_CLASS)
    kept = [(r, label) for r, label in labelled if label not in rare]
    warnings = [
        f"category {c} has only {counts[c]} labelled record(s) (need {MIN_PER_CLASS}); left out of training"
        for c in rare
    ]
    classes = {label for _, label in kept}
    if len(kept) < MIN_RECORDS or len(classes) < 2:
        raise UsageError(
            f"too few labelled records to train: {len(kept)} usable records in {len(classes)} categories "
            f"(need at least {MIN_RECORDS} records in 2 categories with {MIN_PER_CLASS} each). "
            "Label more records with `seoulrec classify set` or pass --labels FILE."
        )
    return kept, warnings


@dataclass
class Model:
    """A trained statistical classifier."""

    features: Any
    estimator: Any
    kind: str
    classes: list[str]
    #: The labelled records it was trained on (titles and departments), so the baseline can be
    #: trained on the same data when the model is evaluated on a held-out file, and so an
    #: evaluation never counts them as held out.
    training: list | None = None
    #: Probabilities calibrated by cross-validation (sigmoid), so the review threshold means what
    #: it says; None when there were too few examples per class to calibrate.
    calibrated: Any = None

    @classmethod
    def train(cls, labelled: list[tuple[dict, str]], kind: str = "morph") -> "Model":
        from sklearn.linear_model import LogisticRegression, SGDClassifier

        records = [r for r, _ in labelled]
        labels = [label for _, label in labelled]
        features = make_features(kind)
        matrix = features.fit_transform(records)
        if len(records) > 20000:
            # Large training sets: a linear model by SGD trains in seconds instead of minutes.
            estimator = SGDClassifier(
                loss="log_loss",
                alpha=1e-6,
                class_weight="balanced",
                max_iter=20,
                tol=1e-4,
                random_state=0,
            )
        else:
            estimator = LogisticRegression(C=20.0, class_weight="balanced", max_iter=2000)
        estimator.fit(matrix, labels)
        calibrated = None
        smallest = min(Counter(labels).values())
        if smallest >= 2 and len(records) <= 20000:
            from sklearn.base import clone
            from sklearn.calibration import CalibratedClassifierCV

            calibrated = CalibratedClassifierCV(
                clone(estimator), method="sigmoid", cv=min(3, smallest)
            ).fit(matrix, labels)
        training = [
            ({"title": r.get("title", ""), "department": r.get("department", "")}, label)
            for r, label in labelled
        ]
        return cls(features, estimator, kind, list(estimator.classes_), training, calibrated)

    def predict(
        self, records: list[dict], explain: int = 5
    ) -> list[tuple[str, float, list[tuple[str, float]]]]:
        """(category, probability, top features) per record."""
        import numpy as np

        matrix = self.features.transform(records)
        # The category is the model's own (trained on every row); the calibrated models
        # (trained on folds of them) only say how far to trust it. Taking their argmax instead
        # cost accuracy on the real list.
        scores = self.estimator.predict_proba(matrix)
        calibrated = getattr(self, "calibrated", None)
        probabilities = calibrated.predict_proba(matrix) if calibrated else scores
        names = self._feature_names()
        words = self._word_columns()
        out = []
        for i in range(len(records)):
            best = int(np.argmax(scores[i]))
            if not _has_any(matrix, i, words):
                # Not one word or morpheme the model has seen (another language, a blank or
                # junk title): whatever the prior says, the model knows nothing here.
                out.append((self.classes[best], 0.0, [("no known words", 0.0)]))
                continue
            row = matrix.getrow(i)
            coef = (
                self.estimator.coef_[best]
                if self.estimator.coef_.shape[0] > 1
                else self.estimator.coef_[0]
            )
            contributions = [(names[j], float(v * coef[j])) for j, v in zip(row.indices, row.data)]
            contributions.sort(key=lambda kv: -kv[1])
            top = [
                (name, round(weight, 3)) for name, weight in contributions[:explain] if weight > 0
            ]
            out.append((self.classes[best], float(probabilities[i][best]), top))
        return out

    def rank(self, records: list[dict], k: int = 5) -> list[list[str]]:
        """The ``k`` likeliest categories per record, best first (the first is ``predict``'s)."""
        import numpy as np

        scores = self.estimator.predict_proba(self.features.transform(records))
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return [[self.classes[j] for j in row] for row in order]

    def _word_columns(self) -> tuple[int, int]:
        """The column range of the word/morpheme features (after the character n-grams)."""
        chars = self.features.transformer_list[0][1].steps[-1][1]
        start = len(chars.get_feature_names_out())
        return start, len(self._feature_names())

    def _feature_names(self) -> list[str]:
        if not hasattr(self, "_names"):
            names: list[str] = []
            for label, pipe in self.features.transformer_list:
                vectorizer = pipe.steps[-1][1]
                prefix = "char" if label == "chars" else ""
                names.extend(
                    f"{prefix}:{n}" if prefix else n for n in vectorizer.get_feature_names_out()
                )
            self._names = names
        return self._names

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @staticmethod
    def loads(blob: bytes) -> "Model":
        # Only models that seoulrec itself stored in the catalog are ever loaded.
        return pickle.loads(blob)


def _has_any(matrix, row: int, columns: tuple[int, int]) -> bool:
    start, end = columns
    indices = matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]
    return bool(((indices >= start) & (indices < end)).any())


def calibration(truth: list[str], predicted: list[str], confidence: list[float]) -> dict:
    """How far confidences can be trusted: the top-label Brier score (0 is perfect) and a
    reliability table (per confidence bin: records, mean confidence, accuracy)."""
    correct = [1.0 if t == p else 0.0 for t, p in zip(truth, predicted)]
    brier = sum((c - ok) ** 2 for c, ok in zip(confidence, correct)) / max(len(correct), 1)
    bins = []
    for lo in (0.0, 0.2, 0.4, 0.6, 0.8):
        hi = lo + 0.2
        members = [i for i, c in enumerate(confidence) if lo <= c < hi or (hi >= 1.0 and c == 1.0)]
        if members:
            bins.append(
                {
                    "confidence": f"{lo:.1f}-{hi:.1f}",
                    "records": len(members),
                    "mean_confidence": round(sum(confidence[i] for i in members) / len(members), 3),
                    "accuracy": round(sum(correct[i] for i in members) / len(members), 3),
                }
            )
    return {"brier": round(brier, 4), "reliability": bins}


def expected_calibration_error(
    confidence: list[float], correct: list[bool], bins: int = 10
) -> float:
    """ECE: per confidence bin, |accuracy - mean confidence| weighted by the bin's share."""
    total = len(confidence)
    if not total:
        return 0.0
    error = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [
            i for i, c in enumerate(confidence) if lo <= c < hi or (b == bins - 1 and c == 1.0)
        ]
        if members:
            accuracy = sum(correct[i] for i in members) / len(members)
            mean = sum(confidence[i] for i in members) / len(members)
            error += len(members) / total * abs(accuracy - mean)
    return round(error, 4)


def figures(
    truth: list[str], ranked: list[list[str]], confidence: list[float], threshold: float
) -> dict:
    """accuracy, top5, macro_f1, ece and the share filed without review (and its accuracy)."""
    from sklearn.metrics import f1_score

    best = [r[0] if r else "" for r in ranked]
    correct = [t == b for t, b in zip(truth, best)]
    auto = [i for i, c in enumerate(confidence) if c >= threshold]
    return {
        "records": len(truth),
        "accuracy": round(sum(correct) / max(len(truth), 1), 4),
        "top5": round(sum(t in r[:5] for t, r in zip(truth, ranked)) / max(len(truth), 1), 4),
        "macro_f1": round(
            float(
                f1_score(truth, best, labels=sorted(set(truth)), average="macro", zero_division=0)
            ),
            4,
        ),
        "ece": expected_calibration_error(confidence, correct),
        "auto": {
            "threshold": threshold,
            "share": round(len(auto) / max(len(truth), 1), 4),
            "accuracy": round(sum(correct[i] for i in auto) / len(auto), 4) if auto else None,
        },
    }


def svm_ranked(
    train_texts: list[str], train_labels: list[str], test_texts: list[str], k: int = 5
) -> tuple[list[list[str]], list[float]]:
    """The baseline a data scientist would write first (TF-IDF character 1-3-grams, a linear
    SVM): the top ``k`` classes per test text, and a confidence, the softmax of the decision
    values (an SVM has no probabilities of its own)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    model = LinearSVC()
    if len(set(train_labels)) > MANY_CLASSES:
        # The same one-vs-rest problems liblinear solves one after another, two at a time
        # (the same figures; 56 -> 37 s on 7,966 rows of the real week's unit tasks).
        from sklearn.multiclass import OneVsRestClassifier

        model = OneVsRestClassifier(model, n_jobs=min(2, os.cpu_count() or 1))
    model.fit(vectorizer.fit_transform(train_texts), train_labels)
    decision = model.decision_function(vectorizer.transform(test_texts))
    if decision.ndim == 1:  # two classes
        decision = np.stack([-decision, decision], axis=1)
    p = softmax(decision)
    order = np.argsort(-decision, axis=1)[:, :k]
    ranked = [[str(model.classes_[j]) for j in row] for row in order]
    return ranked, [float(p[i, order[i, 0]]) for i in range(len(test_texts))]


def softmax(scores):
    """Row-wise softmax of a (rows x classes) array of scores."""
    import numpy as np

    z = np.exp(scores - scores.max(1, keepdims=True))
    z /= z.sum(1, keepdims=True)
    return z


def baseline_fit_predict(train: list[tuple[dict, str]], test: list[dict]) -> list[str]:
    """The baseline's best class per test record (title only, as it always was for fields)."""
    ranked, _ = svm_ranked([_title(r) for r, _ in train], [c for _, c in train], _titles(test), 1)
    return [r[0] for r in ranked]


def metrics(truth: list[str], predicted: list[str]) -> dict:
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    confusion = confusion_matrix(truth, predicted, labels=labels)
    return {
        "records": len(truth),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(
                f1_score(
                    truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0
                )
            ),
            4,
        ),
        "per_class": {
            label: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
        "confusion": {"labels": labels, "matrix": confusion.tolist()},
    }


def cross_validate(
    labelled: list[tuple[dict, str]], kind: str = "morph", folds: int = 5, seed: int = 0
) -> dict:
    """Stratified k-fold evaluation of the shipped model and the baseline on the same folds."""
    from sklearn.model_selection import StratifiedKFold

    labels = [label for _, label in labelled]
    smallest = min(Counter(labels).values())
    folds = max(2, min(folds, smallest))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    truth: list[str] = []
    ours: list[str] = []
    confidence: list[float] = []
    base: list[str] = []
    for train_index, test_index in splitter.split(labels, labels):
        train = [labelled[i] for i in train_index]
        test = [labelled[i][0] for i in test_index]
        model = Model.train(train, kind)
        for category, probability, _ in model.predict(test, explain=0):
            ours.append(category)
            confidence.append(probability)
        base.extend(baseline_fit_predict(train, test))
        truth.extend(labelled[i][1] for i in test_index)
    return {
        "folds": folds,
        "model": {**metrics(truth, ours), "calibration": calibration(truth, ours, confidence)},
        "baseline": metrics(truth, base),
    }

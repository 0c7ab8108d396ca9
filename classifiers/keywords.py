"""Keyword and pattern rules, Korean-aware: rule stems match word stems, not raw substrings."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

from seoulrec.errors import ConfigError
from seoulrec.decide.korean import stem_matches, stems
from seoulrec.plugins import Classifier, ClassifierResult


class KeywordClassifier(Classifier):
    name = "keywords"
    description = "keyword stems and regular-expression patterns per category, from [classify] keyword_rules (TOML)"

    def __init__(self, context):
        super().__init__(context)
        path = context.path("keyword_rules")
        if path:
            if not path.is_file():
                raise ConfigError(f"keyword rules {path} do not exist")
            source, text = str(path), path.read_text("utf-8")
        else:
            source, text = (
                "keyword_rules.toml (shipped)",
                resources.files("seoulrec.data").joinpath("keyword_rules.toml").read_text("utf-8"),
            )
        try:
            rules = tomllib.loads(text).get("rule", [])
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: invalid TOML ({exc})") from None
        self.rules = []
        skipped = []
        for index, rule in enumerate(rules, start=1):
            code = context.scheme.resolve(str(rule.get("category", "")))
            if code is None:
                skipped.append(f"{index} ({rule.get('category')!r})")
                continue
            patterns = []
            for pattern in rule.get("patterns", []):
                try:
                    patterns.append(re.compile(pattern))
                except re.error as exc:
                    raise ConfigError(
                        f"{source}: rule {index}: bad pattern {pattern!r} ({exc})"
                    ) from None
            self.rules.append(
                (
                    code,
                    [s.strip() for s in rule.get("stems", []) if s.strip()],
                    patterns,
                    float(rule.get("weight", 1.0)),
                )
            )
        self.source = source
        if skipped:
            context.warnings.append(
                f"{source}: {len(skipped)} rules skipped, their category is not in scheme {context.scheme.name} "
                f"(version {context.scheme_version}): rules {', '.join(skipped[:10])}. Give [classify] keyword_rules "
                "rules for this scheme, or `seoulrec scheme use VERSION` to go back to one that has them"
            )
        # stem -> [(category, weight)]: a word is looked up by its prefixes and suffixes, so the
        # cost per word does not grow with the number of rules.
        self.index: dict[str, list[tuple[str, float]]] = {}
        for code, rule_stems, _patterns, weight in self.rules:
            for rule_stem in rule_stems:
                self.index.setdefault(rule_stem, []).append((code, weight))

    def _stem_hits(self, words: list[str]) -> dict[str, set[str]]:
        hits: dict[str, set[str]] = {}
        for word in words:
            candidates = {word}
            if len(word) > 2:
                candidates.update(word[:i] for i in range(2, len(word)))
                candidates.update(word[i:] for i in range(1, len(word) - 1))
            for candidate in candidates:
                for code, _ in self.index.get(candidate, ()):
                    if stem_matches(candidate, word):
                        hits.setdefault(code, set()).add(candidate)
        return hits

    def classify(self, records):
        out = []
        for record in records:
            title = record.get("title") or ""
            hits = self._stem_hits(stems(title))
            scores: dict[str, float] = {}
            matched: dict[str, list[str]] = {}
            for code, rule_stems, patterns, weight in self.rules:
                for rule_stem in rule_stems:
                    if rule_stem in hits.get(code, ()):
                        scores[code] = scores.get(code, 0.0) + weight
                        matched.setdefault(code, []).append(rule_stem)
                for pattern in patterns:
                    if pattern.search(title):
                        scores[code] = scores.get(code, 0.0) + weight
                        matched.setdefault(code, []).append(f"/{pattern.pattern}/")
            if not scores:
                out.append(None)
                continue
            ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            best, score = ranked[0]
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            # More matches and a clear margin over the next category mean more confidence.
            confidence = min(0.95, 0.45 + 0.15 * score) * (
                1.0 if runner_up == 0 else score / (score + runner_up)
            )
            out.append(
                ClassifierResult(
                    best,
                    round(confidence, 4),
                    {
                        "rule": "keywords",
                        "matched": matched[best],
                        "rules": self.source,
                        "others": {c: s for c, s in ranked[1:4]},
                    },
                )
            )
        return out


PLUGINS = [KeywordClassifier]

"""The functional test suite: hand-written comments in categories, each with a gold label.

In the manner of functional tests for hate-speech models, every case tests one thing the
engine must get right for one guideline key: a direct threat, a threat written with
leetspeak, counter-speech that condemns a threat, a sentence that only names a group, a
swear word about a dog. The cases live in ``tests/guidelines/functional_cases.jsonl``, one
JSON object a line::

    {"key": "threat", "category": "negation", "lang": "en",
     "text": "I would never hurt anyone.", "gold": "clean"}

(``off_topic`` cases also carry the ``article`` they are posted under: ``title``,
``standfirst``, ``body``). Each case is judged with its language given, and:

* a **violating** case passes when the decision is not ``approve`` and the case's key
  scored at or above its review threshold (the engine must flag it for the right reason);
* a **clean** case passes when the decision is ``approve``; whether it was at least not
  rejected is counted too;
* a case whose key the engine did not score (``off_topic`` without a relevance model, a key
  with no model in the case's language) fails.

``python -m agora.guidelines.training.functional`` judges the cases with the committed engine
and the relevance model and prints the pass rates; ``agora evaluate`` adds the same tables to its
report.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agora.guidelines.cli import REPO_DIR
from agora.guidelines.engine import Engine
from agora.guidelines.manifest import ARTIFACTS_DIR
from agora.guidelines.policy import Policy
from agora.guidelines.verdict import GUIDELINES, ArticleContext, CommentInput, Verdict

CASES_FILE = REPO_DIR / "tests" / "guidelines" / "functional_cases.jsonl"
GOLD_LABELS = ("violates", "clean")
#: Languages the suite writes cases in.
CASE_LANGUAGES = ("en", "ar", "tr", "fa")
ARTICLE_FIELDS = ("title", "standfirst", "body")
_CATEGORY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


@dataclass(frozen=True)
class Case:
    key: str
    category: str
    lang: str
    text: str
    gold: str
    article: ArticleContext | None = None

    def comment(self) -> CommentInput:
        return CommentInput(text=self.text, lang=self.lang, article=self.article)


def parse_case(obj: object) -> Case:
    """A :class:`Case` from one decoded line; ``ValueError`` says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    unknown = set(obj) - {"key", "category", "lang", "text", "gold", "article"}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    key, category, lang = obj.get("key"), obj.get("category"), obj.get("lang")
    text, gold = obj.get("text"), obj.get("gold")
    if key not in GUIDELINES:
        raise ValueError(f'"key" must be one of {", ".join(GUIDELINES)}, not {key!r}')
    if not isinstance(category, str) or not _CATEGORY.fullmatch(category):
        raise ValueError(f'"category" must be a snake_case name, not {category!r}')
    if lang not in CASE_LANGUAGES:
        raise ValueError(f'"lang" must be one of {", ".join(CASE_LANGUAGES)}, not {lang!r}')
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" must be a non-empty string')
    if gold not in GOLD_LABELS:
        raise ValueError(f'"gold" must be one of {", ".join(GOLD_LABELS)}, not {gold!r}')
    article = obj.get("article")
    if key == "off_topic" and article is None:
        raise ValueError('an off_topic case needs the "article" it is posted under')
    if article is not None:
        if not isinstance(article, dict) or set(article) != set(ARTICLE_FIELDS):
            raise ValueError(f'"article" must be an object with {", ".join(ARTICLE_FIELDS)}')
        if not all(isinstance(article[name], str) for name in ARTICLE_FIELDS):
            raise ValueError(f'"article" {", ".join(ARTICLE_FIELDS)} must be strings')
        article = ArticleContext(**article)
    return Case(key, category, lang, text, gold, article)


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """Every case in ``path``; a bad line raises ``ValueError`` naming the line."""
    cases = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                cases.append(parse_case(json.loads(line)))
            except (json.JSONDecodeError, ValueError) as error:
                raise ValueError(f"{path}, line {number}: {error}") from error
    return cases


@dataclass(frozen=True)
class Outcome:
    """One case judged: the decision, its key's score, and whether the case passed."""

    case: Case
    decision: str
    score: float | None
    passed: bool

    @property
    def rejected(self) -> bool:
        return self.decision == "reject"


def passes(case: Case, verdict: Verdict, policy: Policy) -> bool:
    """Whether ``verdict`` gets ``case`` right (see the module docstring)."""
    score = verdict.scores.get(case.key)
    if score is None:
        return False
    if case.gold == "clean":
        return verdict.decision == "approve"
    return (
        verdict.decision != "approve" and score >= policy.threshold(verdict.lang, case.key).review
    )


def judge_cases(engine: Engine, cases: list[Case]) -> list[Outcome]:
    """Every case through ``engine`` in one batch, in order."""
    verdicts = engine.judge_many([case.comment() for case in cases])
    return [
        Outcome(
            case,
            verdict.decision,
            verdict.scores.get(case.key),
            passes(case, verdict, engine.policy),
        )
        for case, verdict in zip(cases, verdicts, strict=True)
    ]


@dataclass(frozen=True)
class Tally:
    """Cases and passes of a group of outcomes; for clean cases, also those not rejected."""

    cases: int
    passed: int
    clean: int
    clean_not_rejected: int

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Tally:
        outcomes = list(outcomes)
        clean = [o for o in outcomes if o.case.gold == "clean"]
        return cls(
            cases=len(outcomes),
            passed=sum(o.passed for o in outcomes),
            clean=len(clean),
            clean_not_rejected=sum(not o.rejected for o in clean),
        )

    @property
    def rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


def by_category(outcomes: list[Outcome]) -> dict[tuple[str, str], Tally]:
    """Tally per (key, category), keys in guideline order, categories as the file has them."""
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for outcome in sorted(outcomes, key=lambda o: GUIDELINES.index(o.case.key)):
        groups.setdefault((outcome.case.key, outcome.case.category), []).append(outcome)
    return {group: Tally.of(members) for group, members in groups.items()}


def by_key(outcomes: list[Outcome]) -> dict[str, Tally]:
    """Tally per key, for each key with cases, in guideline order."""
    keys = [key for key in GUIDELINES if any(o.case.key == key for o in outcomes)]
    return {key: Tally.of(o for o in outcomes if o.case.key == key) for key in keys}


def by_language(outcomes: list[Outcome]) -> dict[str, Tally]:
    langs = [lang for lang in CASE_LANGUAGES if any(o.case.lang == lang for o in outcomes)]
    return {lang: Tally.of(o for o in outcomes if o.case.lang == lang) for lang in langs}


def _rate(tally: Tally) -> str:
    return f"{tally.passed}/{tally.cases} ({100 * tally.rate:.0f}%)"


def _not_rejected(tally: Tally) -> str:
    return f"{tally.clean_not_rejected}/{tally.clean}" if tally.clean else "-"


def markdown(outcomes: list[Outcome]) -> list[str]:
    """Markdown lines: pass rates per key, per language, and per (key, category)."""
    gold = {(o.case.key, o.case.category): o.case.gold for o in outcomes}
    everything = Tally.of(outcomes)
    lines = [
        "| key | cases | passed | violating passed | clean passed | clean not rejected |",
        "|---|---|---|---|---|---|",
    ]
    for key, tally in [*by_key(outcomes).items(), ("all keys", everything)]:
        members = [o for o in outcomes if key == "all keys" or o.case.key == key]
        violating = Tally.of(o for o in members if o.case.gold == "violates")
        clean = Tally.of(o for o in members if o.case.gold == "clean")
        lines.append(
            f"| {key} | {tally.cases} | {_rate(tally)} | {_rate(violating)} | {_rate(clean)} "
            f"| {_not_rejected(tally)} |"
        )
    lines += ["", "| language | cases | passed | clean not rejected |", "|---|---|---|---|"]
    for lang, tally in by_language(outcomes).items():
        lines.append(f"| {lang} | {tally.cases} | {_rate(tally)} | {_not_rejected(tally)} |")
    lines += [
        "",
        "| key | category | gold | cases | passed | clean not rejected |",
        "|---|---|---|---|---|---|",
    ]
    for (key, category), tally in by_category(outcomes).items():
        lines.append(
            f"| {key} | {category} | {gold[key, category]} | {tally.cases} | {_rate(tally)} "
            f"| {_not_rejected(tally)} |"
        )
    return lines


def load_engine(artifacts_dir: Path = ARTIFACTS_DIR) -> Engine:
    """The committed engine with the relevance model, so off_topic cases are scored."""
    from agora.guidelines.relevance import Relevance

    return Engine.load(artifacts_dir=artifacts_dir, relevance=Relevance.load())


def report_section(artifacts_dir: Path = ARTIFACTS_DIR) -> list[str]:
    """The suite's section of ``agora evaluate``'s report."""
    outcomes = judge_cases(load_engine(artifacts_dir), load_cases())
    return [
        "## Functional test suite",
        "",
        f"{len(outcomes)} hand-written cases ({CASES_FILE.relative_to(REPO_DIR)}), judged "
        "with the default policy and the relevance model. A violating case passes when it is "
        "not approved and its key reaches review; a clean case passes when it is approved.",
        "",
        *markdown(outcomes),
        "",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m agora.guidelines.training.functional",
        description="Judge the functional test suite with the committed engine.",
    )
    parser.add_argument(
        "--rates",
        action="store_true",
        help="print the pass rate per (key, category) as Python dict entries instead",
    )
    if parser.parse_args(argv).rates:
        outcomes = judge_cases(load_engine(), load_cases())
        for (key, category), tally in by_category(outcomes).items():
            print(f"    ({key!r}, {category!r}): {tally.rate:.2f},  # {tally.passed}/{tally.cases}")
    else:
        print("\n".join(report_section()))


if __name__ == "__main__":
    main()

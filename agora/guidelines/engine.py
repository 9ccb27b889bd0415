"""The guideline engine: judges comments in an ordered list of named phases.

Each phase looks at the comments still undecided and, for each, either returns a final
:class:`Verdict` (which ends that comment's run) or ``None`` (carry on). Phases run on a
whole batch so the expensive steps (vectorising, model calls) are done once per batch:

1. ``language``  - take the caller's language hint or detect it (article language as
   fallback for short or mixed text);
2. ``coverage``  - a language no model covers is never approved automatically: verdict
   ``review``, the reasons say the language is not covered, and its threat and promotion
   cues (the only reading it gets) order the queue;
3. ``encoding``  - the sentence encoder reads each comment whose language model uses it,
   once: its chunk vectors serve the guideline scores and relevance alike;
4. ``scoring``   - normalise, score every key the language's model covers, and find the
   evidence for every score that reaches review;
5. ``relevance`` - the ``off_topic`` score, when a relevance model is given;
6. ``policy``    - the decision, the reasons in order of weight, and the queue risk.

Phases are plain methods listed in :attr:`Engine.phases`, so a new check is one function
and one line.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from agora.guidelines.calibration import DECIMALS, noisy_or
from agora.guidelines.encoder import pooled
from agora.guidelines.features import Analysis
from agora.guidelines.language import detect_language
from agora.guidelines.manifest import ARTIFACTS_DIR, read_manifest
from agora.guidelines.model import SENTENCE_SCORE, LanguageModel
from agora.guidelines.normalize import Normalized, normalize
from agora.guidelines.policy import Policy
from agora.guidelines.promotion_cues import find_cues_normalized
from agora.guidelines.sentences import Sentences, sentence_spans
from agora.guidelines.threat_cues import CUE_PROBABILITY, ThreatCue, find_threat_cues
from agora.guidelines.verdict import (
    GUIDELINES,
    IDENTITY_SUBKEYS,
    LANGUAGES,
    SCORE_KEYS,
    CommentInput,
    Evidence,
    Reason,
    Verdict,
)

if TYPE_CHECKING:
    from agora.guidelines.relevance import Reading, Relevance

LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "fa": "Persian",
    "tr": "Turkish",
    "ckb": "Sorani Kurdish",
    "kmr": "Kurmanji Kurdish",
    "other": "this language",
}
#: Queue risk of a comment no model could score: between clearly clean and clearly abusive.
UNKNOWN_RISK = 0.5
#: What a cue found in a comment no model read says, after "a moderator must read it".
_CUE_NOTES = {
    "threat": "It words a threat, so it comes first in the queue.",
    "promotion": "It carries promotion cues (links, contacts, calls to follow or buy), so it "
    "comes first in the queue.",
}
#: An identity sub-key is named in the reason when at least this likely.
SUBKEY_MENTION = 0.5
#: Articles whose relevance vectors are kept between calls.
ARTICLE_CACHE_SIZE = 256


@dataclass
class Draft:
    """A comment on its way through the phases."""

    comment: CommentInput
    lang: str = "other"
    normalized: Normalized | None = None
    scores: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(SCORE_KEYS))
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    #: Messages for keys left unscored, and the relevance model's message.
    notes: dict[str, str] = field(default_factory=dict)
    verdict: Verdict | None = None
    #: The encoder's chunk vectors of the comment, where its language model reads them ...
    vectors: np.ndarray | None = None
    #: ... and its whole reading, its sentences' vectors included.
    reading: Reading | None = None
    #: Wordings of a threat found in the normalised text (:mod:`agora.guidelines.threat_cues`).
    threat_cues: list[ThreatCue] = field(default_factory=list)


Phase = Callable[[list[Draft]], list[Verdict | None]]


def _key_name(key: str) -> str:
    """A key as the engine's reasons name it ("Personal attack"; sub-keys as they are)."""
    return key if key in IDENTITY_SUBKEYS else key.replace("_", " ").capitalize()


def _with_cue_note(draft: Draft) -> str:
    """The threat note of a comment with threat cues: why its score was raised."""
    assert draft.normalized is not None
    spans = [draft.normalized.source_span(cue.start, cue.end) for cue in draft.threat_cues]
    quoted = ", ".join(f"\u201c{draft.comment.text[s:e]}\u201d" for s, e in spans)
    note = f"Raised because the comment words a threat: {quoted}."
    return f"{draft.notes['threat']} {note}" if "threat" in draft.notes else note


def _with_sentence_note(draft: Draft, key: str, span: tuple[int, int]) -> str:
    """The note of a key that one sentence raised (:attr:`Scored.raised_by`): which."""
    assert draft.normalized is not None
    start, end = draft.normalized.source_span(*span)
    quoted = f"\u201c{draft.comment.text[start:end]}\u201d"
    note = (
        f"One sentence, {quoted}, reads this way on its own, though the comment as a whole "
        f"does not: raised to {SENTENCE_SCORE:g} for review."
    )
    return f"{draft.notes[key]} {note}" if key in draft.notes else note


def _first_and_apart(
    first: list[tuple[int, int]], others: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The spans ``first``, and those of ``others`` that overlap none of them, in order."""
    return sorted(first + [(s, e) for s, e in others if all(e <= a or s >= b for a, b in first)])


def _as_evidence(normalized: Normalized, spans: list[tuple[int, int]]) -> list[Evidence]:
    """Spans of a comment's normalised text as evidence: the same words in the comment as
    written."""
    evidence = []
    for start, end in spans:
        s, e = normalized.source_span(start, end)
        evidence.append(Evidence(s, e, normalized.source[s:e]))
    return evidence


def _encoded(draft: Draft) -> np.ndarray:
    """The chunk vectors the encoding phase gave a comment its language model reads."""
    if draft.vectors is None:
        raise RuntimeError("the encoding phase runs before scoring")
    return draft.vectors


class Engine:
    """Scores comments with the trained language models and decides under a policy."""

    def __init__(
        self,
        models: dict[str, LanguageModel],
        policy: Policy,
        model_version: str,
        relevance: Relevance | None = None,
        encoder: Relevance | None = None,
    ) -> None:
        self.models = models
        self.policy = policy
        self.model_version = model_version
        #: An :class:`agora.guidelines.relevance.Relevance`, or ``None`` for no off_topic.
        self.relevance = relevance
        #: The transformer whose vectors the encoded language models read (the relevance
        #: model's, so a comment is embedded once for both).
        self.encoder = encoder or relevance
        needing = sorted(lang for lang, model in models.items() if model.encoded)
        if needing and self.encoder is None:
            raise ValueError(f"the {', '.join(needing)} model(s) need the sentence encoder")
        #: Whether the relevance model's fast screen holds under this policy's thresholds.
        self.screened = relevance is not None and all(
            relevance.screens_for(policy.threshold(lang, "off_topic").review)
            for lang in relevance.languages
        )
        self._article_vectors: OrderedDict[tuple[str, str, str], np.ndarray] = OrderedDict()
        self._article_lock = threading.Lock()  # the web app judges from several threads
        self.phases: list[tuple[str, Phase]] = [
            ("language", self._language),
            ("coverage", self._coverage),
            ("encoding", self._encoding),
            ("scoring", self._scoring),
            ("relevance", self._relevance),
            ("policy", self._policy),
        ]

    @classmethod
    def load(
        cls,
        policy: Policy | None = None,
        artifacts_dir: Path = ARTIFACTS_DIR,
        relevance: Relevance | None = None,
    ) -> Engine:
        """The committed models (``agora/guidelines/artifacts``) under ``policy``.

        Models trained on the sentence encoder's vectors get the relevance model's
        transformer (``relevance`` itself when given), which must be the one they were
        trained with.
        """
        # Scoring is many small matrix products, a batch of comments at a time: threads of
        # the BLAS library only wait on one another there, and a server worker has a core of
        # its own. Measured on a busy 2-core machine, one key's head took 10x as long with
        # them.
        threadpool_limits(limits=1, user_api="blas")
        manifest = read_manifest(artifacts_dir)
        models = {
            lang: LanguageModel.load(Path(artifacts_dir) / entry["file"])
            for lang, entry in manifest["languages"].items()
        }
        encoder = None
        versions = {e["encoder"] for e in manifest["languages"].values() if e.get("encoder")}
        if versions:
            from agora.guidelines.relevance import Relevance

            encoder = relevance or Relevance.load()
            if versions != {encoder.version}:
                raise ValueError(
                    f"the guideline models were trained on encoder {sorted(versions)}, but "
                    f"the relevance model is {encoder.version}: retrain with `agora train`"
                )
        policy = policy or Policy.default(artifacts_dir)
        return cls(models, policy, manifest["model_version"], relevance=relevance, encoder=encoder)

    def judge(self, comment: CommentInput) -> Verdict:
        return self.judge_many([comment])[0]

    def judge_many(self, comments: list[CommentInput]) -> list[Verdict]:
        """Verdicts for ``comments``, in the same order; one pass of each phase per batch."""
        drafts = [Draft(comment) for comment in comments]
        pending = drafts
        for _name, phase in self.phases:
            for draft, verdict in zip(pending, phase(pending), strict=True):
                draft.verdict = verdict
            pending = [draft for draft in pending if draft.verdict is None]
        decided = [draft.verdict for draft in drafts if draft.verdict is not None]
        if pending or len(decided) != len(drafts):
            raise RuntimeError("the last phase must decide every comment")
        return decided

    # --- phases -------------------------------------------------------------------------

    def _language(self, drafts: list[Draft]) -> list[Verdict | None]:
        for draft in drafts:
            hint = (draft.comment.lang or "").strip().lower()
            if hint:
                draft.lang = hint if hint in LANGUAGES else "other"
            else:
                article = draft.comment.article
                fallback = article.lang if article else None
                draft.lang = detect_language(draft.comment.text, fallback=fallback).lang
        return [None] * len(drafts)

    def _coverage(self, drafts: list[Draft]) -> list[Verdict | None]:
        return [None if draft.lang in self.models else self._unmodelled(draft) for draft in drafts]

    def _unmodelled(self, draft: Draft) -> Verdict:
        """The verdict on a comment in a language no model covers: review, always, with no
        score. Its threat and promotion cues are the reasons' evidence and raise its queue
        risk above :data:`UNKNOWN_RISK` (noisy-OR), so that a Kurdish comment that words a
        threat or carries a link comes first among the comments no model read."""
        name = LANGUAGE_NAMES.get(draft.lang, draft.lang)
        message = f"Not checked: no model covers {name}; a moderator must read it."
        normalized = normalize(draft.comment.text, draft.lang)
        threats = find_threat_cues(normalized.text, draft.lang)
        promotion = find_cues_normalized(normalized)
        cued: dict[str, tuple[float, list[Evidence]]] = {}
        if threats:
            spans = [(cue.start, cue.end) for cue in threats]
            cued["threat"] = (CUE_PROBABILITY, _as_evidence(normalized, spans))
        if promotion.cues:
            cued["promotion"] = (promotion.score, promotion.evidence())
        # Only the guidelines the publisher's policy asks about count.
        cued = {key: found for key, found in cued.items() if key in self.policy.required}
        reasons = []
        for key in self.policy.required:
            _, evidence = cued.get(key, (0.0, []))
            note = f" {_CUE_NOTES[key]}" if evidence else ""
            reasons.append(Reason(key, None, evidence, message + note))
        reasons.sort(key=lambda reason: not reason.evidence)
        risk = noisy_or([UNKNOWN_RISK] + [signal for signal, _ in cued.values()])
        return self._verdict(draft, "review", reasons, risk)

    def _encoding(self, drafts: list[Draft]) -> list[Verdict | None]:
        reading = [draft for draft in drafts if self.models[draft.lang].encoded]
        if not reading or self.encoder is None:
            return [None] * len(drafts)
        texts = [draft.comment.text for draft in reading]
        # Vectors of sentences only for comments of several: they alone are read by sentence.
        spans = [sentence_spans(text) for text in texts]
        readings = self.encoder.reads(texts, [s if len(s) > 1 else [] for s in spans])
        for draft, one in zip(reading, readings, strict=True):
            draft.reading = one
            draft.vectors = one.vectors
        return [None] * len(drafts)

    def _scoring(self, drafts: list[Draft]) -> list[Verdict | None]:
        by_lang: dict[str, list[Draft]] = {}
        for draft in drafts:
            by_lang.setdefault(draft.lang, []).append(draft)
        for lang, group in by_lang.items():
            model = self.models[lang]
            normalized = [normalize(draft.comment.text, lang) for draft in group]
            for draft, one in zip(group, normalized, strict=True):
                draft.normalized = one
            embeddings = None
            readings = None
            if model.encoded:
                assert self.encoder is not None  # checked when the engine was built
                embeddings = pooled([_encoded(draft) for draft in group], self.encoder.dim)
                readings = [draft.reading for draft in group]
            sentences = Sentences.of(normalized, readings)
            scored = model.score([one.text for one in normalized], embeddings, sentences)
            for i, draft in enumerate(group):
                assert draft.normalized is not None
                analysis, row = scored.analyses[i], scored.probabilities[i]
                draft.threat_cues = find_threat_cues(draft.normalized.text, lang)
                scores = model.guideline_scores(row, threat_cued=bool(draft.threat_cues))
                draft.scores.update(scores)
                for key in self.policy.required:
                    if key in model.stand_ins:
                        draft.notes[key] = (
                            f"The {LANGUAGE_NAMES[lang]} training data does not tell this "
                            "guideline apart from other offensive language: the score is the "
                            "probability that the comment is offensive."
                        )
                    elif key not in scores:
                        draft.notes[key] = (
                            f"Not checked: no {LANGUAGE_NAMES[lang]} training data for this "
                            "guideline; a moderator must judge it."
                        )
                raised = model.raised_guidelines(scored.raised_by[i])
                for key, j in raised.items():
                    draft.notes[key] = _with_sentence_note(draft, key, sentences.spans[j])
                threat_modelled = False
                if draft.threat_cues and "threat" in scores:
                    draft.notes["threat"] = _with_cue_note(draft)
                    threat_modelled = (
                        row[model.keys.index(model.source_key("threat"))]
                        >= self.policy.threshold(lang, "threat").review
                    )
                self._find_evidence(
                    draft,
                    model,
                    analysis,
                    {key: scored.sentence_analyses[j] for key, j in raised.items()},
                    threat_modelled,
                )
        return [None] * len(drafts)

    def _find_evidence(
        self,
        draft: Draft,
        model: LanguageModel,
        analysis: Analysis,
        raised: dict[str, Analysis],
        threat_modelled: bool,
    ) -> None:
        """Evidence for every key whose score reaches review (spans of the original text):
        the words that pushed the key's model score up, in the comment or, for a key one
        sentence ``raised``, in that sentence (the whole sentence where no word stands out:
        its vector carried the score). A threat's cues come first; the model's words follow
        only where its own score (``threat_modelled``) reached review without them."""
        flagged = self.policy.flagged(draft.lang, draft.scores)
        normalized = draft.normalized
        if not flagged or normalized is None:
            return
        whole = sorted({model.source_key(key) for key in flagged if key not in raised})
        found = model.evidence(analysis, whole) if whole else {}
        for key in flagged:
            source = model.source_key(key)
            spans = found.get(source, [])
            if key in raised:
                sentence = raised[key]
                spans = model.evidence(sentence, [source])[source]
                if not spans and sentence.chunks:
                    spans = [(sentence.chunks[0][0], sentence.chunks[-1][1])]
            if key == "threat" and draft.threat_cues:
                modelled = threat_modelled or key in raised
                spans = _first_and_apart(
                    [(cue.start, cue.end) for cue in draft.threat_cues], spans if modelled else []
                )
            draft.evidence[key] = _as_evidence(normalized, spans)

    def _relevance(self, drafts: list[Draft]) -> list[Verdict | None]:
        if self.relevance is None:
            for draft in drafts:
                draft.notes["off_topic"] = "Not checked: no relevance model."
            return [None] * len(drafts)
        results = self.relevance.off_topic_many(
            [draft.comment.text for draft in drafts],
            [draft.lang for draft in drafts],
            [self._vectors_of(draft) for draft in drafts],
            [draft.comment.parent_text for draft in drafts],
            screened=self.screened,
            comment_vectors=[draft.vectors for draft in drafts],
        )
        for draft, result in zip(drafts, results, strict=True):
            draft.scores["off_topic"] = (
                None if result.score is None else round(result.score, DECIMALS)
            )
            draft.notes["off_topic"] = result.message
        return [None] * len(drafts)

    def _vectors_of(self, draft: Draft) -> np.ndarray | None:
        """The article's chunk embeddings: the caller's stored ones, or computed once per
        article text and kept in an LRU. None where the model would not read the comment
        (its language), so no article is embedded for nothing."""
        article = draft.comment.article
        if article is None or self.relevance is None or draft.lang not in self.relevance.languages:
            return None
        if article.vectors is not None:
            stored: np.ndarray = article.vectors
            return stored
        key = (article.title, article.standfirst, article.body)
        with self._article_lock:
            vectors = self._article_vectors.get(key)
            if vectors is not None:
                self._article_vectors.move_to_end(key)
                return vectors
        vectors = self.relevance.article_vectors(*key)
        with self._article_lock:
            self._article_vectors[key] = vectors
            if len(self._article_vectors) > ARTICLE_CACHE_SIZE:
                self._article_vectors.popitem(last=False)
        return vectors

    def _policy(self, drafts: list[Draft]) -> list[Verdict | None]:
        verdicts: list[Verdict | None] = []
        for draft in drafts:
            decision = self.policy.decide(draft.lang, draft.scores)
            flagged = [
                self._reason(draft, key) for key in self.policy.flagged(draft.lang, draft.scores)
            ]
            flagged.sort(key=lambda reason: -(reason.score or 0.0))
            unscored = [
                Reason(key, None, [], note)
                for key, note in draft.notes.items()
                if draft.scores[key] is None
            ]
            scored = [s for k, s in draft.scores.items() if k in GUIDELINES and s is not None]
            risk = max(scored) if scored else UNKNOWN_RISK
            verdicts.append(self._verdict(draft, decision, flagged + unscored, risk))
        return verdicts

    def _reason(self, draft: Draft, key: str) -> Reason:
        """The reason for a key whose score reached review (so it has a score)."""
        score = draft.scores[key] or 0.0
        limits = self.policy.threshold(draft.lang, key)
        name = _key_name(key)
        if key == "identity_abuse":
            kinds = [
                _key_name(sub)
                for sub in IDENTITY_SUBKEYS
                if (draft.scores[sub] or 0.0) >= SUBKEY_MENTION
            ]
            name += f" ({', '.join(kinds)})" if kinds else ""
        if limits.reject is not None and score >= limits.reject:
            level = f"at or above the reject threshold {limits.reject:.3g}"
        else:
            level = f"at or above the review threshold {limits.review:.3g}"
        message = f"{name}: probability {score:.3g}, {level}."
        if key in draft.notes:  # what the score means here (stand-in, relevance model)
            message += " " + draft.notes[key]
        return Reason(key, score, draft.evidence.get(key, []), message)

    def _verdict(self, draft: Draft, decision: str, reasons: list[Reason], risk: float) -> Verdict:
        return Verdict(
            id=draft.comment.id,
            lang=draft.lang,
            scores=dict(draft.scores),
            decision=decision,
            reasons=reasons,
            risk=float(risk),
            model_version=self.model_version,
        )

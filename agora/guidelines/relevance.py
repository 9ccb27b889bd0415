"""Relevance of a comment to its article: the score behind the ``off_topic`` guideline.

The publisher asks that comments be relevant to the article. We embed the comment and the
article with a two-layer student of all-MiniLM-L6-v2, distilled to give its embeddings at
less than half its cost (``scripts/distill_relevance.py``; exported to ONNX and quantised to int8
by ``scripts/export_minilm.py``; run with onnxruntime, tokenizers and numpy, no torch), and
compare them by cosine similarity:

* The article is embedded in chunks (title with standfirst, then the body in overlapping
  windows of ``CHUNK_TOKENS`` word pieces), because a comment may address any paragraph and
  the model reads at most ``MAX_TOKENS`` word pieces: text past that would be silently cut.
  The similarity that counts is the best one over all chunks.
* A reply is also compared with the comment it answers: a reply on topic with its parent
  is on topic, so the best of both similarities counts.
* The similarity is contrasted with background news: fictional headlines on many subjects
  (``artifacts/minilm/background_headlines.txt``). A comment about another story is closer
  to some of them than to the article (see :meth:`Relevance.relatedness`).
* That contrast goes through a logistic calibration fitted by ``agora train --relevance``
  (:mod:`agora.guidelines.training.relevance_eval`) on a fitting split (comments paired with their
  own article and with another one), so the score reads as a probability that the comment
  is off topic, for an even mix of on-topic and off-topic comments (see docs/relevance.md).
* Short generic reactions ("Great article", "Thank you for this", "Agreed", "lol") carry no
  topic of their own and are not off topic: :func:`is_generic_reaction` recognises them from
  a small list of reaction phrases written here, and they score 0.
* A fast screen runs first: a table of word-piece vectors distilled from the model
  (``scripts/distill_screen.py``) embeds the comment as the mean of its pieces' vectors, a
  table lookup (the whole score of a comment it settles costs about 0.5 ms median, against
  about 2 ms through the transformer: bench/relevance_speed.py, bench/post_cost.py), and goes
  through the same contrast and a calibration of its own. A comment the screen finds
  clearly on topic (below the cut-off ``agora train --relevance`` chose, where it changes
  almost none of the transformer's flags) keeps the screen's score; every other one is
  scored by the transformer as above. Each article chunk therefore carries both embeddings.
* The model reads English only. Any other language gets score ``None`` (unknown) and a
  message saying so, until a multilingual model lands.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from agora.guidelines.encoder import span_vectors
from agora.guidelines.onnx_session import cpu_session

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts" / "minilm"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CALIBRATION_FILE = "calibration.json"
BACKGROUND_FILE = "background_headlines.txt"
MANIFEST_FILE = "manifest.json"
SCREEN_FILE = "screen.npy"
SCREEN_MANIFEST_FILE = "screen.json"

#: The longest input the model takes (sentence-transformers' max_seq_length), special tokens
#: included. The tokenizer file shipped with the model truncates at 128; we set 256 here.
MAX_TOKENS = 256
#: Changes when what the transformer is given of a text changes (not its files), so that
#: stored article vectors and cached training vectors are made again: 2 leaves out the
#: word pieces the vocabulary has no entry for (``Relevance._known``).
READING = 2
#: Article chunk length in word pieces, special tokens included: the length the model was
#: trained on, short enough that one chunk keeps to about one paragraph's topic.
CHUNK_TOKENS = 128
#: Word pieces shared by consecutive chunks, so a sentence cut by a chunk border is whole in one.
CHUNK_OVERLAP = 32
DIM = 384
#: The graph's second output: each word piece's last-layer state (scripts/expose_word_pieces.py).
PIECES_OUTPUT = "token_embeddings"
#: Columns of an article chunk's row: the transformer's embedding, then the screen's.
MODEL = slice(0, DIM)
SCREEN = slice(DIM, 2 * DIM)
#: Width of a row of :meth:`Relevance.article_vectors`.
WIDTH = 2 * DIM
#: Background headlines a comment is contrasted with: the mean of its closest few.
BACKGROUND_TOP = 5

#: Languages the model reads; any other gets a null score.
LANGUAGES = frozenset({"en"})
#: onnxruntime graph fusions left off when the session loads the model. The export splits
#: SkipLayerNormalization into Add and LayerNormalization, which ran in about a quarter of
#: the time on the benchmark machine's CPU (scripts/unfuse_layer_norms.py); this fusion
#: would join them again.
DISABLED_OPTIMIZERS = ("SkipLayerNormFusion",)


@dataclass(frozen=True)
class OffTopic:
    """The ``off_topic`` result for one comment: a probability (or ``None``) and why.

    ``scored_by`` says which model gave the score: ``"screen"`` (the fast screen settled
    it), ``"transformer"``, or ``None`` when a rule answered (a generic reaction, another
    language, nothing to compare with)."""

    score: float | None
    message: str
    scored_by: str | None = None


# Generic reactions. A comment is a reaction when, once these phrases and the filler words
# are taken out, no word is left and it had at most REACTION_MAX_WORDS words to start with.
REACTION_MAX_WORDS = 12
_QUALITY = (
    r"(?:great|good|excellent|brilliant|fantastic|nice|interesting|informative|insightful|"
    r"important|superb|outstanding|amazing|awesome|fine|solid|thoughtful|fair|valid|"
    r"well[ -]?written|well[ -]?researched|balanced|terrible|awful|poor|bad|lousy|biased|"
    r"silly|weak|pathetic|ridiculous|lazy|one[ -]?sided|misleading)"
)
_PIECE = (
    r"(?:article|piece|story|report|reporting|read|writing|journalism|work|job|post|column|"
    r"op[ -]?ed|analysis|point|comment|question|answer|summary|coverage|one|take|idea)s?"
)
_REACTION_PHRASES = (
    rf"{_QUALITY} {_PIECE}",
    r"(?:many |big )?(?:thank you|thank u|thanks|thx|ty)(?: (?:so|very) much)?"
    r"(?: for (?:this|that|it|sharing|posting|writing(?: this| that| it)?|reporting"
    r"|the (?:article|piece|story|report|info|information|update|reporting)"
    r"|your (?:article|piece|work|reporting|comment|post)))?",
    r"(?:i )?(?:totally |completely |fully |strongly |absolutely |so |100 )?(?:agree|disagree)"
    r"(?: with (?:you|this|that|him|her|them|everything|the (?:author|article|writer|piece)))?",
    r"agreed|couldn'?t agree more|could not agree more|well said|well put|well done|"
    r"(?:good|nice|great) job|keep (?:up the good work|it up)|nailed it|spot on|right on|"
    r"so true|very true|true|exactly|absolutely|indeed|correct|wrong|nonsense|rubbish|"
    r"(?:that'?s|that is|you'?re|you are) (?:so )?(?:right|correct|wrong)|"
    r"same here|me too|me neither|amen|bravo|kudos|hear hear|\+1|"
    r"yes|no|yep|yeah|yup|nope|ok|okay|sure|wow|lol|lmao|rofl|omg|ugh|sad|shame|"
    r"(?:ha)+h?|(?:he)+h?|not really|who cares|why not|why|how|who|what|huh|really|seriously|"
    r"sources?|proof|evidence|citation needed|interesting|good grief|oh (?:dear|well|no)",
)
# Word boundaries that also hold around "+1".
_REACTION = re.compile(r"(?<![\w'+])(?:" + "|".join(_REACTION_PHRASES) + r")(?![\w'+])")
_FILLERS = frozenset(
    "a an the what such very really so truly just this that is was it it's its and again "
    "all too much i must say oh well here there one more great thanks sir madam".split()
)
_NON_WORD = re.compile(r"[^\w\s'+]")
_WORD = re.compile(r"[\w'+]+")


def is_generic_reaction(text: str) -> bool:
    """True when ``text`` is only a short generic reaction ("Great article!", "Agreed", "lol").

    Such comments respond to the article (or a comment) without naming any topic, so their
    embedding says nothing about relevance; the guidelines do not count them as off topic.
    Emoji- or punctuation-only comments count as reactions too.
    """
    lowered = text.lower().replace("\u2019", "'")
    words = _WORD.findall(_NON_WORD.sub(" ", lowered))
    if len(words) > REACTION_MAX_WORDS:
        return False
    remainder = _REACTION.sub(" ", " ".join(words))
    return all(word in _FILLERS for word in remainder.split())


#: A function embedding texts, one row each (:meth:`Relevance.embed`, :meth:`screen_embed`).
Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Reading:
    """One text as the encoder read it: its chunks' unit embeddings (one row per chunk),
    and a unit vector for each part of it that was asked for (:meth:`Relevance.reads`)."""

    vectors: np.ndarray  # (chunks, DIM)
    parts: np.ndarray  # (parts, DIM)


class Relevance:
    """The relevance model: embeds texts and scores comments against article chunks.

    Build it with :meth:`load`, which is cheap and cached; the ONNX session itself is
    created on first use (thread-safe), so importing the engine never pays for it.
    """

    languages = LANGUAGES
    dim = DIM

    def __init__(
        self,
        model_dir: Path = ARTIFACT_DIR,
        threads: int = 1,
        calibrated: bool = True,
        batch_size: int = 1,
        screened: bool = True,
    ):
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        self.threads = threads
        self.batch_size = batch_size
        #: Whether the fast screen may settle clearly on-topic comments (needs calibration).
        self.screened = screened and calibrated
        self._tokenizer = Tokenizer.from_file(str(self.model_dir / TOKENIZER_FILE))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # A second tokenizer without truncation, to cut long texts into chunks.
        self._splitter = Tokenizer.from_file(str(self.model_dir / TOKENIZER_FILE))
        self._splitter.no_padding()
        self._splitter.no_truncation()
        self.calibration: dict[str, Any] | None = None
        if calibrated:
            path = self.model_dir / CALIBRATION_FILE
            self.calibration = json.loads(path.read_text(encoding="utf-8"))
        self.cls_id = self._tokenizer.token_to_id("[CLS]")
        self.sep_id = self._tokenizer.token_to_id("[SEP]")
        self.unk_id = self._tokenizer.token_to_id("[UNK]")
        self._session: Any = None  # onnxruntime's InferenceSession, started on first use
        self._table: np.ndarray | None = None
        self._background: np.ndarray | None = None
        self._lock = threading.Lock()
        # One run of the model at a time: it is sized to ``threads`` cores, and a server
        # worker's threads running it side by side only fight over the cores and their
        # caches (docs/decisions/0002-post-cost-history.md gives the posts per second with
        # and without).
        self._running = threading.Lock()

    @cached_property
    def version(self) -> str:
        """Changes whenever the model or the screen's table changes: stored article vectors
        must be recomputed then."""
        model = json.loads((self.model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        screen = json.loads((self.model_dir / SCREEN_MANIFEST_FILE).read_text(encoding="utf-8"))
        return (
            f"minilm-int8-{model['files'][MODEL_FILE]['sha256'][:12]}"
            f"-screen-{screen['file']['sha256'][:12]}-reading-{READING}"
        )

    @classmethod
    def load(cls, threads: int = 1) -> Relevance:
        """The shared instance for ``threads`` intra-op threads (one core by default)."""
        return _load(threads)

    # -- embeddings ---------------------------------------------------------------------

    @property
    def session(self) -> Any:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._session = cpu_session(
                        str(self.model_dir / MODEL_FILE), self.threads, DISABLED_OPTIMIZERS
                    )
        return self._session

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, shape ``(len(texts), 384)``, float32.

        Each text is read up to ``MAX_TOKENS`` word pieces (like the original model); use
        :meth:`chunks` first for longer texts. By default each text runs on its own: the int8
        model quantises its activations with one scale per input tensor, so padding and the
        other texts of a batch would change a text's embedding (cosine down to 0.95
        measured) and a comment's score would depend on its neighbours. ``batch_size`` > 1
        groups texts of similar length instead (see bench/relevance_speed.py for the cost).
        """
        vectors = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return vectors
        encoded = self._tokenizer.encode_batch(list(texts))
        encodings = [self._known(e.ids, e.offsets)[0] for e in encoded]
        order = np.argsort([len(e) for e in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i]) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                n = len(encodings[i])
                ids[row, :n] = encodings[i]
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            with self._running:
                vectors[rows] = self.session.run(["sentence_embedding"], feeds)[0]
        return vectors

    def reads(
        self, texts: Sequence[str], parts: Sequence[Sequence[tuple[int, int]]] | None = None
    ) -> list[Reading]:
        """Each text's :class:`Reading`: its chunks' embeddings (as :meth:`text_vectors`
        gives them, from the same runs) and a vector for each of its ``parts`` (character
        spans, none by default), from the same runs' word pieces
        (:func:`agora.guidelines.encoder.span_vectors`). The word pieces' states are dropped
        once a text's parts have their vectors: a batch's would take megabytes."""
        out = []
        for row, text in enumerate(texts):
            wanted = parts[row] if parts is not None else ()
            outputs = ["sentence_embedding", PIECES_OUTPUT][: 2 if wanted else 1]
            vectors, spans, states = [], [], []
            for start, ids, offsets in self._chunk_pieces(text):
                ids = ids[np.newaxis]
                feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
                feeds["token_type_ids"] = np.zeros_like(ids)
                with self._running:
                    result = self.session.run(outputs, feeds)
                vectors.append(result[0][0])
                if wanted:
                    real = offsets[:, 1] > offsets[:, 0]  # not [CLS] or [SEP]
                    spans.append(offsets[real] + start)
                    states.append(result[1][0][real])
            part_vectors = np.zeros((0, DIM), np.float32)
            if wanted and spans:
                part_vectors = span_vectors(np.concatenate(spans), np.concatenate(states), wanted)
            out.append(Reading(np.array(vectors, dtype=np.float32).reshape(-1, DIM), part_vectors))
        return out

    def pieces(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's word-piece ids, without special tokens and without truncation."""
        return [e.ids for e in self._splitter.encode_batch(list(texts), add_special_tokens=False)]

    @property
    def table(self) -> np.ndarray:
        """The screen's word-piece vectors (float16, memory-mapped: the server's workers
        share one copy through the page cache)."""
        if self._table is None:
            self._table = np.load(self.model_dir / SCREEN_FILE, mmap_mode="r")
        return self._table

    def screen_embed(self, texts: Sequence[str]) -> np.ndarray:
        """The screen's unit-length embeddings, shape ``(len(texts), 384)``: the mean of each
        text's word-piece vectors. A text without pieces gets a row of zeros."""
        vectors = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, ids in enumerate(self.pieces(texts)):
            if ids:
                mean = self.table[ids].astype(np.float32).mean(axis=0)
                vectors[row] = mean / max(float(np.linalg.norm(mean)), 1e-9)
        return vectors

    def chunks(
        self, text: str, size: int = CHUNK_TOKENS, overlap: int = CHUNK_OVERLAP
    ) -> list[str]:
        """``text`` cut into overlapping pieces of at most ``size`` word pieces (with [CLS]
        and [SEP]), each starting at a word boundary; a short text is one chunk."""
        return [text[start:end] for start, end in self.chunk_spans(text, size, overlap)]

    def _chunk_pieces(self, text: str) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """For each of ``text``'s chunks (:meth:`chunk_spans`): where it starts, and its
        word-piece ids and character offsets (in the chunk) as the model reads them,
        [CLS] and [SEP] included. A text of one chunk, most comments, is cut into word
        pieces once: the pieces :meth:`chunk_spans` found are the chunk's."""
        spans, encoding = self._split(text, CHUNK_TOKENS, CHUNK_OVERLAP)
        if len(spans) == 1:
            ids = [self.cls_id, *encoding.ids, self.sep_id]
            offsets = [(0, 0), *encoding.offsets, (0, 0)]
            yield spans[0][0], *self._known(ids, offsets)
            return
        for start, end in spans:
            encoding = self._tokenizer.encode(text[start:end])
            yield start, *self._known(encoding.ids, encoding.offsets)

    def _known(
        self, ids: Sequence[int], offsets: Sequence[tuple[int, int]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Word-piece ``ids`` and their character ``offsets`` without the unknown piece.

        The vocabulary has no entry for most emoji (and a few letters, such as Sorani's
        "ە"), so all of them read as one [UNK]; the guideline data gave that piece a
        meaning of its own (half of HatemojiBuild's emoji rows are hate), and "The council
        should fix the roads first 👏" went to review where the same words alone were
        approved. Left out, the transformer reads a comment's words the same with or
        without an emoji; the n-grams still see which emoji it is."""
        pieces = np.asarray(ids, dtype=np.int64)
        keep = pieces != self.unk_id
        return pieces[keep], np.array(offsets, dtype=np.int64).reshape(-1, 2)[keep]

    def chunk_spans(
        self, text: str, size: int = CHUNK_TOKENS, overlap: int = CHUNK_OVERLAP
    ) -> list[tuple[int, int]]:
        """Where each of :meth:`chunks` lies in ``text`` (character offsets)."""
        return self._split(text, size, overlap)[0]

    def _split(self, text: str, size: int, overlap: int) -> tuple[list[tuple[int, int]], Any]:
        """:meth:`chunk_spans`, and the word pieces of the stripped ``text`` they were found
        with (a ``tokenizers`` Encoding; None for a blank text)."""
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if not text:
            return [], None
        encoding = self._splitter.encode(text, add_special_tokens=False)
        tokens, offsets = encoding.tokens, encoding.offsets
        room = size - 2
        if len(tokens) <= room:
            return [(lead, lead + len(text))], encoding
        spans = []
        start = 0
        while True:
            end = min(start + room, len(tokens))
            spans.append((lead + offsets[start][0], lead + offsets[end - 1][1]))
            if end == len(tokens):
                return spans, encoding
            start = end - overlap
            while start < end - 1 and tokens[start].startswith("##"):
                start += 1

    def both(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of ``WIDTH``: each text's transformer embedding (columns ``MODEL``), then its
        screen embedding (columns ``SCREEN``)."""
        return np.hstack([self.embed(texts), self.screen_embed(texts)])

    def article_vectors(self, title: str, standfirst: str, body: str) -> np.ndarray:
        """Both embeddings of the article's chunks, shape ``(n_chunks, WIDTH)``: title with
        standfirst first, then the body. Compute them once per article and keep them (with
        :attr:`version`, which changes with the model); they are what :meth:`off_topic`
        compares a comment with."""
        heading = "\n".join(
            part.strip() for part in (title or "", standfirst or "") if part.strip()
        )
        return self.both(self.chunks(heading) + self.chunks(body or ""))

    # -- scoring ------------------------------------------------------------------------

    def text_vectors(self, texts: Sequence[str], embed: Embed | None = None) -> list[np.ndarray]:
        """For each text, the embeddings of its :meth:`chunks` (one row for a short text),
        by ``embed`` (:meth:`embed` by default; :meth:`screen_embed` or :meth:`both`)."""
        return self.chunk_vectors([self.chunks(text) for text in texts], embed or self.embed)

    def chunk_vectors(self, per_text: Sequence[list[str]], embed: Embed) -> list[np.ndarray]:
        """For each text given as its chunks, their embeddings by ``embed``, in one call."""
        vectors = embed([chunk for chunks in per_text for chunk in chunks])
        bounds = np.cumsum([0] + [len(chunks) for chunks in per_text])
        return [vectors[bounds[i] : bounds[i + 1]] for i in range(len(per_text))]

    @property
    def background(self) -> np.ndarray:
        """Both embeddings of the background headlines, ``(n, WIDTH)`` (computed on first
        use)."""
        if self._background is None:
            lines = (self.model_dir / BACKGROUND_FILE).read_text(encoding="utf-8").splitlines()
            self._background = self.both([ln for ln in lines if ln and not ln.startswith("#")])
        return self._background

    def relatedness(
        self, comment: np.ndarray, targets: np.ndarray, columns: slice = MODEL
    ) -> tuple[float, float]:
        """``(similarity, contrast)`` of a comment's chunk vectors with the target vectors
        (article chunks, and the parent's chunks for a reply).

        ``comment`` and ``targets`` hold one embedding per row, of the kind ``columns``
        selects in the background rows (``MODEL`` or ``SCREEN``). ``similarity`` is the best
        cosine between any comment chunk and any target. The
        ``contrast`` is what the score reads: that similarity, minus how close unrelated
        news gets to the targets (the background headlines' best similarity, averaged), minus
        how close the comment gets to the ``BACKGROUND_TOP`` background headlines nearest to
        it. The first correction keeps a generic heading, or a long article with many
        chunks, from making every comment look on topic; the second marks a comment about
        another story, which is closer to some background headline than to the article.
        """
        background = self.background[:, columns]
        similarity = float((comment @ targets.T).max())
        typical = float((background @ targets.T).max(axis=1).mean())
        nearest = np.sort((comment @ background.T).max(axis=0))[-BACKGROUND_TOP:]
        return similarity, similarity - typical - float(nearest.mean())

    def probability(self, contrast: float, fit: dict[str, float] | None = None) -> float:
        """The calibrated probability that a comment with this contrast is off topic, by the
        transformer's calibration or by ``fit`` (the screen's: ``calibration["screen"]``)."""
        fit = fit or self._calibration
        z = fit["intercept"] + fit["slope"] * contrast
        return 1.0 / (1.0 + math.exp(-z))

    def settle(self, comment: np.ndarray, targets: np.ndarray) -> tuple[float, float] | None:
        """The screen's ``(probability, similarity)`` for a comment it finds clearly on
        topic, or None when the transformer must judge. Takes screen embeddings."""
        screen = self._calibration["screen"]
        similarity, contrast = self.relatedness(comment, targets, SCREEN)
        probability = self.probability(contrast, screen)
        return (probability, similarity) if probability < screen["settles_below"] else None

    def screens_for(self, review_threshold: float) -> bool:
        """Whether the screen may settle comments under a policy that sends ``off_topic``
        to review at ``review_threshold``. Its cut-off was chosen to take almost none of the
        transformer's flags away at the calibration's own threshold, which holds at any
        higher one; under a lower one it would settle comments the transformer flags."""
        return self.screened and review_threshold >= self._calibration["review_threshold"]

    @property
    def _calibration(self) -> dict[str, Any]:
        if self.calibration is None:
            raise ValueError("this relevance model was loaded without its calibration")
        return self.calibration

    def judge(self, comment: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
        """The transformer's ``(probability, similarity)``. Takes transformer embeddings."""
        similarity, contrast = self.relatedness(comment, targets, MODEL)
        return self.probability(contrast), similarity

    def off_topic_many(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None],
        article_vectors: Sequence[np.ndarray | None],
        parent_texts: Sequence[str | None] | None = None,
        screened: bool = True,
        comment_vectors: Sequence[np.ndarray | None] | None = None,
    ) -> list[OffTopic]:
        """:meth:`off_topic` for a batch of comments; ``screened=False`` leaves every one to
        the transformer (see :meth:`screens_for`). ``comment_vectors`` are comments' chunk
        embeddings already computed (:meth:`text_vectors`, by the engine's encoding
        phase), or None where a comment must be embedded here; a comment that has them
        skips the screen, which would only save that work."""
        parents = list(parent_texts) if parent_texts is not None else [None] * len(texts)
        given: list[np.ndarray | None] = (
            list(comment_vectors) if comment_vectors is not None else [None] * len(texts)
        )
        results: list[OffTopic | None] = [None] * len(texts)
        todo = []
        for i, (text, lang, article) in enumerate(zip(texts, langs, article_vectors, strict=True)):
            if lang not in self.languages:
                results[i] = OffTopic(
                    None,
                    f"Relevance is not scored for language {lang or 'unknown'!r}: "
                    "no multilingual relevance model yet; a moderator judges it.",
                )
            elif (article is None or not len(article)) and not (parents[i] or "").strip():
                results[i] = OffTopic(None, "No article or parent comment to compare with.")
            elif is_generic_reaction(text):
                results[i] = OffTopic(0.0, "A short generic reaction; not off topic.")
            else:
                todo.append(i)
        # Each text is cut into chunks once, for the screen and the transformer alike; a
        # comment whose chunk vectors are given was cut and embedded by the caller.
        chunks = {i: self.chunks(texts[i]) for i in todo if given[i] is None}
        parent_chunks = {i: self.chunks(parents[i] or "") for i in todo}
        embedded = [i for i in todo if (vectors := given[i]) is not None and len(vectors)]
        unsettled = [i for i in todo if given[i] is None and chunks[i]]
        for i in set(todo) - set(embedded) - set(unsettled):
            results[i] = OffTopic(None, "The comment has no text to compare.")
        if self.screened and screened:
            comments = self.chunk_vectors([chunks[i] for i in unsettled], self.screen_embed)
            replied = self.chunk_vectors([parent_chunks[i] for i in unsettled], self.screen_embed)
            candidates, unsettled = unsettled, []
            for i, comment, parent in zip(candidates, comments, replied, strict=True):
                settled = self.settle(comment, targets_of(article_vectors[i], SCREEN, parent))
                if settled is None:
                    unsettled.append(i)
                    continue
                # Neutral wording: whether the score flags anything is the policy's call.
                results[i] = OffTopic(
                    settled[0],
                    f"Best similarity to {_against(parent)}: {settled[1]:.2f} (fast screen).",
                    "screen",
                )
        comments = self.chunk_vectors([chunks[i] for i in unsettled], self.embed)
        comments += [vectors for i in embedded if (vectors := given[i]) is not None]
        unsettled += embedded
        replied = self.chunk_vectors([parent_chunks[i] for i in unsettled], self.embed)
        for i, comment, parent in zip(unsettled, comments, replied, strict=True):
            score, similarity = self.judge(comment, targets_of(article_vectors[i], MODEL, parent))
            message = f"Best similarity to {_against(parent)}: {similarity:.2f}."
            results[i] = OffTopic(score, message, "transformer")
        scored = [result for result in results if result is not None]
        if len(scored) != len(results):
            raise RuntimeError("every comment gets an off_topic result")
        return scored

    def off_topic(
        self,
        text: str,
        lang: str | None,
        article_vectors: np.ndarray | None,
        parent_text: str | None = None,
    ) -> OffTopic:
        """How likely ``text`` (a comment in language ``lang``) is off topic for the article
        whose :meth:`article_vectors` are given, or for ``parent_text`` if it is a reply."""
        return self.off_topic_many([text], [lang], [article_vectors], [parent_text])[0]


def targets_of(article: np.ndarray | None, columns: slice, parent: np.ndarray) -> np.ndarray:
    """What a comment is compared with: the article's chunks (their ``columns`` half) and
    the parent's chunk embeddings (of the same kind), whichever exist."""
    parts = [article[:, columns]] if article is not None and len(article) else []
    return np.vstack(parts + ([parent] if len(parent) else []))


def _against(parent: np.ndarray) -> str:
    return "the article or the comment it answers" if len(parent) else "the article"


def off_topic_review_threshold(model_dir: Path = ARTIFACT_DIR) -> float:
    """The review threshold chosen with the calibration (``agora train --relevance``)."""
    path = Path(model_dir) / CALIBRATION_FILE
    return float(json.loads(path.read_text(encoding="utf-8"))["review_threshold"])


@cache
def _load(threads: int) -> Relevance:
    return Relevance(ARTIFACT_DIR, threads=threads)

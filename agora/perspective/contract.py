"""Perspective's request bodies read into plain records, and its error answers.

Every way a request can be wrong is a :class:`PerspectiveError` carrying the HTTP code and
the Google API status name that Perspective's clients look for, with a message that says
what to change.
"""

import html
from dataclasses import dataclass, field

from django.utils.html import strip_tags

from agora.perspective.attributes import ATTRIBUTES

#: Perspective refuses comments longer than this many bytes of UTF-8; so does Agora.
MAX_TEXT_BYTES = 20_480
COMMENT_TYPES = ("PLAIN_TEXT", "HTML")
#: Fields of an ``comments:analyze`` body that Agora reads or accepts and ignores.
ANALYZE_FIELDS = {
    "comment", "requestedAttributes", "languages", "spanAnnotations", "doNotStore",
    "clientToken", "context", "sessionId", "communityId",
}  # fmt: skip
SUGGEST_FIELDS = {
    "comment", "attributeScores", "languages", "context", "clientToken", "communityId",
    "sessionId",
}  # fmt: skip
STATUS_OF_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "INVALID_ARGUMENT",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
}


class PerspectiveError(Exception):
    def __init__(self, code: int, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details or []

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message, "status": STATUS_OF_CODE[self.code]}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str) -> PerspectiveError:
    return PerspectiveError(400, message)


@dataclass(frozen=True)
class Requested:
    """One entry of ``requestedAttributes``."""

    name: str
    threshold: float | None = None


@dataclass(frozen=True)
class AnalyzeRequest:
    text: str
    attributes: list[Requested]
    languages: list[str] = field(default_factory=list)
    span_annotations: bool = False
    do_not_store: bool = False
    client_token: str | None = None
    context: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SuggestRequest:
    text: str
    scores: dict[str, float]
    languages: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    client_token: str | None = None
    community_id: str = ""


def read_analyze(body: dict) -> AnalyzeRequest:
    _refuse_unknown(body, ANALYZE_FIELDS)
    requested = body.get("requestedAttributes")
    if not isinstance(requested, dict) or not requested:
        raise invalid(
            'requestedAttributes must name at least one attribute, e.g. {"TOXICITY": {}}.'
        )
    return AnalyzeRequest(
        text=_comment_text(body),
        attributes=[_requested(name, options) for name, options in requested.items()],
        languages=_languages(body),
        span_annotations=_flag(body, "spanAnnotations"),
        do_not_store=_flag(body, "doNotStore"),
        client_token=_optional_string(body, "clientToken"),
        context=_context(body),
    )


def read_suggest(body: dict) -> SuggestRequest:
    _refuse_unknown(body, SUGGEST_FIELDS)
    given = body.get("attributeScores")
    if not isinstance(given, dict) or not given:
        raise invalid("attributeScores must give at least one attribute's summaryScore.")
    scores = {}
    for name, entry in given.items():
        _check_attribute(name)
        value = (entry or {}).get("summaryScore", {}) if isinstance(entry, dict) else None
        value = value.get("value") if isinstance(value, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise invalid(
                f"attributeScores.{name}.summaryScore.value must be a number from 0 to 1."
            )
        scores[name] = float(value)
    return SuggestRequest(
        text=_comment_text(body),
        scores=scores,
        languages=_languages(body),
        context=_context(body),
        client_token=_optional_string(body, "clientToken"),
        community_id=_optional_string(body, "communityId") or "",
    )


def _refuse_unknown(body: dict, known: set[str]) -> None:
    unknown = sorted(set(body) - known)
    if unknown:
        raise invalid(f"Unknown field(s) in the request: {', '.join(unknown)}.")


def _comment_text(body: dict) -> str:
    comment = body.get("comment")
    if not isinstance(comment, dict) or not isinstance(comment.get("text"), str):
        raise invalid("comment.text is required and must be a string.")
    kind = comment.get("type", "PLAIN_TEXT")
    if kind not in COMMENT_TYPES:
        raise invalid(f"comment.type must be one of {', '.join(COMMENT_TYPES)}, not {kind!r}.")
    text = comment["text"]
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise invalid(f"comment.text must be at most {MAX_TEXT_BYTES} bytes of UTF-8.")
    if kind == "HTML":
        # Scored, and spans counted, on the text a reader sees.
        text = html.unescape(strip_tags(text))
    if not text.strip():
        raise invalid("comment.text is empty: there is nothing to score.")
    return text


def _check_attribute(name: str) -> None:
    if name not in ATTRIBUTES:
        raise invalid(f"Unknown attribute {name!r}; Agora scores {', '.join(ATTRIBUTES)}.")


def _requested(name: str, options) -> Requested:
    _check_attribute(name)
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise invalid(f"requestedAttributes.{name} must be an object, e.g. {{}}.")
    unknown = sorted(set(options) - {"scoreType", "scoreThreshold"})
    if unknown:
        raise invalid(f"requestedAttributes.{name} has unknown option(s): {', '.join(unknown)}.")
    if options.get("scoreType", "PROBABILITY") != "PROBABILITY":
        raise invalid(f"requestedAttributes.{name}.scoreType can only be PROBABILITY.")
    threshold = options.get("scoreThreshold")
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 <= threshold <= 1
    ):
        raise invalid(f"requestedAttributes.{name}.scoreThreshold must be a number from 0 to 1.")
    return Requested(name, None if threshold is None else float(threshold))


def _languages(body: dict) -> list[str]:
    languages = body.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        raise invalid('languages must be a list of language codes, e.g. ["en"].')
    # "en-US" and "EN" are English to a model that reads English.
    return [
        code.strip().lower().replace("_", "-").split("-")[0] for code in languages if code.strip()
    ]


def _context(body: dict) -> list[str]:
    context = body.get("context", {})
    entries = context.get("entries", []) if isinstance(context, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("text", ""), str) for entry in entries
    ):
        raise invalid('context.entries must be a list of objects like {"text": "..."}.')
    # Their length is bounded by the request body's (AGORA_API_MAX_BODY_BYTES).
    return [entry["text"] for entry in entries if entry.get("text", "").strip()]


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise invalid(f"{name} must be true or false.")
    return value


def _optional_string(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid(f"{name} must be a string.")
    if value is not None and len(value) > 500:
        raise invalid(f"{name} must be at most 500 characters.")
    return value

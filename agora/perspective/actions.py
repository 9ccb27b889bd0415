"""What the Perspective-compatible endpoints do: check a key and its quota, score a
comment, keep a suggested score.

``analyze`` keeps nothing: the text is scored in memory (the context's relevance vectors
too, outside the engine's article cache) and only the key's quota counters are written.
"""

from django.conf import settings

from agora.comments import screening
from agora.guidelines import ArticleContext, CommentInput
from agora.guidelines.language import detect_language
from agora.perspective.attributes import ATTRIBUTES, span_scores
from agora.perspective.contract import AnalyzeRequest, PerspectiveError, SuggestRequest, invalid
from agora.perspective.models import ApiKey, SuggestedScore
from agora.protection import ratelimit

QUOTA_SCOPE = "perspective-key"


def authorize(raw_key: str | None) -> ApiKey:
    """The active key for ``?key=``, with one query counted against its quota."""
    if not raw_key:
        raise PerspectiveError(401, "The request has no API key: add ?key=<your Agora key>.")
    key = ApiKey.objects.find(raw_key)
    if key is None or not key.active:
        raise PerspectiveError(403, "The API key is not valid (unknown or disabled).")
    wait = ratelimit.hit(QUOTA_SCOPE, str(key.pk), key.rates)
    if wait:
        raise QuotaExceeded(wait)
    return key


class QuotaExceeded(PerspectiveError):
    def __init__(self, retry_after: int):
        super().__init__(429, f"The key's quota is used up; retry in {retry_after} s.")
        self.retry_after = retry_after


def analyze(request: AnalyzeRequest) -> dict:
    """Perspective's ``comments:analyze`` answer for one request."""
    engine = screening.engine()
    lang, detected = _language(request.text, request.languages)
    wants_relevance = any(attribute.name == "OFF_TOPIC" for attribute in request.attributes)
    if wants_relevance and (engine.relevance is None or not request.context):
        raise invalid(
            "OFF_TOPIC needs the article's text in context.entries and relevance turned on "
            "(AGORA_RELEVANCE)."
        )
    verdict = engine.judge(
        CommentInput(
            text=request.text,
            lang=lang,
            article=_context_article(request.context, lang) if wants_relevance else None,
        )
    )
    scores = {}
    for attribute in request.attributes:
        value = ATTRIBUTES[attribute.name].score(verdict, engine.policy)
        if value is None:
            raise _unsupported(attribute.name, lang, detected, request.languages)
        if attribute.threshold is not None and value < attribute.threshold:
            continue  # Perspective leaves out scores under the caller's threshold
        entry = {"summaryScore": {"value": value, "type": "PROBABILITY"}}
        if request.span_annotations:
            entry["spanScores"] = span_scores(verdict, attribute.name, len(request.text), value)
        scores[attribute.name] = entry
    answer = {"attributeScores": scores, "languages": [lang], "detectedLanguages": [detected]}
    if request.client_token is not None:
        answer["clientToken"] = request.client_token
    return answer


def suggest(key: ApiKey, request: SuggestRequest) -> dict:
    """Perspective's ``comments:suggestscore`` answer; the suggestion is kept as labelled
    data only when the publisher turned ``AGORA_PERSPECTIVE_FEEDBACK`` on."""
    detected = detect_language(request.text).lang
    if settings.AGORA_PERSPECTIVE_FEEDBACK:
        suggestion = SuggestedScore(
            key=key,
            text=request.text,
            # Kept whatever the language: feedback in one no model covers is what a new
            # model needs.
            lang=request.languages[0] if request.languages else detected,
            scores=request.scores,
            context=request.context,
            community_id=request.community_id,
            client_token=request.client_token or "",
        )
        suggestion.save()
    answer = {"detectedLanguages": [detected]}
    if request.client_token is not None:
        answer["clientToken"] = request.client_token
    return answer


def _language(text: str, languages: list[str]) -> tuple[str, str]:
    """The language to score ``text`` in, and the one read in it.

    The text decides; the caller's first language settles only what detection cannot (a
    short or mixed comment), because some callers name a language regardless of the
    comment's (Coral sends "en" for every site language Perspective did not serve).
    """
    hint = languages[0] if languages else None
    detected = detect_language(text).lang
    if hint is not None and hint not in screening.engine().models:
        raise _unsupported(None, hint, detected, languages)
    return detect_language(text, fallback=hint).lang if hint else detected, detected


def _context_article(entries: list[str], lang: str) -> ArticleContext:
    """The context entries as the article the comment answers. Its vectors are computed
    here for this request alone, so no context text stays in the engine's article cache."""
    body = "\n\n".join(entries)
    relevance = screening.engine().relevance
    vectors = relevance.article_vectors("", "", body) if lang in relevance.languages else None
    return ArticleContext(body=body, lang=lang, vectors=vectors)


def _unsupported(
    attribute: str | None, lang: str, detected: str, languages: list[str]
) -> PerspectiveError:
    subject = f"Attribute {attribute} is" if attribute else "Comments are"
    asked = f" (request languages: {', '.join(languages)})" if languages else ""
    return PerspectiveError(
        400,
        f"{subject} not scored in language {lang!r}{asked}; the comment reads as "
        f"{detected!r}. Agora's models read {', '.join(sorted(screening.engine().models))}.",
        details=[
            {
                "errorType": "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                "languageNotSupportedByAttributeError": {
                    "detectedLanguages": [detected],
                    "attribute": attribute or "",
                },
            }
        ],
    )

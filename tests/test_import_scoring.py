"""`agora import ... --score`: an imported archive judged by the guideline engine."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agora.comments import screening
from agora.comments.models import Comment, Decision
from agora.imports.scoring import score_imported

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "import-samples"
WORDPRESS = SAMPLES / "wordpress/wp-importer-theme-unit-test-data.xml"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason="needs ../shared/import-samples"),
]


def import_wordpress(*options):
    call_command("import", "wordpress", str(WORDPRESS), "--no-progress", *options)


def scored_state():
    return {
        comment.pk: (comment.status, comment.risk, comment.decision, comment.flags)
        for comment in Comment.objects.order_by("pk")
    }


def test_score_stores_the_engines_verdict_and_keeps_the_sources_decisions(capsys):
    import_wordpress("--score", "--jobs", "1")

    assert "Scored by the guideline engine: 29" in capsys.readouterr().out
    comments = list(Comment.objects.select_related("article", "parent"))
    assert len(comments) == 29
    engine = screening.engine()
    for comment in comments:
        expected = screening.judge(
            comment.article, comment.body, comment.parent.body if comment.parent else None
        )
        assert comment.verdict == expected.to_dict()
        assert (comment.risk, comment.lang) == (expected.risk, expected.lang)
        assert comment.model_version == engine.model_version
        assert comment.scored  # the queue's risk orders put it among the judged
    # Statuses as the source decided them, and no decision beyond the import's own.
    assert Comment.objects.filter(status="approved").count() == 26
    assert Comment.objects.filter(status="pending").count() == 3
    assert Decision.objects.count() == 29
    assert not Decision.objects.filter(automatic=True).exists()


def test_without_score_nothing_is_judged():
    import_wordpress()

    assert not Comment.objects.filter(verdict__isnull=False).exists()
    assert not Comment.objects.filter(scored=True).exists()


def test_several_processes_give_the_same_verdicts_as_one():
    import_wordpress()
    assert score_imported("wordpress", jobs=2) == 29
    with_two = scored_state()

    Comment.objects.update(verdict=None, risk=0.0, decision="", flags="", model_version="")
    assert score_imported("wordpress", jobs=1) == 29
    assert scored_state() == with_two


def test_scoring_again_judges_only_what_has_no_verdict():
    import_wordpress("--score", "--jobs", "1")

    assert score_imported("wordpress") == 0
    assert score_imported("disqus") == 0  # another source's comments are not touched


def test_bad_jobs_stops_before_anything_is_imported():
    with pytest.raises(CommandError, match="--jobs must be at least 1"):
        import_wordpress("--score", "--jobs", "0")
    assert not Comment.objects.exists()

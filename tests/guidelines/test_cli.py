"""``agora score``: JSON Lines in and out, order kept, bad lines reported and skipped."""

import io
import json

import pytest

from agora.guidelines import cli
from agora.guidelines.verdict import GUIDELINES, IDENTITY_SUBKEYS


def run_score(capsys, monkeypatch, lines: list[str | bytes], tmp_path=None, jobs=1):
    payload = b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines)
    if tmp_path is None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(payload)))
        code = cli.main(["score", "--jobs", str(jobs), "-"])
    else:
        path = tmp_path / "in.jsonl"
        path.write_bytes(payload)
        code = cli.main(["score", "--jobs", str(jobs), str(path)])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def comment(i: int, text: str, **extra) -> str:
    return json.dumps({"id": f"c{i}", "text": text, **extra})


def test_scores_a_file_in_order_with_the_public_schema(capsys, monkeypatch, tmp_path):
    lines = [
        comment(1, "Thanks, a clear explanation of the new budget."),
        comment(2, "you are a pathetic idiot", lang="en"),
        comment(3, "Subscribe to my channel", article={"title": "Dam", "body": "The dam..."}),
    ]
    code, out, _ = run_score(capsys, monkeypatch, lines, tmp_path)
    assert code == 0
    assert [o["id"] for o in out] == ["c1", "c2", "c3"]
    for verdict in out:
        assert set(verdict) == {"id", "lang", "scores", "decision", "reasons", "model_version"}
        assert set(verdict["scores"]) == set(GUIDELINES) | set(IDENTITY_SUBKEYS)
        assert verdict["decision"] in ("approve", "review", "reject")
        for reason in verdict["reasons"]:
            assert {"guideline", "score", "evidence"} <= set(reason)
    assert out[1]["scores"]["personal_attack"] > out[0]["scores"]["personal_attack"]


def test_a_bad_line_yields_an_error_object_and_the_rest_goes_on(capsys, monkeypatch):
    lines = [
        comment(1, "first"),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "c4"}),
        json.dumps({"id": 5, "text": "id must be a string"}),
        json.dumps({"id": "c6", "text": "x", "article": "not an object"}),
        "",
        comment(8, "last"),
    ]
    code, out, err = run_score(capsys, monkeypatch, lines)
    assert code == 1
    assert "5 line(s)" in err
    assert out[0]["id"] == "c1" and out[-1]["id"] == "c8"
    errors = out[1:-1]
    assert [e["line"] for e in errors] == [2, 3, 4, 5, 6]
    assert "invalid JSON" in errors[0]["error"]
    assert "object" in errors[1]["error"]
    assert '"text" is required' in errors[2]["error"]
    assert '"id" must be a string' in errors[3]["error"]
    assert '"article"' in errors[4]["error"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_order_is_kept_across_batches_and_processes(capsys, monkeypatch, jobs):
    monkeypatch.setattr(cli, "BATCH_SIZE", 3)
    texts = ["fine", "you idiot", "{broken", "great piece", "buy now", "ok", "thanks"] * 5
    lines = [t if t.startswith("{") else comment(i, t) for i, t in enumerate(texts)]
    code, out, _ = run_score(capsys, monkeypatch, lines, jobs=jobs)
    assert code == 1
    expected = [i + 1 if t.startswith("{") else f"c{i}" for i, t in enumerate(texts)]
    assert [o.get("id", o.get("line")) for o in out] == expected
    by_id = {o["id"]: o for o in out if "id" in o}
    assert by_id["c1"]["scores"] == by_id["c8"]["scores"]  # same text, same verdict


def test_a_line_that_is_not_utf8_is_an_error_too(capsys, monkeypatch):
    lines = [comment(1, "fine"), b'{"id": "c2", "text": "caf\xe9"}', comment(3, "ok")]
    code, out, _ = run_score(capsys, monkeypatch, lines)
    assert code == 1
    assert out[0]["id"] == "c1" and out[2]["id"] == "c3"
    assert out[1]["line"] == 2 and "UTF-8" in out[1]["error"]


def test_language_hint_is_used(capsys, monkeypatch):
    _, out, _ = run_score(capsys, monkeypatch, [comment(1, "Ew rastî ye", lang="kmr")])
    assert out[0]["lang"] == "kmr" and out[0]["decision"] == "review"


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"text": 3}, '"text" is required'),
        ({"text": "x", "lang": 1}, '"lang" must be a string'),
        ({"text": "x", "article": {"title": 1}}, '"article.title" must be a string'),
    ],
)
def test_parse_comment_says_what_is_wrong(obj, message):
    with pytest.raises(ValueError, match=message):
        cli.parse_comment(obj)


def test_parse_comment_reads_the_article():
    parsed = cli.parse_comment({"text": "x", "article": {"title": "T", "body": "B"}})
    assert parsed.article.title == "T" and parsed.article.body == "B"
    assert parsed.article.standfirst == ""

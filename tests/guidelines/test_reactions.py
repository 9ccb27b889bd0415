"""The reaction emoji measurement of ``agora evaluate``, on a stand-in engine."""

from types import SimpleNamespace

import numpy as np

from agora.guidelines.training.datasets.common import Example, make_labels
from agora.guidelines.training.reactions import REACTIONS, reaction_section


class LaughterShy:
    """Approves what has no "😂" and no "bad" in it, reviews "😂", rejects "bad"."""

    def judge_many(self, comments):
        def decide(text):
            return "reject" if "bad" in text else "review" if "😂" in text else "approve"

        return [SimpleNamespace(decision=decide(c.text)) for c in comments]


def test_reaction_section_counts_clean_rows_held_back_and_violations_let_through():
    rows = [Example(f"fine {i}", "en", "s", make_labels(profanity=0)) for i in range(4)]
    rows += [Example(f"bad {i}", "en", "s", make_labels(profanity=1)) for i in range(2)]
    rows += [Example("unlabelled", "en", "s", make_labels())]
    run = SimpleNamespace(
        lang="en", rows=rows, decisions=np.array(["approve"] * 4 + ["reject"] * 2 + ["approve"])
    )
    lines = reaction_section(LaughterShy(), [run])
    assert "rows tried: en 4 and 2" in lines[2]
    table = {line.split(" | ")[0][2:]: line for line in lines if line.startswith("| ")}
    assert set(table) == {"emoji", *REACTIONS}
    assert table["😂"].endswith("| 100.0% / 0.0% |")
    assert table["👍"].endswith("| 0.0% / 0.0% |")

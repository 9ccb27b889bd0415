"""The neural head on the encoder's vector: it learns an interaction a linear weight cannot,
and the logits it gives training rows come from the fit that did not see them."""

import numpy as np

from agora.guidelines.head import FOLDS, HeadStack
from agora.guidelines.training.datasets.common import Example, make_labels
from agora.guidelines.training.heads import fit_head, fold_of
from agora.guidelines.training.metrics import roc_auc


def _interaction(n, rng):
    """Unit vectors where the label is "the group direction AND the contempt direction"."""
    group, contempt = rng.integers(0, 2, n), rng.integers(0, 2, n)
    x = rng.normal(0, 0.02, (n, 16))
    x[:, 0] += np.where(group, 0.2, -0.2)
    x[:, 1] += np.where(contempt, 0.2, -0.2)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x, (group & contempt).astype(int)


def test_the_head_learns_what_a_linear_score_cannot():
    rng = np.random.default_rng(0)
    x, y = _interaction(4000, rng)
    folds = rng.integers(0, FOLDS, len(y))
    head, out_of_fold = fit_head(x, y, folds, seed=1)
    x_new, y_new = _interaction(2000, rng)
    assert roc_auc(y_new, head.logits(x_new)) > 0.95
    assert roc_auc(y, out_of_fold) > 0.95


def test_out_of_fold_logits_come_from_the_fit_that_did_not_see_the_row():
    rng = np.random.default_rng(2)
    x, y = _interaction(3000, rng)
    folds = rng.integers(0, FOLDS, len(y))
    head, out_of_fold = fit_head(x, y, folds, seed=3)
    for fold in range(FOLDS):
        rows = folds == fold
        assert np.allclose(out_of_fold[rows], head.fold_logits(x[rows], fold))
        assert not np.allclose(out_of_fold[rows], head.fold_logits(x[rows], 1 - fold))
    assert np.allclose(head.logits(x), np.mean([head.fold_logits(x, f) for f in (0, 1)], axis=0))


def test_rows_of_one_group_share_a_fold():
    rows = [
        Example(f"text {i}", "en", "s", make_labels(threat=0), group=f"pair{i // 2}")
        for i in range(400)
    ]
    folds = fold_of(rows, seed=13)
    assert all(folds[i] == folds[i + 1] for i in range(0, 400, 2))
    assert 0.3 < folds.mean() < 0.7


def test_heads_run_as_one_stack_give_each_heads_own_logits():
    rng = np.random.default_rng(4)
    heads = []
    for seed in range(3):
        x, y = _interaction(600, rng)
        heads.append(fit_head(x, y, rng.integers(0, FOLDS, len(y)), seed=seed)[0])
    x_new, _ = _interaction(50, rng)

    stacked = HeadStack.of(heads).logits(x_new.astype(np.float32))

    assert stacked.shape == (50, 3)
    for k, head in enumerate(heads):
        assert np.allclose(stacked[:, k], head.logits(x_new.astype(np.float32)), atol=1e-5)

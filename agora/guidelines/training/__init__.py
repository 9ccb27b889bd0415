"""Training and evaluating the guideline engine: data loaders, fitting, thresholds, peers.

Nothing here runs in a server but :mod:`.site_policy` (``agora fit_policy``, which fits a
newsroom's thresholds to its own moderators' decisions and imports none of the training
extra: a contract in pyproject.toml). The rest needs the ``training`` extra (scikit-learn,
openpyxl: ``pip install 'agora[training]'``), which a server does not install; the runtime
engine (``agora.guidelines``) never imports this package.
"""

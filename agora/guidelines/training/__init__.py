"""Training and evaluating the guideline engine: data loaders, fitting, thresholds, peers.

Nothing here runs in a server. It needs the ``training`` extra (scikit-learn, tqdm,
openpyxl: ``pip install 'agora[training]'``), which a server does not install; the runtime
engine (``agora.guidelines``) never imports this package.
"""

"""Agora's relevance code for the export scripts, without the rest of Agora.

The export environments have onnxruntime, tokenizers and numpy but not Django, so the
scripts load ``agora/guidelines/relevance.py`` by its path: what they check is the exact
code Agora runs, session options included.
"""

import importlib.util
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "agora" / "guidelines" / "relevance.py"


def load():
    """The module ``agora/guidelines/relevance.py``, loaded by path."""
    spec = importlib.util.spec_from_file_location("agora_relevance", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

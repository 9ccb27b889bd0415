"""Registry of training data loaders, one module per language.

Each module exposes ``load(data_dir: Path) -> list[Example]`` and may list, in
``COMMENT_DOMAIN``, the sources whose texts read like news-site comments (training weighs
those up). ``agora train`` builds one model per language whose module is present.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from agora.guidelines.training.datasets.common import Example

#: ``../shared/data`` seen from the repository root: where the labelled sets live.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[5] / "shared" / "data"
#: Language code -> loader module, in training order.
MODULES = {"en": "english", "ar": "arabic", "tr": "turkish", "fa": "persian"}
#: Sample weight of comment-domain rows relative to tweets, SMS and the like.
COMMENT_DOMAIN_WEIGHT = 2.0


def _module(lang: str) -> ModuleType | None:
    if lang not in MODULES:
        return None
    name = f"{__name__}.{MODULES[lang]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:  # that language's loader is not written yet
            return None
        raise


def languages() -> list[str]:
    """Languages that have a loader."""
    return [lang for lang in MODULES if _module(lang) is not None]


def loader(lang: str) -> Callable[[Path], list[Example]]:
    module = _module(lang)
    if module is None:
        raise LookupError(f"no training data loader for language {lang!r}")
    return module.load


def source_weight(lang: str, source: str) -> float:
    """Training weight of a row from ``source`` (comment-domain sets count more)."""
    module = _module(lang)
    return COMMENT_DOMAIN_WEIGHT if source in getattr(module, "COMMENT_DOMAIN", ()) else 1.0

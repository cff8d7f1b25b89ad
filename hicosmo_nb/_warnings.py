"""The package's one way to warn: at the user's line, whatever depth the warning comes from.

``warnings.warn(..., stacklevel=2)`` points at the caller, which inside hicosmo_nb is usually
another hicosmo_nb function (``facade.py``, say), not the notebook cell that called it. :func:`warn`
skips every frame in the package (``skip_file_prefixes``), so the warning names the first line
outside it. Every layer uses it; it imports nothing from the package.

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warn("check this")
>>> caught[0].message.args[0]
'check this'
"""

from __future__ import annotations

import os
import warnings

__all__ = ["PACKAGE_DIR", "warn"]

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)`` attributed to the first frame outside hicosmo_nb."""
    warnings.warn(message, category, stacklevel=2, skip_file_prefixes=(PACKAGE_DIR,))

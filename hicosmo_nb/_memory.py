"""Giving freed memory back to the operating system.

XLA's compiler allocates and frees hundreds of MB while it compiles a sampler or a MAP search,
and glibc's allocator keeps freed pages in its arenas for reuse. A kernel's resident memory
(what Binder's 1-2 GB limit counts) then stays at each compilation's peak, and the next
compilation, often in another thread and so another arena, adds its own peak on top.
:func:`release_memory` hands the free pages back (``malloc_trim``); the sampler calls it after
its MAP search and after compiling a chunk program.
"""

from __future__ import annotations

import ctypes
import gc
import sys

__all__ = ["release_memory"]


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc; absent from musl and others
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_memory() -> bool:
    """Collect garbage and return the C heap's free pages to the OS; False where the C library
    cannot (not glibc), True otherwise. Costs a few milliseconds; never changes results.

    Examples
    --------
    >>> isinstance(release_memory(), bool)
    True
    """
    gc.collect()
    if _TRIM is None:
        return False
    _TRIM(0)
    return True

"""How a dashboard's frame reaches the browser: a fast PNG encoder, and ipympl's canvas using it.

:func:`png_bytes` writes the Agg buffer as PNG with unfiltered rows at zlib's fastest level.
Pillow's writer (zlib level 6, a row filter chosen per row) spends most of its time on the
filter, which buys little on a plot's flat colours: this encoder is several times faster for
about the same size. The png mode's ``Image`` gets these bytes; :func:`ipympl_canvas` makes an
ipympl canvas whose frames are encoded the same way (with blitting, the encode was most of a
slider move's time), always whole and sent when the browser asks (see :func:`_canvas_class`).

The fast canvas overrides ipympl's ``Canvas`` and uses private state of it and of matplotlib's
WebAgg core (:data:`PRIVATE_NAMES`): checked against ipympl 0.9.0 to 0.10.0, whose canvases
share that state (:data:`IPYMPL_VERSIONS`; binder pins 0.10.0, pyproject asks for >= 0.9 and
Colab installs the newest). At each canvas creation :func:`fast_canvas_problem` checks the
installed ipympl's version and those names; outside the range, or with a name missing, the
dashboard gets ipympl's own canvas (diff frames, Pillow's encoder: slower, but correct) and a
warning, once, says why.

Examples
--------
>>> import numpy as np
>>> png_bytes(np.zeros((2, 3, 4), np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import functools
import re
import struct
import zlib

import numpy as np
from matplotlib.figure import Figure

from .._warnings import warn

__all__ = ["png_bytes", "ipympl_canvas", "fast_canvas_problem", "IPYMPL_VERSIONS", "PRIVATE_NAMES"]

# ipympl versions the fast canvas was checked against: [lower, upper), as (major, minor).
IPYMPL_VERSIONS = ((0, 9), (0, 11))
# What the fast canvas relies on, beyond ipympl's public API: owner -> names. "Canvas" is
# ipympl.backend_nbagg.Canvas (with matplotlib's FigureCanvasWebAggCore below it), "canvas" an
# instance of it (state set by its __init__), "FigureManager" ipympl's manager class.
PRIVATE_NAMES = {
    "Canvas": ("send_event", "set_image_mode", "handle_draw", "get_diff_image", "get_renderer", "send_binary",
               "_png_is_old", "_force_full"),
    "canvas": ("_last_buff",),
    "FigureManager": ("refresh_all",),
}


def png_bytes(rgba: np.ndarray) -> bytes:
    """A PNG of an ``(h, w, 4)`` uint8 RGBA array: unfiltered rows, zlib level 1."""
    h, w, _ = rgba.shape
    rows = np.empty((h, 1 + 4 * w), np.uint8)
    rows[:, 0] = 0  # filter type "None" for every row
    rows[:, 1:] = rgba.reshape(h, 4 * w)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA, not interlaced
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1))
            + chunk(b"IEND", b""))


@functools.cache
def _canvas_class():
    from ipympl.backend_nbagg import Canvas
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class FastFrameCanvas(Canvas):
        """ipympl's Canvas; frames sent when the browser asks for them, always whole, encoded by
        :func:`png_bytes`.

        Flow control: rendering (:meth:`draw`) and blitting (:meth:`blit`) only update the Agg
        buffer and tell the frontend a frame is ready; the frontend asks for it when it is not
        waiting for one (its ``draw`` message), and gets the buffer as it is then. A burst of
        slider moves therefore sends as many frames as the browser can take, never a backlog.
        Whole frames, not matplotlib's diff frames: ipympl's frontend loads frames into one image
        object, so a frame arriving before the previous one loaded replaces it unseen; a lost
        diff frame left stale pixels for good (ghost curves), a lost whole frame is superseded.
        """

        def draw(self):
            FigureCanvasAgg.draw(self)  # render (draw_event: the dashboard's background cache)
            self._png_is_old = True
            self.send_event("draw")

        def blit(self, bbox=None):
            self._png_is_old = True
            self.send_event("draw")

        def handle_draw(self, event):
            if not self._png_is_old:  # nothing rendered since the last frame (e.g. a resize)
                FigureCanvasAgg.draw(self)
                self._png_is_old = True
            self.manager.refresh_all()

        def get_diff_image(self):
            if not self._png_is_old:
                return None
            pixels = np.asarray(self.get_renderer().buffer_rgba())
            self.set_image_mode("full")
            self._last_buff = pixels.view(np.uint32).squeeze(2).copy()  # ipympl's data URL reads it
            self._force_full = False
            self._png_is_old = False
            return png_bytes(pixels)

    return FastFrameCanvas


def _version(text: str) -> tuple[int, ...]:
    """``"0.10.0"`` -> ``(0, 10)``; an unreadable version -> ``()`` (outside every range)."""
    m = re.match(r"(\d+)\.(\d+)", str(text))
    return (int(m[1]), int(m[2])) if m else ()


def fast_canvas_problem(canvas=None) -> str:
    """Why the fast canvas cannot be used with the installed ipympl, or "" if it can.

    Checks the ipympl version against :data:`IPYMPL_VERSIONS` and that the names of
    :data:`PRIVATE_NAMES` exist on ipympl's ``Canvas`` and ``FigureManager`` (and, given a
    ``canvas`` instance, on it).

    Examples
    --------
    >>> fast_canvas_problem()  # doctest: +SKIP
    ''
    """
    import ipympl
    from ipympl import backend_nbagg

    lo, hi = IPYMPL_VERSIONS
    version = getattr(ipympl, "__version__", "unknown")
    if not lo <= _version(version) < hi:
        return (f"ipympl {version} is outside the versions the fast canvas was checked against "
                f"(>= {'.'.join(map(str, lo))}, < {'.'.join(map(str, hi))})")
    owners = {"Canvas": backend_nbagg.Canvas, "FigureManager": backend_nbagg.FigureManager}
    if canvas is not None:
        owners["canvas"] = canvas
    for owner, obj in owners.items():
        missing = [n for n in PRIVATE_NAMES[owner] if not hasattr(obj, n)]
        if missing:
            return f"ipympl {version}'s {owner} has no {', '.join(missing)}"
    return ""


@functools.cache
def _warn_fallback(problem: str) -> None:
    """Warn once per reason that the dashboards use ipympl's own canvas."""
    warn(f"{problem}: the dashboards use ipympl's own canvas (correct, slower frames). Install "
         f"an ipympl >= {'.'.join(map(str, IPYMPL_VERSIONS[0]))}, < {'.'.join(map(str, IPYMPL_VERSIONS[1]))} "
         "for the fast one, or use mode='png'.")


def ipympl_canvas(figure: Figure):
    """An ipympl canvas widget (no header, toolbar or resize handle) showing ``figure``.

    The fast canvas (:func:`_canvas_class`) where :func:`fast_canvas_problem` finds none, else
    ipympl's own ``Canvas``, with a one-time warning.
    """
    from ipympl.backend_nbagg import Canvas, FigureManager

    problem = fast_canvas_problem()
    canvas = None
    if not problem:
        canvas = _canvas_class()(figure)
        problem = fast_canvas_problem(canvas)
        if problem:
            canvas.close()  # its comm; the plain canvas below takes the figure over
    if problem:
        _warn_fallback(problem)
        canvas = Canvas(figure)
    FigureManager(canvas, 0)
    canvas.header_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    return canvas

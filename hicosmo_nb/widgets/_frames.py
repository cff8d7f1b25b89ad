"""How a dashboard's frame reaches the browser: a fast PNG encoder, and ipympl's canvas using it.

:func:`png_bytes` writes the Agg buffer as PNG with unfiltered rows at zlib's fastest level.
Pillow's writer (zlib level 6, a row filter chosen per row) spends most of its time on the
filter, which buys little on a plot's flat colours: this encoder is several times faster for
about the same size. The png mode's ``Image`` gets these bytes; :func:`ipympl_canvas` makes an
ipympl canvas whose frames are encoded the same way (with blitting, the encode was most of a
slider move's time), always whole and sent when the browser asks (see :func:`_canvas_class`).

Examples
--------
>>> import numpy as np
>>> png_bytes(np.zeros((2, 3, 4), np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import functools
import struct
import zlib

import numpy as np
from matplotlib.figure import Figure

__all__ = ["png_bytes", "ipympl_canvas"]


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


def ipympl_canvas(figure: Figure):
    """An ipympl canvas widget (no header, toolbar or resize handle) showing ``figure``."""
    from ipympl.backend_nbagg import FigureManager

    canvas = _canvas_class()(figure)
    FigureManager(canvas, 0)
    canvas.header_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    return canvas

"""Decode-checking of image files from user data, with the fault said in words.

Pillow's own messages name a file object (``cannot identify image file <_io.BytesIO
object at 0x...>``); :func:`check_image_bytes` says instead what is wrong with the file:
empty, not an image, or truncated / corrupt, with its path and size. Every place that
decodes user images (stage 2's images, the frozen-feature benchmarks, the stage-3 image
sizes) raises :class:`ImageReadError` through it.
"""
import io
from typing import Optional

from PIL import Image, UnidentifiedImageError

# leading bytes of the formats the project reads (to tell "cut short" from "not an image")
_SIGNATURES = {b'\xff\xd8\xff': 'JPEG', b'\x89PNG': 'PNG', b'GIF8': 'GIF', b'BM': 'BMP',
               b'II*\x00': 'TIFF', b'MM\x00*': 'TIFF', b'P5': 'PGM', b'P6': 'PPM'}


class ImageReadError(RuntimeError):
    """An image file that cannot be decoded (empty, not an image, truncated, corrupt)."""


def _format_of(content: bytes) -> Optional[str]:
    if content[:4] == b'RIFF' and content[8:12] == b'WEBP':
        return 'WebP'
    return next((fmt for sig, fmt in _SIGNATURES.items() if content.startswith(sig)), None)


def image_fault(path: str, content: bytes, err: Optional[BaseException] = None) -> str:
    """``'<path>: <what is wrong>'`` for a file that failed to decode.

    Args:
        path: The file (for the message).
        content: Its bytes.
        err: Pillow's exception, if any (its own words are kept when they are words).
    """
    size = f'{len(content)} bytes'
    if not content:
        return f'{path}: empty file (0 bytes)'
    fmt = _format_of(content)
    if isinstance(err, UnidentifiedImageError) or err is None:
        if fmt:
            return (f'{path}: truncated or corrupt {fmt} file ({size}): its header cannot be '
                    'read')
        return (f'{path}: not an image file ({size}; starts with {content[:8]!r}, no known '
                'image format)')
    if 'truncated' in str(err):
        return f'{path}: truncated {fmt or "image"} file ({size}): the image data ends early'
    return f'{path}: corrupt {fmt or "image"} file ({size}): {err}'


def check_image_bytes(path: str, content: bytes) -> Optional[str]:
    """Fully decode ``content`` with Pillow; its mode (``'RGB'``, ``'I;16'``...).

    Returns:
        The Pillow mode, or ``None`` for an image too large for Pillow's decompression
        bomb guard (valid, left to the caller's decoder).

    Raises:
        ImageReadError: If the file is empty, not an image, truncated or corrupt.
    """
    try:
        with Image.open(io.BytesIO(content)) as pil:
            pil.load()  # full decode: raises on truncated or corrupt data
            return pil.mode
    except Image.DecompressionBombError:
        return None
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise ImageReadError(image_fault(path, content, err)) from None

"""Importers of the references' released checkpoints (ORL, SCRL, SlotCon) into our layout.

:func:`import_official` reads a file as its reference code saves it, maps every key to our
model of the method's paper config (:mod:`.orl`, :mod:`.scrl`, :mod:`.slotcon`), refuses a
file with unknown or missing keys (nothing is written), and writes an orl_mm checkpoint:
``state_dict`` in our names and ``meta['cfg']``, the config text of the model that holds
it, as mmengine's runner writes it — so :func:`orl_mm.evaluation.checkpoints.checkpoint_method`
names the method and every tool and the transfer initialiser treat the file as one of ours.
``meta['imported']`` says where it came from and which parts it lacks.
"""
import os.path as osp
from typing import Dict, Mapping, Optional, Union

import torch

from ...utils.io import atomic_write
from .base import Converted, OfficialCheckpointError, OfficialImporter, convert
from .orl import ORLImporter
from .scrl import SCRLImporter
from .slotcon import SlotConImporter

__all__ = ['IMPORTERS', 'OfficialCheckpointError', 'Converted', 'convert_official',
           'import_official', 'checkpoint_of']

#: The importer of each method (``--method``).
IMPORTERS: Dict[str, OfficialImporter] = {
    imp.method: imp for imp in (ORLImporter(), SCRLImporter(), SlotConImporter())}


def _importer(method: str) -> OfficialImporter:
    if method not in IMPORTERS:
        raise ValueError(f'no importer for method {method!r}; there are {sorted(IMPORTERS)}')
    return IMPORTERS[method]


def _load(src: str) -> Mapping:
    if not osp.isfile(src):
        raise FileNotFoundError(f'checkpoint not found: {src}')
    try:
        # the references pickle more than tensors (SlotCon: its argparse Namespace):
        # trusted files only, as mmengine's own checkpoints
        return torch.load(src, map_location='cpu', weights_only=False)
    except Exception as err:  # noqa: BLE001  (any unreadable file)
        raise OfficialCheckpointError(
            f'{src} is not a file torch.load can read ({type(err).__name__}: {err})') from err


def convert_official(src: Union[str, Mapping], method: str, config: Optional[str] = None,
                     bare_weights: Optional[str] = None) -> Converted:
    """A reference file (path or loaded dict) in our layout; see :func:`import_official`."""
    checkpoint = _load(src) if isinstance(src, str) else src
    return convert(checkpoint, _importer(method), config=config, bare_weights=bare_weights)


def checkpoint_of(converted: Converted, method: str, source: str = '') -> dict:
    """The orl_mm checkpoint dict of a converted file."""
    importer = _importer(method)
    return {
        'meta': {
            'cfg': converted.config,
            'imported': {
                'method': method,
                'reference': importer.reference,
                'source': osp.basename(source) if source else '',
                'layout': converted.layout,
                'parts': converted.present,
                'lacks': converted.absent,
                'dropped': converted.dropped,
                'notes': converted.notes,
            },
        },
        'state_dict': converted.state_dict,
    }


def import_official(src: Union[str, Mapping], dst: str, method: str,
                    config: Optional[str] = None, bare_weights: Optional[str] = None
                    ) -> Converted:
    """Import a released checkpoint of ``method`` and write it to ``dst`` (atomically).

    Args:
        src: The reference's file (or what ``torch.load`` returned for it).
        dst: The orl_mm checkpoint to write.
        method: ``'orl'``, ``'scrl'`` or ``'slotcon'``.
        config: Our config whose model takes the weights (default: the method's paper
            config for the released weights).
        bare_weights: For a backbone-only file, which of our backbones it is
            (``'online'``/``'target'``; default: what the reference's exporter keeps —
            ORL online, SlotCon the teacher).

    Returns:
        The conversion (parts present and absent, dropped entries, notes).

    Raises:
        OfficialCheckpointError: The file is not in the reference's layout (the message
            names the unknown and missing keys); ``dst`` is then not written.
    """
    if isinstance(src, str) and osp.abspath(src) == osp.abspath(dst):
        raise ValueError(f'the output would overwrite the reference file {src}')
    converted = convert_official(src, method, config=config, bare_weights=bare_weights)
    checkpoint = checkpoint_of(converted, method, src if isinstance(src, str) else '')
    atomic_write(dst, lambda f: torch.save(checkpoint, f))
    return converted

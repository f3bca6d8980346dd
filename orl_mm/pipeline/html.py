"""``report.html``: the report as one self-contained page (figures embedded as data URIs),
which opens from disk in any browser."""
import base64
import html
import os.path as osp

from .methods import METHODS
from .report import figure_note, figure_titles, fmt, footer, tables

_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1400px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 0.3em; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: right; }
th { background: #eee; } td:first-child, th:first-child { text-align: left; }
p.note { color: #555; font-size: 90%; margin-top: 0.2em; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-weight: bold; margin-bottom: 0.4em; }
"""


def _data_uri(path: str) -> str:
    with open(path, 'rb') as f:
        return 'data:image/png;base64,' + base64.b64encode(f.read()).decode('ascii')


def render_html(report: dict, report_dir: str) -> str:
    """The page for a report of :func:`orl_mm.pipeline.report.collect`.

    Args:
        report: The collected report.
        report_dir: The folder the figure paths are relative to.

    Returns:
        The HTML text; every figure is an ``<img>`` with a ``data:`` URI (``class="figure"``,
        ``id`` = the figure's key).
    """
    esc = html.escape
    title = 'Object-level pre-training: ' + ', '.join(METHODS[m].label for m in report['methods'])
    parts = ['<!DOCTYPE html>', '<html><head><meta charset="utf-8">',
             f'<title>{esc(title)}</title><style>{_STYLE}</style></head><body>',
             f'<h1>{esc(title)}</h1>']
    for table in tables(report):
        parts.append(f'<h2>{esc(table["title"])}</h2><table><tr>'
                     + ''.join(f'<th>{esc(h)}</th>' for h in table['header']) + '</tr>')
        for row in table['rows']:
            parts.append('<tr>' + ''.join(f'<td>{esc(fmt(v))}</td>' for v in row) + '</tr>')
        parts.append('</table>')
        if table['note']:
            parts.append(f'<p class="note">{esc(table["note"])}</p>')
    for key, rel in report['figures'].items():
        parts.append(f'<figure><figcaption>{esc(figure_titles()[key])}</figcaption>'
                     f'<img class="figure" id="{esc(key)}" alt="{esc(key)}" '
                     f'src="{_data_uri(osp.join(report_dir, rel))}"></figure>')
        if figure_note(report, key):
            parts.append(f'<p class="note">{esc(figure_note(report, key))}</p>')
    if report['exports']:
        parts.append('<h2>Transfer weights</h2><ul>' + ''.join(
            f'<li>{esc(METHODS[m].label)}: <code>{esc(p)}</code></li>'
            for m, p in report['exports'].items()) + '</ul>')
    parts.append(f'<p>{esc(footer(report))}</p>')
    parts.append('</body></html>')
    return '\n'.join(parts) + '\n'

"""Open the pipeline's report.html in headless Chromium: check every figure renders, screenshot.

Example::

    python tools/misc/check_report_html.py work_dirs/pipeline_demo/report/report.html \
        --screenshot work_dirs/pipeline_demo/report/screenshot.png

Chromium loads a copy of the page with a small script that, once the page has loaded,
writes for every ``<img>`` whether it decoded (``complete`` and ``naturalWidth > 0``) and
its size into the DOM, which ``--dump-dom`` prints. Exits with 1 if an image failed or the
page has none, 2 if no Chromium is found (Debian: ``apt-get install chromium``).
"""
import argparse
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import tempfile
from typing import List, Optional

CANDIDATES = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
_PROBE = """<script>
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('img').forEach(function (img) {
    out.push({id: img.id, complete: img.complete, width: img.naturalWidth,
              height: img.naturalHeight});
  });
  var pre = document.createElement('pre');
  pre.id = 'orl-mm-image-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def find_chromium() -> Optional[str]:
    """The first Chromium/Chrome executable on PATH (``CHROMIUM`` overrides), or None."""
    env = os.environ.get('CHROMIUM')
    if env:
        return env
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _chromium(binary: str, *args: str, timeout: int = 120) -> str:
    cmd = [binary, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
           '--disable-dev-shm-usage', *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f'chromium failed ({proc.returncode}): {proc.stderr[-2000:]}')
    return proc.stdout


def check_images(html_file: str, binary: str) -> List[dict]:
    """Per ``<img>`` of the page: ``id``, ``complete``, ``width``, ``height`` as rendered."""
    with open(html_file) as f:
        page = f.read()
    probe_page = page.replace('</body>', _PROBE + '</body>') if '</body>' in page \
        else page + _PROBE
    with tempfile.TemporaryDirectory() as tmp:
        probe = osp.join(tmp, 'probe.html')  # same content, so no file beside it is needed
        with open(probe, 'w') as f:
            f.write(probe_page)
        dom = _chromium(binary, '--virtual-time-budget=10000', '--dump-dom',
                        'file://' + osp.abspath(probe))
    match = re.search(r'<pre id="orl-mm-image-check">(.*?)</pre>', dom, re.S)
    if not match:
        raise RuntimeError('the page did not finish loading in Chromium (no probe result)')
    import html
    return json.loads(html.unescape(match.group(1)))


def screenshot(html_file: str, out_file: str, binary: str, width: int = 1400,
               height: int = 6000) -> str:
    """Render the page (width x height px window) to a PNG."""
    _chromium(binary, f'--window-size={width},{height}', '--virtual-time-budget=10000',
              f'--screenshot={osp.abspath(out_file)}', 'file://' + osp.abspath(html_file))
    if not osp.isfile(out_file):
        raise RuntimeError(f'chromium wrote no screenshot at {out_file}')
    return out_file


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('html', help='report.html')
    p.add_argument('--screenshot', help='also write a PNG screenshot here')
    p.add_argument('--height', type=int, default=6000, help='screenshot height (px)')
    p.add_argument('--chromium', help='browser executable (default: found on PATH)')
    args = p.parse_args(argv)
    binary = args.chromium or find_chromium()
    if binary is None:
        print('no Chromium found (Debian: apt-get install chromium; or set CHROMIUM)',
              file=sys.stderr)
        return 2
    images = check_images(args.html, binary)
    bad = [im for im in images if not (im['complete'] and im['width'] > 0)]
    for im in images:
        state = 'ok' if im not in bad else 'NOT RENDERED'
        print(f'{im["id"] or "(no id)"}: {im["width"]}x{im["height"]} {state}')
    if args.screenshot:
        print(f'screenshot: {screenshot(args.html, args.screenshot, binary, height=args.height)}')
    if not images or bad:
        print(f'{len(bad)} of {len(images)} images did not render', file=sys.stderr)
        return 1
    print(f'all {len(images)} images rendered')
    return 0


if __name__ == '__main__':
    sys.exit(main())

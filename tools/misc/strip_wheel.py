"""Strip debug information from the shared libraries inside a wheel, in place.

mmcv's compiled ops come out of ``pip wheel`` with full debug info (about 32 MB); stripped,
the wheel is about 1.4 MB. ``wheel pack`` rewrites RECORD with the new hashes.

Usage: python tools/misc/strip_wheel.py WHEEL [WHEEL ...]
"""
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys
import tempfile


def strip_wheel(path: str) -> None:
    """Replace ``path`` by the same wheel with ``strip --strip-debug`` applied."""
    if shutil.which('strip') is None:
        print(f'strip not found: keeping {path} as built')
        return
    out_dir = osp.dirname(osp.abspath(path))
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        subprocess.run([sys.executable, '-m', 'wheel', 'unpack', '-d', tmp, path],
                       check=True, stdout=subprocess.DEVNULL)
        (unpacked, ) = glob.glob(osp.join(tmp, '*'))
        libs = glob.glob(osp.join(unpacked, '**', '*.so'), recursive=True)
        for lib in libs:
            subprocess.run(['strip', '--strip-debug', lib], check=True)
        packed = osp.join(tmp, 'packed')
        os.makedirs(packed)
        subprocess.run([sys.executable, '-m', 'wheel', 'pack', '-d', packed, unpacked],
                       check=True, stdout=subprocess.DEVNULL)
        (new_wheel, ) = glob.glob(osp.join(packed, '*.whl'))
        before = osp.getsize(path)
        os.replace(new_wheel, path)
    print(f'stripped {len(libs)} libraries in {osp.basename(path)}: '
          f'{before / 2**20:.1f} MB -> {osp.getsize(path) / 2**20:.1f} MB')


if __name__ == '__main__':
    for wheel_path in sys.argv[1:]:
        strip_wheel(wheel_path)

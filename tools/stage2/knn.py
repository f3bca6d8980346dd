"""ORL stage 2, step 'knn' alone (same arguments as tools/stage2/discover.py)."""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from discover import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(steps=['knn']))

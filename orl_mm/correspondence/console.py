"""Messages and progress of stage 2, through mmengine's logger.

On a terminal the progress is mmengine's ``ProgressBar`` (rate and ETA, redrawn in
place); otherwise (a log file, a pipe) it is a plain line at most every ``every_s``
seconds and every 10 %, with the rate and the ETA, so a log stays readable.
"""
import logging
import sys
import time
from typing import IO, Optional

from mmengine.dist import get_dist_info
from mmengine.logging import print_log


def log(msg: str, level: int = logging.INFO) -> None:
    """A message on rank 0 (warnings and errors on every rank)."""
    if level >= logging.WARNING or get_dist_info()[0] == 0:
        print_log(msg, logger='current', level=level)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f'{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}'


class Progress:
    """Counts done items of a step; silent off rank 0 or when disabled.

    Args:
        total: Items to do.
        title: Shown before the counts.
        enabled: Show anything at all.
        stream: Where a terminal bar goes (default ``sys.stdout``); when it is not a TTY
            the lines go through :func:`log` instead.
        every_s: Minimum seconds between two log lines (besides each 10 %).
    """

    def __init__(self, total: int, title: str, enabled: bool = True,
                 stream: Optional[IO] = None, every_s: float = 30.0) -> None:
        self.total, self.title, self.done = total, title, 0
        self.enabled = enabled and total > 0 and get_dist_info()[0] == 0
        self.stream = stream or sys.stdout
        self.every_s = every_s
        self.start = self.last = time.perf_counter()
        self.next_step = 0.1
        self.bar = None
        if not self.enabled:
            return
        if getattr(self.stream, 'isatty', lambda: False)():
            from mmengine.utils import ProgressBar
            self.stream.write(f'{title}: {total} to do\n')
            self.bar = ProgressBar(total, file=self.stream)
        else:
            self._emit(f'{title}: {total} to do')

    def _emit(self, line: str) -> None:
        if self.stream is sys.stdout:
            log(line)
        else:
            self.stream.write(line + '\n')
            self.stream.flush()

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.perf_counter()
        fraction = self.done / self.total
        if fraction >= self.next_step or now - self.last >= self.every_s or \
                self.done == self.total:
            while self.next_step <= fraction:
                self.next_step += 0.1
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            eta = (self.total - self.done) / rate if rate > 0 else 0.0
            self._emit(f'{self.title}: {self.done}/{self.total} ({100 * fraction:.0f}%), '
                       f'{rate:.2f}/s, elapsed {_clock(now - self.start)}, ETA {_clock(eta)}')

    def close(self) -> None:
        if self.bar is not None:
            self.stream.write('\n')
            self.stream.flush()

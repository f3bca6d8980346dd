"""Stage-2 progress: readable in a log file (no carriage returns), with rate and ETA."""
import io

from orl_mm.correspondence.console import Progress


def test_progress_in_a_log_file_is_a_few_plain_lines():
    out = io.StringIO()  # not a TTY, like a log file or a pipe
    bar = Progress(1000, 'selective search', stream=out, every_s=3600)
    for _ in range(1000):
        bar()
    bar.close()
    text = out.getvalue()
    lines = text.splitlines()
    assert '\r' not in text
    assert lines[0] == 'selective search: 1000 to do'
    assert len(lines) == 11  # the header, then one line per 10 %
    assert lines[1].startswith('selective search: 100/1000 (10%), ')
    assert lines[-1].startswith('selective search: 1000/1000 (100%), ')
    assert all('/s, elapsed ' in line and 'ETA ' in line for line in lines[1:])


def test_progress_disabled_or_empty_is_silent():
    out = io.StringIO()
    bar = Progress(10, 'x', enabled=False, stream=out)
    bar(10)
    Progress(0, 'y', stream=out)
    assert out.getvalue() == ''

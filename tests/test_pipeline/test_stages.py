"""The pipeline's skip/resume bookkeeping and fingerprints (orl_mm.pipeline.stages)."""
import os
import os.path as osp
import sys

import pytest

from orl_mm.pipeline import PipelineError, Stage, run_stages


def _stages(tmp_path, keys=('a', 'b', 'c')):
    names = ('stage1', 'stage2', 'stage3')
    return [Stage(name, ['true'], [str(tmp_path / name / 'done.txt')],
                  work_dir=str(tmp_path / name), key=key, deps=names[:i])
            for i, (name, key) in enumerate(zip(names, keys))]


class FakeRunner:
    """Writes a stage's outputs, except for the stages told to fail midway."""

    def __init__(self, interrupt=()):
        self.calls = []
        self.interrupt = set(interrupt)

    def __call__(self, stage, log_file):
        self.calls.append(stage.name)
        os.makedirs(stage.work_dir, exist_ok=True)
        with open(osp.join(stage.work_dir, 'partial.txt'), 'w') as f:
            f.write('work in progress')
        if stage.name in self.interrupt:
            raise KeyboardInterrupt  # a kill in the middle of the stage
        for out in stage.outputs:
            with open(out, 'w') as f:
                f.write('ok')


def test_runs_all_then_skips_complete(tmp_path):
    runner = FakeRunner()
    summary = run_stages(_stages(tmp_path), str(tmp_path / 'logs'), runner)
    assert runner.calls == ['stage1', 'stage2', 'stage3']
    assert [v['status'] for v in summary.values()] == ['ran'] * 3
    runner = FakeRunner()
    summary = run_stages(_stages(tmp_path), str(tmp_path / 'logs'), runner)
    assert runner.calls == [] and [v['status'] for v in summary.values()] == ['skipped'] * 3
    run_stages(_stages(tmp_path), str(tmp_path / 'logs'), runner, force=['stage2'])
    assert runner.calls == ['stage2']


def test_interrupted_stage_is_resumed_and_later_stages_wait(tmp_path, capsys):
    with pytest.raises(KeyboardInterrupt):
        run_stages(_stages(tmp_path), str(tmp_path / 'logs'), FakeRunner(interrupt=['stage2']))
    runner = FakeRunner()
    run_stages(_stages(tmp_path), str(tmp_path / 'logs'), runner)
    assert runner.calls == ['stage2', 'stage3']  # stage 1 kept, stage 2 resumed
    assert 'stage2: running (resuming)' in capsys.readouterr().out


def test_stage_without_its_outputs_is_an_error(tmp_path):
    stages = _stages(tmp_path)

    def lazy(stage, log_file):
        pass  # exits cleanly but writes nothing

    with pytest.raises(PipelineError, match='stage1 finished without .*done.txt'):
        run_stages(stages, str(tmp_path / 'logs'), lazy)


def test_failing_command_names_its_log(tmp_path):
    stage = Stage('bad', [sys.executable, '-c', 'import sys; print("boom"); sys.exit(3)'],
                  [str(tmp_path / 'never')])
    with pytest.raises(PipelineError, match=r'bad failed \(exit code 3\).*bad.log'):
        run_stages([stage], str(tmp_path / 'logs'))
    assert 'boom' in (tmp_path / 'logs' / 'bad.log').read_text()


def test_changed_key_reruns_that_stage_and_its_dependants_from_scratch(tmp_path, capsys):
    run_stages(_stages(tmp_path), str(tmp_path / 'logs'), FakeRunner())
    marker = tmp_path / 'stage2' / 'old.txt'
    marker.write_text('from the run with the old config')
    runner = FakeRunner()
    summary = run_stages(_stages(tmp_path, keys=('a', 'B', 'c')), str(tmp_path / 'logs'), runner)
    assert runner.calls == ['stage2', 'stage3']  # stage 3 depends on stage 2
    assert [summary[n]['status'] for n in ('stage1', 'stage2', 'stage3')] == [
        'skipped', 'reran', 'reran']
    assert not marker.exists()  # cleaned, not resumed
    assert 'stage2: its inputs or settings changed' in capsys.readouterr().out
    runner = FakeRunner()
    run_stages(_stages(tmp_path, keys=('a', 'B', 'c')), str(tmp_path / 'logs'), runner)
    assert runner.calls == []


def test_outputs_without_a_record_are_not_trusted(tmp_path):
    stages = _stages(tmp_path)
    for stage in stages:  # e.g. left by an older pipeline, config unknown
        os.makedirs(stage.work_dir)
        for out in stage.outputs:
            open(out, 'w').close()
    runner = FakeRunner()
    run_stages(stages, str(tmp_path / 'logs'), runner)
    assert runner.calls == ['stage1', 'stage2', 'stage3']


def test_wall_time_accumulates_over_resumes(tmp_path):
    clock = iter([0., 5., 100., 107.])  # run 1: 5 s then a kill; run 2: 7 s
    stages = _stages(tmp_path)[:1]
    with pytest.raises(KeyboardInterrupt):
        run_stages(stages, str(tmp_path / 'logs'), FakeRunner(interrupt=['stage1']),
                   clock=lambda: next(clock))
    summary = run_stages(stages, str(tmp_path / 'logs'), FakeRunner(), clock=lambda: next(clock))
    assert summary['stage1'] == dict(status='ran', seconds=7., total_seconds=12.)


def test_dependency_order_is_checked(tmp_path):
    stages = _stages(tmp_path)
    with pytest.raises(PipelineError, match="stage2 depends on .*'stage1'"):
        run_stages(stages[1:], str(tmp_path / 'logs'), FakeRunner())


def test_in_process_stage_runs_the_script_as_main_and_logs_it(tmp_path, capsys):
    script = tmp_path / 'tool.py'
    script.write_text('import sys\nprint("noise - mmengine - x")\nprint("result", sys.argv[1:])\n'
                      'open(sys.argv[1], "w").write("ok")\n'
                      'if __name__ == "__main__":\n    sys.exit(int(sys.argv[2]))\n')
    out = str(tmp_path / 'out.txt')
    good = Stage('good', [sys.executable, str(script), out, '0'], [out], in_process=True)
    bad = Stage('bad', [sys.executable, str(script), out + '2', '3'], [out + '2'],
                in_process=True)
    run_stages([good], str(tmp_path / 'logs'))
    assert open(out).read() == 'ok'
    console = capsys.readouterr().out
    assert f"[good] result ['{out}', '0']" in console and 'noise' not in console
    assert 'noise - mmengine - x' in (tmp_path / 'logs' / 'good.log').read_text()
    with pytest.raises(PipelineError, match=r'bad failed \(exit code 3\)'):
        run_stages([bad], str(tmp_path / 'logs'))
    assert sys.argv[0] != str(script)  # restored


def test_interrupt_stops_the_child_and_keeps_the_time(tmp_path, monkeypatch):
    """A kill of the pipeline (SIGTERM -> SystemExit, Ctrl-C) while a stage's child runs."""
    import subprocess

    import orl_mm.pipeline.stages as stages
    stage = Stage('slow', [sys.executable, '-c',
                           'import time\nprint("started", flush=True)\ntime.sleep(60)'],
                  [str(tmp_path / 'never')])
    children, real_popen = [], subprocess.Popen

    def popen(*args, **kwargs):
        children.append(real_popen(*args, **kwargs))
        return children[-1]

    class Console:
        def write(self, text):
            if '[slow] started' in text:  # the child is running: now the "kill"
                raise SystemExit(143)

        def flush(self):
            pass

    monkeypatch.setattr(stages.subprocess, 'Popen', popen)
    monkeypatch.setattr(sys, 'stdout', Console())
    with pytest.raises(SystemExit):
        run_stages([stage], str(tmp_path / 'logs'))
    monkeypatch.undo()
    assert children[0].poll() is not None  # the child was stopped, not orphaned
    record = stages.read_json(str(tmp_path / 'state' / 'slow.json'))
    assert record['done'] is False and record['seconds'] > 0


def test_interrupt_stops_what_a_launch_script_started(tmp_path, monkeypatch):
    """A launch script (bash running torchrun or srun) is stopped with its children: the
    whole process group of the stage, not only the shell, which would orphan them."""
    import time

    import orl_mm.pipeline.stages as stages
    child = ('import os, time\nprint("started", os.getpid(), flush=True)\n'
             'time.sleep(60)')
    # `; true` keeps bash waiting on its child (no exec), like the launch scripts
    stage = Stage('launched', ['bash', '-c', f'{sys.executable} -c \'{child}\'; true'],
                  [str(tmp_path / 'never')])
    pids = []

    class Console:
        def write(self, text):
            if '[launched] started' in text:
                pids.append(int(text.split()[-1]))
                raise SystemExit(143)

        def flush(self):
            pass

    monkeypatch.setattr(sys, 'stdout', Console())
    with pytest.raises(SystemExit):
        run_stages([stage], str(tmp_path / 'logs'))
    monkeypatch.undo()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pids[0], 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pids[0], 9)
        pytest.fail('the launch script\'s child outlived the pipeline')
    assert stages.read_json(str(tmp_path / 'state' / 'launched.json'))['done'] is False

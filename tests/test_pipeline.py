"""The pipeline's skip/resume bookkeeping (orl_mm.pipeline)."""
import os.path as osp
import sys

import pytest

from orl_mm.pipeline import PipelineError, Stage, run_stages


def _stages(tmp_path):
    return [Stage(name, ['true'], [str(tmp_path / name / 'done.txt')],
                  work_dir=str(tmp_path / name)) for name in ('stage1', 'stage2', 'stage3')]


class FakeRunner:
    """Writes a stage's outputs, except for the stages told to fail midway."""

    def __init__(self, interrupt=()):
        self.calls = []
        self.interrupt = set(interrupt)

    def __call__(self, stage, log_file):
        self.calls.append(stage.name)
        import os
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

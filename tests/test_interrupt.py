"""Ctrl-C during `glassnet train`: training stops at a batch boundary, the model, the metrics,
the history and the report are still written, the command says where, and exits 130.

The command runs in a subprocess on a bundled dataset with far more epochs than it could finish;
SIGINT is sent once training has started (the progress bar, or the first epoch line, shows
that fit has installed its Ctrl-C handler).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("glassnet.commands") is None,
                       reason="glassnet.commands (glassnet train) is not there yet"),
    pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX"),
]

SRC = str(Path(gn.__file__).resolve().parents[1])
EPOCHS = 100000
# fit has started (and installed its Ctrl-C handler) once tqdm's bar shows on stderr, or, without
# tqdm, once the first per-epoch line shows on stdout; an epoch is done once either counts one
STARTED = ("training", "epoch 1/")
EPOCHS_DONE = re.compile(rf"(?:\| *|epoch )([0-9]+)/{EPOCHS}\b")


class _Reader(threading.Thread):
    """Collects a pipe's output as it comes (tqdm writes \\r, not lines)."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe, self.chunks = pipe, []

    def run(self):
        for chunk in iter(lambda: self.pipe.read1(4096), b""):
            self.chunks.append(chunk)

    @property
    def text(self):
        return b"".join(self.chunks).decode("utf-8", "replace")


def _start_training(out_dir):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "glassnet", "train", "energy", "--epochs", str(EPOCHS),
           "--no-early-stopping", "--batch-size", "16", "--seed", "0", "--out", str(out_dir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = _Reader(proc.stdout), _Reader(proc.stderr)
    out.start()
    err.start()
    return proc, out, err


def _wait_until_training(proc, out, err, epochs_done=0, timeout=60):
    """Return once fit runs and at least ``epochs_done`` epochs are complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out.text + err.text
        if any(s in text for s in STARTED) and (epochs_done == 0 or max(
                (int(n) for n in EPOCHS_DONE.findall(text)), default=0) >= epochs_done):
            return
        if proc.poll() is not None:
            pytest.fail(f"glassnet train ended before training started (exit {proc.returncode})"
                        f"\nstdout: {out.text[-2000:]}\nstderr: {err.text[-2000:]}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail(f"no sign of training after {timeout} s\nstdout: {out.text[-2000:]}")


def _finish(proc, out, err, timeout=60):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"glassnet train did not stop within {timeout} s of Ctrl-C\n"
                    f"stdout: {out.text[-2000:]}\nstderr: {err.text[-2000:]}")
    out.join(5)
    err.join(5)
    return out.text, err.text


def _check_saved(out_dir, stdout, stderr, returncode, expected=130):
    both = stdout + stderr
    assert returncode == expected, f"exit {returncode}\n{both[-3000:]}"
    assert "Traceback" not in both, both[-3000:]
    assert "interrupted" in stdout and f"saved to {out_dir}" in stdout, stdout[-2000:]

    for name in ("model.gnet", "metrics.json", "history.csv", "report.html"):
        assert (out_dir / name).is_file(), f"{name} missing: {sorted(os.listdir(out_dir))}"
    assert not [p for p in os.listdir(out_dir) if p.endswith(".tmp")], "a temporary file left"
    assert not (out_dir / ".glassnet.lock").exists(), "the lock of --out was left behind"

    summary = json.loads((out_dir / "metrics.json").read_text())
    assert summary["interrupted"] is True and summary["diverged"] is False
    assert "interrupted" in summary["stop_reason"]
    assert summary["epochs_trained"] < EPOCHS
    assert "interrupted" in (out_dir / "report.html").read_text().lower()

    from glassnet.io import load_model
    model = load_model(out_dir / "model.gnet")
    X = np.zeros((3, model.n_features), dtype=model.dtype)
    proba = model.predict_proba(X)
    assert proba.shape[0] == 3 and np.isfinite(proba).all()
    assert all(np.isfinite(w).all() for w in model.get_weights())
    return summary


def test_ctrl_c_during_train_saves_the_model_and_the_report(tmp_path):
    out_dir = tmp_path / "run"
    proc, out, err = _start_training(out_dir)
    _wait_until_training(proc, out, err, epochs_done=2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = _finish(proc, out, err)
    summary = _check_saved(out_dir, stdout, stderr, proc.returncode)
    assert summary["epochs_trained"] >= 2
    history = (out_dir / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,") and len(history) == summary["epochs_trained"] + 1


def test_sigterm_stops_training_as_ctrl_c_does_and_saves(tmp_path):
    """Trial 14/2 finding 3: SIGTERM (timeout, docker stop, a scheduler's preemption) ended
    the process at once: every trained epoch was lost and only the lock file was left."""
    out_dir = tmp_path / "run"
    proc, out, err = _start_training(out_dir)
    _wait_until_training(proc, out, err, epochs_done=2)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = _finish(proc, out, err)
    # said as a SIGTERM, with its conventional exit status 143 (128 + 15)
    assert proc.returncode == 143 and "glassnet: interrupted (SIGTERM); saved " in stderr, \
        stderr
    summary = _check_saved(out_dir, stdout, stderr, proc.returncode, expected=143)
    assert summary["epochs_trained"] >= 2


def test_ctrl_c_in_the_first_epoch_still_saves(tmp_path):
    """No epoch complete: the history is empty, but the model (as initialized and trained for
    some batches), the metrics and the report (without a learning curve) are still written."""
    out_dir = tmp_path / "run"
    proc, out, err = _start_training(out_dir)
    _wait_until_training(proc, out, err)
    proc.send_signal(signal.SIGINT)  # within the first epoch (about 120 batches)
    stdout, stderr = _finish(proc, out, err)
    _check_saved(out_dir, stdout, stderr, proc.returncode)


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_before_a_rerun_ends_an_epoch_keeps_the_earlier_run(tmp_path, sig, status):
    """Trial 14/2 finding 1: a rerun into an earlier run's folder, stopped at once (wrong
    options), replaced the complete earlier model with an untrained one, report and all."""
    import hashlib
    out_dir = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1"}
    first = subprocess.run([sys.executable, "-m", "glassnet", "train", "energy", "--epochs", "2",
                            "--seed", "0", "--out", str(out_dir), "-q"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    before = {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in out_dir.iterdir()}
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "glassnet", "train", "energy", "--epochs",
                             "3", "--batch-size", "1", "--hidden", "1024,1024", "--seed", "0",
                             "--out", str(out_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = _Reader(proc.stdout), _Reader(proc.stderr)
    out.start()
    err.start()
    _wait_until_training(proc, out, err)
    proc.send_signal(sig)  # an epoch of 1-row batches through 2 million weights
    stdout, stderr = _finish(proc, out, err)
    assert proc.returncode == status, stdout + stderr
    if "epoch 1/3  loss" in stdout + stderr:
        pytest.skip("the first epoch ended before Ctrl-C arrived")  # a very fast machine
    said = "glassnet: interrupted" + (" (SIGTERM)" if sig == signal.SIGTERM else "")
    assert f"{said}; nothing was saved to " in stderr and \
        "the earlier run there is kept" in stderr, stderr
    after = {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in out_dir.iterdir()}
    assert after == before


def test_second_ctrl_c_stops_at_once_without_a_traceback(tmp_path):
    proc, out, err = _start_training(tmp_path / "run")
    _wait_until_training(proc, out, err, epochs_done=1)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.02)  # two signals sent together may arrive as one
    proc.send_signal(signal.SIGINT)
    stdout, stderr = _finish(proc, out, err)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{(stdout + stderr)[-3000:]}"
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "interrupted" in stdout + stderr


def test_a_second_ctrl_c_while_saving_waits_until_everything_is_saved(tmp_path):
    """The first Ctrl-C stops training; a second one (a common reflex) that lands while the
    run is being saved must not lose it: it is deferred until the files are written."""
    out_dir = tmp_path / "run"
    proc, out, err = _start_training(out_dir)
    _wait_until_training(proc, out, err, epochs_done=1)
    proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 60
    # the status line is printed once fit has returned: the save phase has begun
    while "interrupted (Ctrl-C) after" not in out.text and proc.poll() is None and \
            time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = _finish(proc, out, err)
    _check_saved(out_dir, stdout, stderr, proc.returncode)
    assert "saving, please wait" in stderr, stderr[-2000:]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("glassnet: interrupted") and "model.gnet" in last and \
        "report.html" in last, last


def test_the_third_ctrl_c_while_saving_stops_at_once_saying_what_was_saved(tmp_path):
    """A write that hangs (a network file system) must not make the run unstoppable: the
    presses before the last say "saving, please wait", the third stops the command at once
    with exit status 130, the usual 'interrupted; saved ...; not saved ...' line, the model
    (written first) kept, and no temporary file or lock left."""
    out_dir = tmp_path / "run"
    prog = (
        "import os, sys, time\n"
        "from glassnet import cli, io\n"
        "def hang(path, text):\n"
        "    with io._atomic_open(path) as f:\n"
        "        f.write(text.encode())\n"
        "        os.write(2, b'WRITE HANGS\\n')\n"
        "        time.sleep(120)\n"
        "io.atomic_write_text = hang\n"
        "sys.exit(cli.main(['train', 'moons', '--epochs', '1', '--quiet', '--out', "
        f"{str(out_dir)!r}]))\n")
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", prog], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    out, err = _Reader(proc.stdout), _Reader(proc.stderr)
    out.start()
    err.start()
    deadline = time.monotonic() + 60
    while "WRITE HANGS" not in err.text and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "WRITE HANGS" in err.text, err.text[-2000:]
    for press in range(3):
        if press:  # each press is seen before the next is sent (two may merge into one)
            while err.text.count("saving, please wait") < press and proc.poll() is None and \
                    time.monotonic() < deadline:
                time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
    stdout, stderr = _finish(proc, out, err, timeout=30)
    assert proc.returncode == 130, f"exit {proc.returncode}\n{(stdout + stderr)[-3000:]}"
    assert "Traceback" not in stderr, stderr[-3000:]
    assert stderr.count("saving, please wait") == 2, stderr
    assert "once more stops at once" in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last == ("glassnet: interrupted; saved model.gnet; not saved: metrics.json, "
                    "history.csv, learning_curve.png, confusion_matrix.png, "
                    "decision_boundary.png, report.html"), last
    assert sorted(os.listdir(out_dir)) == ["model.gnet"], os.listdir(out_dir)


def test_a_run_stopped_after_its_model_never_leaves_the_earlier_runs_files(tmp_path, monkeypatch,
                                                                         capsys):
    """Trial L finding 3: a third Ctrl-C (here raised by the first plot) after the new model
    was saved removes the earlier run's metrics, history, plots and report (the files its
    metrics.json lists; the user's own file stays), and the final line lists every file the
    run meant to write, its plots included."""
    from glassnet import cli, plot
    out = tmp_path / "run"
    assert cli.main(["train", "moons", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    earlier = set(os.listdir(out))
    assert {"confusion_matrix.png", "decision_boundary.png", "report.html"} <= earlier
    (out / "mine.txt").write_text("the user's\n")
    capsys.readouterr()

    def pressed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plot, "learning_curve", pressed)
    assert cli.main(["train", "titanic", "--epochs", "1", "--quiet", "--out", str(out)]) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == ("glassnet: interrupted; saved model.gnet, metrics.json; not saved: "
                    "history.csv, learning_curve.png, confusion_matrix.png, report.html"), last
    assert sorted(os.listdir(out)) == ["metrics.json", "mine.txt", "model.gnet"], \
        os.listdir(out)
    assert (out / "mine.txt").read_text() == "the user's\n"
    from glassnet.io import load_model
    assert load_model(out / "model.gnet").n_features > 2  # the new (titanic) model
    assert json.loads((out / "metrics.json").read_text())["dataset"] == "titanic"


def test_a_run_stopped_after_its_model_leaves_a_folder_the_next_run_accepts(tmp_path, monkeypatch,
                                                                          capsys):
    """Review 2 finding 2: metrics.json (the manifest) is written right after the model, so a
    run stopped while drawing its plots, into a new folder or over an earlier run, leaves a
    folder that the next `train --out` recognises as glassnet's (no --overwrite needed)."""
    from glassnet import cli, plot
    fresh, earlier = tmp_path / "fresh", tmp_path / "earlier"
    assert cli.main(["train", "moons", "--epochs", "1", "--quiet", "--out", str(earlier)]) == 0

    def pressed(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(plot, "learning_curve", pressed)
        for out in (fresh, earlier):
            assert cli.main(["train", "titanic", "--epochs", "1", "--quiet", "--out",
                             str(out)]) == 130
            assert sorted(os.listdir(out)) == ["metrics.json", "model.gnet"], os.listdir(out)
            files = json.loads((out / "metrics.json").read_text())["files"]
            assert files[:3] == ["model.gnet", "metrics.json", "history.csv"], files
    capsys.readouterr()
    for out in (fresh, earlier):
        assert cli.main(["train", "moons", "--epochs", "1", "--quiet", "--out", str(out)]) == 0, \
            capsys.readouterr().err
        assert {"report.html", "history.csv", "decision_boundary.png"} <= set(os.listdir(out))


def test_an_interrupt_after_the_models_rename_counts_it_as_saved(tmp_path, monkeypatch, capsys):
    """Review 2 finding 3: a third Ctrl-C during the folder's fsync, after the new model.gnet
    was renamed into place, says the model was saved (it was), and the earlier run's files,
    its metrics.json included, are gone (trial KK finding 1: deleted before the rename), so
    they never sit beside the new model."""
    from glassnet import cli, io
    out = tmp_path / "run"
    assert cli.main(["train", "moons", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    real, calls = io._fsync_dir, []

    def pressed(directory):
        calls.append(directory)
        if len(calls) == 2:  # the first is the new model's temporary file's, written in
            raise KeyboardInterrupt  # full before the earlier run's files are deleted
        real(directory)

    monkeypatch.setattr(io, "_fsync_dir", pressed)
    assert cli.main(["train", "titanic", "--epochs", "1", "--quiet", "--out", str(out)]) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("glassnet: interrupted; saved model.gnet; not saved: metrics.json, "
                           "history.csv, "), last
    assert sorted(os.listdir(out)) == ["model.gnet"], os.listdir(out)
    from glassnet.io import load_model
    assert load_model(out / "model.gnet").n_features > 2  # the new (titanic) model
    monkeypatch.setattr(io, "_fsync_dir", real)
    assert cli.main(["train", "moons", "--epochs", "1", "--quiet", "--out", str(out)]) == 0


def test_the_press_that_stopped_training_counts_toward_the_third(capfd):
    """README walk: 'a second Ctrl-C while they are saved waits for them, a third stops at
    once', but the third press of the run only warned (three presses while saving were
    needed on top of the one that stopped training)."""
    from glassnet.commands import _DeferredSigint
    d = _DeferredSigint()
    d.start(pressed_before=1)
    try:
        d._handler(signal.SIGINT, None)             # the second press: waits
        assert "once more stops at once" in capfd.readouterr().err
        with pytest.raises(KeyboardInterrupt):     # the third: stops at once
            d._handler(signal.SIGINT, None)
    finally:
        d.stop()
    d = _DeferredSigint()   # no press stopped training: three presses while saving
    d.start()
    try:
        d._handler(signal.SIGINT, None)
        assert "2 more times" in capfd.readouterr().err
    finally:
        d.stop()

"""What differs on Windows and macOS, checked on Linux: output on a console or pipe whose
encoding lacks explain's glyphs (cp1252), line endings of written files, and atomic writes
where the target is open elsewhere or the temporary file could be left read-only."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import glassnet
import glassnet.io as gio
from glassnet import cli
from glassnet.train import CSVLogger

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_explain_through_a_cp1252_pipe_is_written_as_utf8():
    env = dict(os.environ, PYTHONPATH=SRC, PYTHONIOENCODING="cp1252", MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, "-m", "glassnet.cli", "explain", "or-gate"],
                       capture_output=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    assert "ŷ = σ(z)" in r.stdout.decode("utf-8")


class _Console(io.TextIOWrapper):
    def isatty(self):
        return True


def test_a_cp1252_console_spells_what_it_lacks_and_is_restored(capsys):
    raw = io.BytesIO()
    console = _Console(raw, encoding="cp1252")
    undo = cli._tolerant(console)
    console.write("ŷ·√")  # "·" is in cp1252
    console.flush()
    assert raw.getvalue() == "y_hat·sqrt".encode("cp1252")  # (cli._ASCII's spellings)
    undo()
    assert (console.encoding, console.errors) == ("cp1252", "strict")
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    cli._tolerant(utf8)
    assert utf8.errors == "strict"  # nothing to change


def test_csvlogger_writes_plain_newlines(tmp_path, monkeypatch):
    seen = []

    def spy(*args, **kwargs):
        seen.append(kwargs)
        return open(*args, **kwargs)
    monkeypatch.setattr(glassnet.train, "open", spy, raising=False)
    log = CSVLogger(tmp_path / "history.csv")
    log.on_train_begin()
    log.on_epoch_end(0, {"loss": 0.5})
    log.on_train_end()
    assert seen[-1].get("newline") == "" and seen[-1].get("encoding") == "utf-8"
    assert (tmp_path / "history.csv").read_bytes() == b"epoch,loss\n0,0.5\n"


def test_windows_atomic_write_retries_a_busy_target_and_keeps_no_read_only_tmp(tmp_path,
                                                                                monkeypatch):
    monkeypatch.setattr(gio, "_WINDOWS", True)
    monkeypatch.setattr(gio.time, "sleep", lambda s: None)
    target = tmp_path / "metrics.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o444)
    chmods, calls = [], []
    real_replace = os.replace
    monkeypatch.setattr(gio.os, "chmod", lambda *a, **k: chmods.append(a))

    def busy_twice(src, dst):
        calls.append(dst)
        if len(calls) <= 2:
            raise PermissionError(13, "in use by another process", dst)
        real_replace(src, dst)
    monkeypatch.setattr(gio.os, "replace", busy_twice)
    gio.atomic_write_text(target, "néw")
    assert target.read_bytes() == "néw".encode("utf-8")
    assert len(calls) == 3 and chmods == []
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_windows_atomic_write_into_a_target_that_stays_busy_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(gio, "_WINDOWS", True)
    monkeypatch.setattr(gio.time, "sleep", lambda s: None)

    def busy(src, dst):
        raise PermissionError(13, "in use by another process", dst)
    monkeypatch.setattr(gio.os, "replace", busy)
    with pytest.raises(PermissionError) as e:
        gio.atomic_write_text(tmp_path / "report.html", "x")
    assert e.value.filename == str(tmp_path / "report.html")
    assert list(tmp_path.iterdir()) == []


class _ClosedPipe(io.StringIO):
    def __init__(self, errno_):
        super().__init__()
        self.errno_ = errno_

    def write(self, text):
        raise OSError(self.errno_, "Invalid argument")


def test_a_closed_pipe_on_windows_is_einval_and_dropped_like_epipe(monkeypatch):
    import errno
    monkeypatch.setattr(cli, "_WINDOWS", True)
    out = cli._PipeSafeStream(_ClosedPipe(errno.EINVAL))
    assert out.write("x") == 1 and out.broken
    monkeypatch.setattr(cli, "_WINDOWS", False)
    with pytest.raises(OSError):  # elsewhere EINVAL is a real error
        cli._PipeSafeStream(_ClosedPipe(errno.EINVAL)).write("x")

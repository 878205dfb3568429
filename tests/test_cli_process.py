"""The ``glassnet`` command as a process: Ctrl-C while it starts, a terminal whose encoding is
ASCII, and the hints for a mistyped option or choice."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from glassnet import cli

SRC = str(Path(__file__).resolve().parents[1] / "src")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to itself and ptys need POSIX")

# What pip writes as the `glassnet` console script (less its #! line).
CONSOLE_SCRIPT = """import sys
from glassnet.cli import main
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit(main())
"""

# Just as the module $GLASSNET_TEST_AT is about to be imported, sends the process Ctrl-C
# (SIGINT: a user pressing it at that moment, without the timing), or with
# GLASSNET_TEST_DO=report says on stderr whether Ctrl-C raises KeyboardInterrupt then.
SITECUSTOMIZE = """import os, signal, sys
class _Hook:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ.get("GLASSNET_TEST_AT"):
            if os.environ.get("GLASSNET_TEST_DO") == "report":
                default = signal.getsignal(signal.SIGINT) is signal.default_int_handler
                print("KeyboardInterrupt:", default, file=sys.stderr)
            else:
                os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, _Hook())
"""


def _env(tmp_path, **extra):
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    path = os.pathsep.join([str(hook), SRC, os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "OPENBLAS_NUM_THREADS": "1", **extra}


def _command(entry, tmp_path):
    if entry == "console script":
        script = tmp_path / "bin" / "glassnet"
        script.parent.mkdir(exist_ok=True)
        script.write_text(CONSOLE_SCRIPT)
        return [sys.executable, str(script)]
    return [sys.executable, *entry.split()]


@POSIX
@pytest.mark.parametrize("entry", ["console script", "-m glassnet", "-m glassnet.cli"])
@pytest.mark.parametrize("at", ["numpy", "glassnet.losses", "glassnet.cli"])
def test_ctrl_c_while_the_command_starts_is_one_line_and_exit_130(tmp_path, entry, at):
    proc = subprocess.run([*_command(entry, tmp_path), "datasets"], capture_output=True,
                          text=True, timeout=120,
                          env=_env(tmp_path, GLASSNET_TEST_AT=at))
    assert (proc.returncode, proc.stderr, proc.stdout) == (130, "glassnet: interrupted\n", "")


@POSIX
@pytest.mark.parametrize("entry", ["console script", "-m glassnet", "-m glassnet.cli"])
def test_ctrl_c_once_the_command_runs_is_the_commands_own(tmp_path, entry):
    # glassnet.commands loads inside main: by then the start guard has handed Ctrl-C back
    # (KeyboardInterrupt, which `glassnet train` turns into saving what it has)
    proc = subprocess.run([*_command(entry, tmp_path), "datasets"], capture_output=True,
                          text=True, timeout=120,
                          env=_env(tmp_path, GLASSNET_TEST_AT="glassnet.commands",
                                   GLASSNET_TEST_DO="report"))
    assert proc.returncode == 0 and "titanic" in proc.stdout, proc.stderr
    assert proc.stderr.startswith("KeyboardInterrupt: True\n")


@POSIX
def test_a_program_importing_glassnet_keeps_its_ctrl_c(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "import glassnet"], capture_output=True,
                          text=True, timeout=120,
                          env=_env(tmp_path, GLASSNET_TEST_AT="glassnet.losses"))
    assert proc.returncode == -signal.SIGINT and "KeyboardInterrupt" in proc.stderr
    # a script of one's own named glassnet gets Ctrl-C back once the package is loaded
    script = tmp_path / "mine" / "glassnet"
    script.parent.mkdir()
    script.write_text("import signal, glassnet\n"
                      "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env=_env(tmp_path))
    assert proc.stdout == "True\n", proc.stderr


@POSIX
def test_ctrl_c_ignored_stays_ignored_while_the_command_starts(tmp_path):
    # `glassnet train ... &` from a script: the shell makes the job ignore SIGINT
    proc = subprocess.run([sys.executable, "-m", "glassnet", "datasets"], capture_output=True,
                          text=True, timeout=120,
                          env=_env(tmp_path, GLASSNET_TEST_AT="numpy"),
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert proc.returncode == 0 and "titanic" in proc.stdout, proc.stderr


# ------------------------------------------------------------------------------------------
# a terminal whose encoding is ASCII
# ------------------------------------------------------------------------------------------

def test_the_ascii_spelling_handler_spells_what_the_encoding_lacks():
    assert "ŷ = σ(z) · ½(y − ŷ)² ⚠ ✓".encode("ascii", "glassnet-ascii") == \
        b"y_hat = sigma(z) * 1/2(y - y_hat)^2 ! ?"
    # latin-1 has · ½ ²: kept; ŷ and σ are spelled
    assert "ŷ·σ½²".encode("latin-1", "glassnet-ascii") == "y_hat·sigma½²".encode("latin-1")
    assert "y\u0302".encode("ascii", "glassnet-ascii") == b"y_hat"   # ŷ decomposed


def _on_a_terminal(cmd, env):
    """stdout and stderr of ``cmd`` run on a pseudo-terminal."""
    import pty
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child has gone
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, out
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


@POSIX
@pytest.mark.parametrize("locale_env", [{"PYTHONIOENCODING": "ascii"},
                                        {"LC_ALL": "C", "PYTHONUTF8": "0",
                                         "PYTHONIOENCODING": ""}])
def test_explain_on_an_ascii_terminal_spells_its_formulas(tmp_path, locale_env):
    cmd = [sys.executable, "-m", "glassnet", "explain", "or-gate"]
    env = _env(tmp_path)
    unicode = subprocess.run(cmd, capture_output=True, timeout=120,
                             env={**env, "PYTHONIOENCODING": "utf-8"}).stdout.decode("utf-8")
    text = _on_a_terminal(cmd, {**env, **locale_env})
    assert text.isascii()
    assert "y_hat = sigma(z) = 1/(1 + e^(-z))" in text
    assert text.count("?") == unicode.count("?")   # no glyph of glassnet's became "?"
    spelled = "".join(cli._ASCII.get(c, c) for c in unicode)
    assert text.splitlines() == spelled.splitlines()


# ------------------------------------------------------------------------------------------
# a mistyped option or choice
# ------------------------------------------------------------------------------------------

def _usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("argv, hint", [
    (["train", "data.csv", "--target", "y", "--output", "o"],
     "unrecognized arguments: --output o; did you mean --out? (see `glassnet train --help`)"),
    (["train", "data.csv", "--outdir=o"],
     "unrecognized arguments: --outdir=o; did you mean --out?"),
    (["train", "data.csv", "-lr", "0.1"], "did you mean --lr?"),
    (["train", "data.csv", "--hiden", "4", "--seeds", "1"],
     "did you mean --hidden for --hiden, --seed for --seeds?"),
    (["predict", "m.gnet", "data.csv", "--outt", "p.csv"], "did you mean --out?"),
])
def test_a_mistyped_option_gets_the_closest_one(argv, hint, capsys):
    assert hint in _usage_error(argv, capsys)


def test_an_option_like_none_gets_no_guess(capsys):
    err = _usage_error(["train", "data.csv", "--bogus"], capsys)
    assert "unrecognized arguments: --bogus (see `glassnet train --help`)" in err
    assert "did you mean" not in err


@pytest.mark.parametrize("argv, hint", [
    (["trian", "data.csv"], "invalid choice: 'trian'"),
    (["train", "data.csv", "--optimizer", "adamm"], "invalid choice: 'adamm'"),
    (["explain", "or-gat"], "invalid choice: 'or-gat'"),
])
def test_a_mistyped_choice_gets_the_closest_one(argv, hint, capsys):
    err = _usage_error(argv, capsys)
    wrong = hint.split("'")[1]
    meant = {"trian": "train", "adamm": "adam", "or-gat": "or-gate"}[wrong]
    assert hint in err and f"did you mean '{meant}'?" in err, err
    assert "did you mean" not in _usage_error(["train", "data.csv", "--task", "zzz"], capsys)

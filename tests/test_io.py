"""Model files: bit-identical round trips, the extra dict, atomic writes, and untrusted input
(hand-crafted, truncated, corrupt and foreign files, plus a fuzz of thousands of mutations)
that must fail with ModelFileError and nothing else."""
import errno
import hashlib
import json
import os
import pickle
import re
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import io as gio
from glassnet.io import ModelFileError, load_checkpoint, load_model, save_checkpoint, save_model
from glassnet.optim import SGD, Adam

import _modelfile as mf  # the documented layout, rebuilt independently of io.py


# -- helpers -----------------------------------------------------------------------------------

def data2(n=40, k=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


ARCHS = {
    "softmax": lambda: [gn.Dense(5, 8, activation="relu"), gn.Dense(8, 3), gn.Softmax()],
    "regression_nobias": lambda: [gn.Dense(5, 4, bias=False, init="he"), gn.Tanh(),
                                  gn.Dense(4, 1)],
    "all_nodes": lambda: [gn.Dense(5, 6), gn.LeakyReLU(0.2), gn.Dense(6, 6), gn.ELU(0.5),
                          gn.GELU("tanh"), gn.GELU(), gn.Softplus(), gn.Dropout(0.3),
                          gn.Sigmoid(), gn.Identity(), gn.Step(), gn.Dense(6, 2)],
    "activation_first": lambda: [gn.Tanh(), gn.Dense(5, 3), gn.Sigmoid()],
}


def make_model(arch, dtype="float32", seed=3, train=True):
    m = gn.Sequential(ARCHS[arch](), seed=seed, dtype=dtype)
    if not m.built:
        m.build(5)
    if train:
        X, y = data2()
        loss = {"softmax": "cce", "regression_nobias": "mse", "all_nodes": "cce_logits",
                "activation_first": "bce"}[arch]
        yy = y if arch != "activation_first" else np.stack([y, 1 - y, y], 1)
        m.fit(X, yy, loss=loss, optimizer="adam", epochs=2, batch_size=8)
    return m


def same_bytes(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# -- round trips -------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:node 10 is a Step")  # all_nodes holds every node
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("arch", sorted(ARCHS))
def test_roundtrip_bit_identical(tmp_path, arch, dtype):
    m = make_model(arch, dtype)
    p = tmp_path / "m.gnet"
    save_model(m, p)
    m2 = load_model(p)
    X = np.random.default_rng(1).standard_normal((17, 5)).astype(dtype)
    assert same_bytes(m.predict(X), m2.predict(X))
    assert m2.dtype == m.dtype and m2.seed == m.seed and m2.n_features == m.n_features
    assert repr(m2) == repr(m) and m2.summary() == m.summary()
    assert all(same_bytes(a, b) for a, b in zip(m.get_weights(), m2.get_weights()))
    assert [type(layer) for layer in m2.layers] == [type(layer) for layer in m.layers]
    assert type(m2.loss) is type(m.loss) and m2.loss.config() == m.loss.config()
    # The random generators come back too: further training is identical.
    assert m2.rng.bit_generator.state == m.rng.bit_generator.state
    Xt, yt = data2(seed=5)
    yt = yt if arch != "activation_first" else np.stack([yt, 1 - yt, yt], 1)
    for model in (m, m2):
        model.fit(Xt, yt, loss=m.loss, optimizer=SGD(lr=0.05), epochs=2, batch_size=8)
    assert all(same_bytes(a, b) for a, b in zip(m.get_weights(), m2.get_weights()))


def test_untrained_model_roundtrip_and_save_method(tmp_path):
    m = gn.Sequential([gn.Dense(3, 2), gn.ReLU()], seed=0, dtype="float64")
    m.save(tmp_path / "sub" / "dir" / "m.gnet")  # parent folders are created
    m2 = load_model(tmp_path / "sub" / "dir" / "m.gnet")
    assert m2.loss is None and m2.extra == {}
    X = np.arange(6.0).reshape(2, 3)
    assert same_bytes(m.predict(X), m2.predict(X))


def test_extra_roundtrip(tmp_path):
    m = make_model("softmax", train=False)
    extra = {"task": "classification", "target": "species", "classes": ["a", "b", "ü"],
             "preprocess": {"mean": np.array([1.5, -2.25], dtype=np.float32), "std": [1.0, 3.0],
                            "columns": ["x", "y"]},
             "metrics": {"accuracy": np.float32(0.75), "n": np.int64(12), "ll": float("nan")},
             "nested": [{"a": None, "b": True}], "big": 2 ** 70}
    save_model(m, tmp_path / "m.gnet", extra=extra)
    got = load_model(tmp_path / "m.gnet").extra
    assert got["preprocess"]["mean"] == [1.5, -2.25]
    assert got["metrics"]["accuracy"] == 0.75 and got["metrics"]["n"] == 12
    assert np.isnan(got["metrics"]["ll"])
    assert got["classes"] == ["a", "b", "ü"] and got["nested"] == [{"a": None, "b": True}]
    assert got["big"] == 2 ** 70 and got["task"] == "classification"
    # a loaded model keeps its extra when saved again
    m2 = load_model(tmp_path / "m.gnet")
    save_model(m2, tmp_path / "m2.gnet")
    assert load_model(tmp_path / "m2.gnet").extra["classes"] == ["a", "b", "ü"]
    with pytest.raises(TypeError, match="cannot be stored"):
        save_model(m, tmp_path / "bad.gnet", extra={"f": object()})
    with pytest.raises(TypeError, match="extra must be a dict"):
        save_model(m, tmp_path / "bad.gnet", extra=[1, 2])
    assert not (tmp_path / "bad.gnet").exists()


@pytest.mark.parametrize("loss,k", [("cce_logits", 3), ("bce_logits", 1)])
def test_predict_proba_after_load(tmp_path, loss, k):
    X, y = data2()
    m = gn.Sequential([gn.Dense(5, 6, activation="tanh"), gn.Dense(6, k)], seed=0)
    m.fit(X, y, loss=loss, epochs=2, batch_size=10)
    save_model(m, tmp_path / "m.gnet")
    m2 = load_model(tmp_path / "m.gnet")
    assert same_bytes(m.predict_proba(X), m2.predict_proba(X))
    assert np.array_equal(m.predict_classes(X), m2.predict_classes(X))
    # without the stored loss the logits model could not give probabilities
    untrained = gn.Sequential([gn.Dense(5, k)], seed=0)
    save_model(untrained, tmp_path / "u.gnet")
    with pytest.raises(ValueError, match="not a probability"):
        load_model(tmp_path / "u.gnet").predict_proba(X)


def test_loss_options_roundtrip(tmp_path):
    m = gn.Sequential([gn.Dense(2, 1)], seed=0)
    for loss in (gn.MSE(half=True), gn.Huber(delta=0.25), gn.MAE(), gn.Hinge(),
                 gn.BinaryCrossEntropy(eps=1e-5), gn.CategoricalCrossEntropy(from_logits=True)):
        m.loss = loss
        save_model(m, tmp_path / "m.gnet")
        got = load_model(tmp_path / "m.gnet").loss
        assert type(got) is type(loss) and vars(got) == vars(loss)


def test_model_files_keep_the_optimizer_type_and_config_not_its_state(tmp_path):
    """As Keras's load_model: fit() on a loaded model goes on with the saved optimizer (fresh,
    with the learning rate it had); a checkpoint opened with load gives the same."""
    X, y = data2(60)
    m = gn.Sequential([gn.Dense(5, 3), gn.Softmax()], seed=0)
    m.fit(X, y, epochs=2, optimizer=SGD(lr=0.5, momentum=0.9, nesterov=True),
          callbacks=[gn.ModelCheckpoint(tmp_path / "ck.gnet"),
                     gn.ModelCheckpoint(tmp_path / "m.gnet", training_state=False)])
    m.optimizer.lr = 0.25  # as ReduceLROnPlateau would: the rate it has is the one kept
    save_model(m, tmp_path / "now.gnet")
    for name, lr in (("ck.gnet", 0.5), ("m.gnet", 0.5), ("now.gnet", 0.25)):
        opt = load_model(tmp_path / name).optimizer
        assert type(opt) is SGD and opt.config() == dict(m.optimizer.config(), lr=lr), name
        assert opt.state == {} and opt is not m.optimizer
    loaded = load_model(tmp_path / "now.gnet")
    assert loaded.fit(X, y, epochs=1).history["lr"] == [0.25]
    # the same steps as the in-memory model given a fresh optimizer of that configuration
    m.fit(X, y, epochs=1, optimizer=SGD(**m.optimizer.config()))
    loaded2 = load_model(tmp_path / "now.gnet")
    loaded2.fit(X, y, epochs=1)
    assert all(same_bytes(a, b) for a, b in zip(m.get_weights(), loaded2.get_weights()))
    # a checkpoint still restores the state too, and a scheduler's base rate is kept
    model, state = load_checkpoint(tmp_path / "ck.gnet")
    assert state["optimizer"] is model.optimizer and model.optimizer.state
    sched = gn.Sequential([gn.Dense(5, 3), gn.Softmax()], seed=0)
    sched.fit(X, y, epochs=2, optimizer=Adam(lr=0.1),
              callbacks=[gn.LearningRateScheduler(lambda e, lr: 0.1 / (e + 1))])
    save_model(sched, tmp_path / "s.gnet")
    opt = load_model(tmp_path / "s.gnet").optimizer
    assert type(opt) is Adam and opt.lr == 0.05 and opt.initial_lr == 0.1

    # files written before the optimizer was kept still load: none (fit's default, Adam)
    header, section = mf.split((tmp_path / "m.gnet").read_bytes())
    old = _edit(header, lambda h: h.pop("optimizer"))
    (tmp_path / "old.gnet").write_bytes(mf.build(old, section))
    old_model = load_model(tmp_path / "old.gnet")
    assert old_model.optimizer is None
    with pytest.warns(RuntimeWarning, match="written before glassnet's model files kept"):
        assert old_model.fit(X, y, epochs=1).history["lr"] == [0.001]
    # an old checkpoint gives its training section's optimizer configuration
    header, section = mf.split((tmp_path / "ck.gnet").read_bytes())
    (tmp_path / "old_ck.gnet").write_bytes(mf.build(_edit(header, lambda h: h.pop("optimizer")),
                                                      section))
    opt = load_model(tmp_path / "old_ck.gnet").optimizer
    assert type(opt) is SGD and opt.lr == 0.5 and opt.state == {}
    # an optimizer glassnet does not know is not saved (and nothing fails)

    class MySGD(SGD):
        pass

    m.optimizer = MySGD(lr=0.1)
    with pytest.warns(RuntimeWarning, match="the optimizer MySGD is not saved"):
        save_model(m, tmp_path / "custom.gnet")
    assert load_model(tmp_path / "custom.gnet").optimizer is None


def test_save_refuses_what_it_cannot_store(tmp_path):
    p = tmp_path / "m.gnet"
    with pytest.raises(ValueError, match="no input width"):
        save_model(gn.Sequential([gn.Dense(4), gn.ReLU()]), p)

    class MyReLU(gn.ReLU):
        pass

    with pytest.raises(TypeError, match="built-in layers"):
        save_model(gn.Sequential([gn.Dense(2, 2), MyReLU()]), p)
    with pytest.raises(TypeError, match="Sequential"):
        save_model(object(), p)
    good = gn.Sequential([gn.Dense(2, 2)], seed=0)
    save_model(good, p)
    before = p.read_bytes()
    good.layers[0].params["W"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        save_model(good, p)
    assert p.read_bytes() == before  # a diverged model never replaces a good file
    assert os.listdir(tmp_path) == ["m.gnet"]


def test_save_refuses_weights_of_the_wrong_shape_and_init_checks_a_callable(tmp_path):
    """Trial 15/7 finding 1: W set to the seeds' (n_out, n_in) shape, or drawn by a callable
    initializer of the wrong shape, was saved into a file that load refused."""
    p = tmp_path / "w.gnet"
    m = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    m.build(2)
    m.layers[0].params["W"] = np.array([[0.1, 0.6]], dtype=np.float32)
    with pytest.raises(ValueError, match=r"W has shape \(1, 2\) but a Dense of 2 inputs and 1 "
                                         r"outputs needs \(2, 1\)"):
        save_model(m, p)
    m.layers[0].params["W"] = np.zeros((2, 1), np.float32)
    m.layers[0].params["b"] = np.zeros(2, np.float32)
    with pytest.raises(ValueError, match=r"b has shape \(2,\) .* needs \(1,\)"):
        save_model(m, p)
    assert not p.exists()
    with pytest.raises(ValueError, match=r"the weights the initializer 'five' returned have "
                                         r"shape \(5, 5\), expected \(2, 3\)"):
        def five(rng, a, b, dtype=None):
            return np.ones((5, 5))
        gn.Sequential([gn.Dense(2, 3, init=five)], seed=0).build(2)
    with pytest.raises(ValueError, match="returned contain NaN or infinity"):
        gn.Sequential([gn.Dense(2, 3, init=lambda r, a, b, dtype=None: np.full((a, b), np.nan))],
                      seed=0).build(2)


def test_a_learning_rate_a_schedule_brought_to_zero_is_saved_and_loaded(tmp_path):
    """Trial 15/2 finding 1: CosineAnnealingLR reaches lr 0 at T_max; the model file and the
    checkpoints stored lr 0, which no optimizer constructor takes: load refused them."""
    from glassnet.optim import CosineAnnealingLR
    X, y = data2(40)
    m = gn.Sequential([gn.Dense(5, 3), gn.Softmax()], seed=0)
    m.fit(X, y, epochs=6, optimizer=Adam(lr=0.01),
          callbacks=[gn.LearningRateScheduler(CosineAnnealingLR(T_max=5)),
                     gn.ModelCheckpoint(tmp_path / "ck.gnet")])
    assert m.optimizer.lr == 0.0
    save_model(m, tmp_path / "m.gnet")
    for name in ("m.gnet", "ck.gnet"):
        opt = load_model(tmp_path / name).optimizer
        assert type(opt) is Adam and opt.lr == 0.0 and opt.initial_lr == 0.01, name
        assert opt.config() == m.optimizer.config()
    with pytest.raises(ValueError, match="lr must be >= 0"):  # a negative one is refused
        Adam(lr=-1)


# -- atomic writes -----------------------------------------------------------------------------

def _old_file(tmp_path):
    p = tmp_path / "m.gnet"
    save_model(make_model("softmax", train=False), p)
    return p, p.read_bytes()


def test_atomic_replace_fails(tmp_path, monkeypatch):
    p, before = _old_file(tmp_path)

    def boom(*a, **k):
        raise OSError("disk on fire")

    monkeypatch.setattr(gio.os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        save_model(make_model("softmax", seed=9, train=False), p)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.gnet"]  # the temporary file was removed


def test_atomic_interrupt_during_fsync(tmp_path, monkeypatch):
    p, before = _old_file(tmp_path)

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(gio.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(p, make_model("softmax", seed=9), epoch=1)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.gnet"]


def test_atomic_crash_mid_write(tmp_path, monkeypatch):
    """Fail after part of the bytes has been written."""
    p, before = _old_file(tmp_path)
    real = hashlib.sha256

    class Failing:
        def __init__(self):
            self.h, self.calls = real(), 0

        def update(self, b):
            self.calls += 1
            if self.calls == 4:
                raise MemoryError("simulated crash mid-write")
            self.h.update(b)

    monkeypatch.setattr(gio.hashlib, "sha256", Failing)
    with pytest.raises(MemoryError):
        save_model(make_model("all_nodes", seed=9, train=False), p)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.gnet"]
    load_model(p)


def test_atomic_killed_process_leaves_old_file(tmp_path):
    """A process killed just before the rename (no cleanup runs) leaves the target intact."""
    p, before = _old_file(tmp_path)
    code = ("import os, numpy as np, glassnet as gn, glassnet.io as gio\n"
            "gio.os.replace = lambda *a: os._exit(3)\n"
            f"gio.save_model(gn.Sequential([gn.Dense(5, 64)], seed=1), {str(p)!r})\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert r.returncode == 3, r.stderr.decode()
    assert p.read_bytes() == before
    load_model(p)


def test_atomic_write_text_and_bytes(tmp_path):
    p = tmp_path / "a" / "b" / "f.txt"
    gio.atomic_write_text(p, "héllo\nworld\n")
    assert p.read_bytes() == "héllo\nworld\n".encode()
    os.chmod(p, 0o640)
    gio.atomic_write_bytes(p, b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"
    assert (os.stat(p).st_mode & 0o777) == 0o640  # permissions of the replaced file kept
    assert sorted(os.listdir(p.parent)) == ["f.txt"]
    h = gn.Sequential([gn.Dense(5, 1)], seed=0).fit(*data2(), epochs=2, batch_size=8)
    h.to_csv(tmp_path / "c" / "hist.csv")
    assert (tmp_path / "c" / "hist.csv").read_text().splitlines()[0].startswith("epoch,loss")


def test_atomic_target_is_a_folder(tmp_path):
    model = make_model("softmax", train=False)
    (tmp_path / "out").mkdir()
    for target in (tmp_path / "out", str(tmp_path / "new") + os.sep):
        with pytest.raises(IsADirectoryError, match=r"is a folder; give a file name") as exc:
            save_model(model, target)
        assert ".tmp" not in str(exc.value) and str(target) in str(exc.value)
    assert os.listdir(tmp_path) == ["out"] and os.listdir(tmp_path / "out") == []


def _fail_creating(exc_type, code):
    real = os.open

    def fake(path, flags, *args):
        if flags & os.O_CREAT:
            raise exc_type(code, os.strerror(code), path)  # as the kernel names the temp file
        return real(path, flags, *args)
    return fake


@pytest.mark.parametrize("exc_type, code, why", [
    (PermissionError, errno.EACCES, "this user may not create files in the folder {folder!r}"),
    (OSError, errno.EROFS, "the file system is mounted read-only"),
    (FileNotFoundError, errno.ENOENT, "the folder {folder!r} takes no new files (a virtual "
                                      "file system such as /proc or /sys?)")])
def test_atomic_errors_name_the_target_not_the_temp_file(tmp_path, monkeypatch, exc_type, code,
                                                         why):
    """Trial KK finding 3: the temporary file beside an existing file could not be created
    (in /proc: ENOENT) and the error said the file itself was not found. The target is
    named, not the hidden temporary, and the message says it was the temporary in that
    folder that could not be made, and why."""
    p, before = _old_file(tmp_path)
    monkeypatch.setattr(gio.os, "open", _fail_creating(exc_type, code))
    with pytest.raises(exc_type) as exc:
        save_model(make_model("softmax", seed=9, train=False), p)
    assert exc.value.errno == code and exc.value.filename == str(p)
    assert str(exc.value) == (f"[Errno {code}] could not create the temporary file that a "
                              f"save writes beside its target (and renames over it): "
                              f"{why.format(folder=str(tmp_path))}: {str(p)!r}")
    monkeypatch.undo()
    # an error without a file name (a full or failing disk) names the target too
    def failing_disk(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(gio.os, "fsync", failing_disk)
    with pytest.raises(OSError, match=r"Input/output error: '.*m\.gnet'$") as exc:
        gio.atomic_write_bytes(p, b"new")
    assert exc.value.errno == errno.EIO and ".tmp" not in str(exc.value)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.gnet"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only directories")
def test_atomic_read_only_directory(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(PermissionError) as exc:
            save_model(make_model("softmax", train=False), ro / "m.gnet")
        assert exc.value.filename == str(ro / "m.gnet") and ".tmp" not in str(exc.value)
        assert os.listdir(ro) == []
    finally:
        ro.chmod(0o755)


# -- untrusted files: hand-crafted cases ---------------------------------------------------------

@pytest.fixture
def valid(tmp_path):
    m = make_model("softmax")
    p = tmp_path / "valid.gnet"
    save_model(m, p, extra={"classes": ["a", "b", "c"]})
    return p.read_bytes()


def expect_error(tmp_path, data, match, loader=load_model):
    p = tmp_path / "bad.gnet"
    p.write_bytes(data)
    with pytest.raises(ModelFileError, match=match) as ei:
        loader(p)
    assert str(p) in str(ei.value) and ei.value.path == str(p)
    assert "\n" not in str(ei.value)
    return ei.value


def test_foreign_files(tmp_path, valid):
    expect_error(tmp_path, b"", "empty")
    expect_error(tmp_path, b"sepal_length,sepal_width,species\n5.1,3.5,setosa\n", "CSV")
    expect_error(tmp_path, b'{"layers": []}', "JSON")
    expect_error(tmp_path, pickle.dumps({"W": [1, 2]}), "pickle")
    expect_error(tmp_path, os.urandom(100).replace(b"G", b"g"), "magic|text")
    expect_error(tmp_path, b"GLASS", "truncated")
    expect_error(tmp_path, b"GLASSNET", "truncated")
    buf = __import__("io").BytesIO()
    np.save(buf, np.zeros(3))
    expect_error(tmp_path, buf.getvalue(), "npy")
    d = tmp_path / "adir"
    d.mkdir()
    with pytest.raises(ModelFileError, match="directory"):
        load_model(d)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.gnet")
    huge = tmp_path / "huge.csv"  # read no further than its start
    with open(huge, "wb") as f:
        f.write(b"a,b\n" + b"1,2\n" * 2000)
        f.truncate(2 ** 31)
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="CSV"):
            load_model(huge)
        assert tracemalloc.get_traced_memory()[1] < 2 ** 20
    finally:
        tracemalloc.stop()
    expect_error(tmp_path, bytes(5000), "magic bytes")
    # pages such as glassnet explain writes, given as the model file
    for text, kind in [("<!DOCTYPE html>\n<html><body>x</body></html>\n", "an HTML page"),
                       ("\ufeff\n  <html lang='en'><p>x</p></html>", "an HTML page"),
                       ("<!-- saved -->\n<HTML></HTML>", "an HTML page"),
                       ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
                        "an SVG image"),
                       ("<svg width='3'></svg>", "an SVG image"),
                       ('<?xml version="1.0"?>\n<model/>', "an XML file")]:
        err = expect_error(tmp_path, text.encode(), "not a glassnet model file: it looks like "
                           + kind)
        assert err.problem.startswith("not a glassnet model file: it looks like " + kind)
    expect_error(tmp_path, b"<a>,b\n1,2\n", "a text file")  # a CSV whose header has a '<'
    # a model file kept in Git LFS and never fetched (trial 14/2: "a text file (a CSV?)")
    expect_error(tmp_path, b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\n",
                 "it looks like a Git LFS pointer, not the file itself")
    if hasattr(os, "mkfifo"):  # a FIFO would block a naive reader forever
        os.mkfifo(tmp_path / "fifo")
        with pytest.raises(ModelFileError, match="not a regular file"):
            load_model(tmp_path / "fifo")


def test_pickle_payload_never_runs(tmp_path, valid):
    sentinel = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(sentinel), "w"))

    payload = pickle.dumps(Evil())
    expect_error(tmp_path, payload, "pickle")
    expect_error(tmp_path, mf.build(payload, b""), "JSON")  # inside a glassnet container
    assert not sentinel.exists()


def test_truncated_and_corrupt(tmp_path, valid):
    expect_error(tmp_path, valid[: len(valid) // 2], "checksum|truncated")
    expect_error(tmp_path, valid[:-1], "checksum|truncated")
    flipped = bytearray(valid)
    flipped[-40] ^= 0x10  # in the weights
    expect_error(tmp_path, bytes(flipped), "checksum")
    expect_error(tmp_path, valid + b"\x00", "checksum")
    v2 = bytearray(valid)
    v2[8] = 2
    expect_error(tmp_path, bytes(v2), "newer")


def test_oversized_claims_fail_before_allocating(tmp_path, valid):
    header, section = mf.split(valid)
    # a header length beyond the file
    expect_error(tmp_path, mf.build(json.dumps(header).encode(), section, hlen=2 ** 63),
                 "header length")
    big = json.loads(json.dumps(header))
    big["arrays"][0]["shape"] = [2 ** 40, 2 ** 40]
    big["arrays"][0]["nbytes"] = 2 ** 80 * 4
    tracemalloc.start()
    try:
        expect_error(tmp_path, mf.build(big, section), "extends past the end")
        big["arrays"][0]["shape"] = [2 ** 62, 3]
        expect_error(tmp_path, mf.build(big, section), r"shape\[0\]")
        big["arrays"][0]["shape"] = [10 ** 6] * 8
        big["arrays"][0]["nbytes"] = 10 ** 48 * 4
        expect_error(tmp_path, mf.build(big, section), "extends past")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2 ** 20


def _edit(header, fn):
    h = json.loads(json.dumps(header))
    fn(h)
    return h


@pytest.mark.parametrize("edit,match", [
    (lambda h: h["layers"][0].__setitem__("class", "Lambda"), "unknown layer type"),
    (lambda h: h["layers"][0].__setitem__("class", "os.system"), "unknown layer type"),
    (lambda h: h["layers"][0]["config"].__setitem__("n_out", "8"), "must be an integer"),
    (lambda h: h["layers"][0]["config"].__setitem__("n_out", 9), "shape"),
    (lambda h: h["layers"][0]["config"].__setitem__("n_in", 4), "receives 5 inputs"),
    (lambda h: h["layers"][0]["config"].__setitem__("n_in", True), "must be an integer"),
    (lambda h: h["layers"][0]["config"].__setitem__("bias", False), "no layer uses"),
    (lambda h: h["layers"][0]["config"].__setitem__("init", "rm -rf"), "initializer"),
    (lambda h: h["layers"][0]["config"].__setitem__("evil", 1), "unknown entry"),
    (lambda h: h["layers"][1].__setitem__("config", {"alpha": 1}), "unknown entry"),
    (lambda h: h["layers"].__setitem__(1, {"class": "Dropout", "config": {"rate": 1.5}}),
     "rate"),
    (lambda h: h["layers"].__setitem__(1, {"class": "LeakyReLU", "config": {"alpha": "x"}}),
     "number"),
    (lambda h: h["layers"].__setitem__(1, {"class": "GELU", "config": {"approximate": "x"}}),
     "approximate"),
    (lambda h: h.__setitem__("layers", []), "empty"),
    (lambda h: h.__setitem__("layers", {"0": 1}), "must be a JSON list"),
    (lambda h: h.__setitem__("dtype", "float16"), "dtype"),
    (lambda h: h.__setitem__("dtype", "object"), "dtype"),
    (lambda h: h.__setitem__("n_features", 6), "receives 6 inputs"),
    (lambda h: h.__setitem__("n_features", -5), "n_features"),
    (lambda h: h.__setitem__("seed", -1), "seed"),
    (lambda h: h.__setitem__("seed", 1.5), "seed"),
    (lambda h: h.__setitem__("extra", [1]), "extra"),
    (lambda h: h.__setitem__("loss", {"class": "Evil", "config": {}}), "loss.class"),
    (lambda h: h.__setitem__("loss", {"class": "Huber", "config": {"delta": -1}}), "delta"),
    (lambda h: h.__setitem__("loss", {"class": "MSE", "config": {"half": "yes"}}), "half"),
    (lambda h: h.__setitem__("optimizer", {"class": "os.system", "config": {}}),
     "optimizer.class"),
    (lambda h: h.__setitem__("optimizer", {"class": "SGD", "config": {"lr": -1}}),
     "optimizer.config is not valid for SGD.*lr"),
    (lambda h: h.__setitem__("optimizer", {"class": "Adam", "config": {"x": 1}}),
     "optimizer.config is not valid for Adam"),
    (lambda h: h.__setitem__("optimizer", {"class": "Adam", "state": []}),
     "optimizer has an unknown entry|unknown entr"),
    (lambda h: h.__setitem__("optimizer", {"class": "Adam", "initial_lr": -1}), "initial_lr"),
    (lambda h: h.__setitem__("optimizer", "adam"), "optimizer must be"),
    (lambda h: h["rng"].__setitem__("model", {"bit_generator": "MT19937"}), "bit_generator"),
    (lambda h: h["rng"]["model"]["state"].__setitem__("state", -1), "state"),
    (lambda h: h["rng"]["model"]["state"].__setitem__("inc", 2 ** 200), "inc"),
    (lambda h: h["rng"]["layers"].__setitem__("0", None), "random generator"),
    (lambda h: h.__setitem__("kind", "pickle"), "kind"),
    (lambda h: h["arrays"][0].__setitem__("dtype", "float16"), "dtype"),
    (lambda h: h["arrays"][0].__setitem__("dtype", "|O"), "dtype"),
    (lambda h: h["arrays"][0].__setitem__("shape", [-5, 8]), r"shape\[0\]"),
    (lambda h: h["arrays"][0].__setitem__("shape", [8, 5]), "nbytes|shape"),
    (lambda h: h["arrays"][0].__setitem__("offset", -64), "offset"),
    (lambda h: h["arrays"][1].__setitem__("offset", 0), "overlap"),
    (lambda h: h["arrays"][0].__setitem__("name", h["arrays"][1]["name"]), "twice"),
    (lambda h: h["arrays"][0].__setitem__("name", "layers.0.Q"), "needs the array"),
    (lambda h: h["arrays"].pop(), "needs the array|end at"),
    (lambda h: h.__setitem__("arrays", None), "arrays must be"),
])
def test_hand_crafted_headers(tmp_path, valid, edit, match):
    header, section = mf.split(valid)
    expect_error(tmp_path, mf.build(_edit(header, edit), section), match)


def test_nan_weights_are_rejected(tmp_path, valid):
    header, section = mf.split(valid)
    e = header["arrays"][0]
    sec = bytearray(section)
    sec[e["offset"]:e["offset"] + 4] = np.float32(np.nan).tobytes()
    expect_error(tmp_path, mf.build(header, bytes(sec)), "NaN")


def test_dtype_mismatch_with_model(tmp_path, valid):
    header, section = mf.split(valid)
    f64 = _edit(header, lambda h: h.__setitem__("dtype", "float64"))
    expect_error(tmp_path, mf.build(f64, section), "float32 but the model is float64")


def test_checkpoint_and_model_kinds(tmp_path, valid):
    p = tmp_path / "m.gnet"
    p.write_bytes(valid)
    with pytest.raises(ModelFileError, match="not a checkpoint"):
        load_checkpoint(p)
    m = make_model("softmax")
    save_checkpoint(p, m, epoch=1)
    assert same_bytes(load_model(p).predict(np.ones((2, 5))), m.predict(np.ones((2, 5))))
    header, section = mf.split(p.read_bytes())
    bad = _edit(header, lambda h: h["training"]["optimizer"].__setitem__("class", "Evil"))
    expect_error(tmp_path, mf.build(bad, section), "optimizer.class", load_checkpoint)
    bad = _edit(header, lambda h: h["training"]["optimizer"]["config"].__setitem__("lr", -1))
    expect_error(tmp_path, mf.build(bad, section), "lr", load_checkpoint)
    bad = _edit(header, lambda h: h["training"]["optimizer"]["config"].__setitem__("x", 1))
    expect_error(tmp_path, mf.build(bad, section), "not valid for Adam", load_checkpoint)
    bad = _edit(header, lambda h: h["training"]["optimizer"]["state"][0]["values"]
                .__setitem__("step", "4"))
    expect_error(tmp_path, mf.build(bad, section), "step", load_checkpoint)
    bad = _edit(header, lambda h: h["training"]["history"]["history"].__setitem__("loss", ["x"]))
    expect_error(tmp_path, mf.build(bad, section), "numbers", load_checkpoint)
    bad = _edit(header, lambda h: h["training"].__setitem__("epoch", -1))
    expect_error(tmp_path, mf.build(bad, section), "epoch", load_checkpoint)
    # an optimizer array of the wrong shape for its parameter
    def swap(h):
        st = h["training"]["optimizer"]["state"]
        st[0]["arrays"]["exp_avg"], st[1]["arrays"]["exp_avg"] = \
            st[1]["arrays"]["exp_avg"], st[0]["arrays"]["exp_avg"]
    expect_error(tmp_path, mf.build(_edit(header, swap), section), "parameter is",
                 load_checkpoint)


# -- the fuzz ----------------------------------------------------------------------------------

BAD_VALUES = [None, True, False, -1, 0, 1, 7, 2 ** 31, 2 ** 64, 10 ** 30, -(10 ** 30), 1e308,
              -1e308, 0.5, float("nan"), float("inf"), "", "x", "float64", "int64", "Dense",
              "layers.0.W", [], [1, 2], [[[[]]]], [-1], [2 ** 40, 2 ** 40], {}, {"a": 1}]


def _paths(node, path=()):
    """Every place in a JSON tree, as key paths."""
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


def _set(tree, path, value):
    t = json.loads(json.dumps(tree))
    if not path:
        return value
    node = t
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return t


def _delete(tree, path):
    t = json.loads(json.dumps(tree))
    node = t
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]
    return t


def fuzz_cases(valid, rng, n_random, only_json=False):
    """Mutated files: (label, bytes). Deterministic for a given rng."""
    n = len(valid)
    if only_json:
        yield from _json_cases(valid, rng, n_random)
        return
    # truncation at every length, as is and with a recomputed checksum
    for k in range(n):
        yield "trunc", valid[:k]
        if k >= 32:
            yield "trunc+hash", mf.rehash(valid[:k])
    # random bit flips, raw (the checksum must catch them) and rehashed (the parser must)
    for _ in range(n_random):
        b = bytearray(valid)
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.integers(0, n))
            b[i] ^= 1 << int(rng.integers(0, 8))
        yield "flip", bytes(b)
        yield "flip+hash", mf.rehash(bytes(b))
        # bit flips restricted to the prefix and header, where the parser lives
        b = bytearray(valid)
        hend = mf.PREFIX.size + mf.PREFIX.unpack_from(valid)[2]
        i = int(rng.integers(0, hend))
        b[i] ^= 1 << int(rng.integers(0, 8))
        yield "header-flip+hash", mf.rehash(bytes(b))
    # random bytes inserted / deleted / overwritten
    for _ in range(n_random // 2):
        i = int(rng.integers(0, n))
        junk = rng.bytes(int(rng.integers(1, 9)))
        yield "insert+hash", mf.rehash(valid[:i] + junk + valid[i:])
        j = i + int(rng.integers(1, 65))
        yield "delete+hash", mf.rehash(valid[:i] + valid[j:])
        yield "overwrite+hash", mf.rehash(valid[:i] + junk + valid[i + len(junk):])
    yield from _json_cases(valid, rng, n_random)


def _json_cases(valid, rng, n_random):
    # the header's JSON: every value replaced by wrong types and absurd numbers, every key
    # deleted; the checksum and header length recomputed so only the parser can object
    header, section = mf.split(valid)
    for path in _paths(header):
        for v in BAD_VALUES:
            yield "json", mf.build(_set(header, path, v), section)
        if path:
            yield "json-del", mf.build(_delete(header, path), section)
    # header JSON text mangled
    text = json.dumps(header).encode()
    for _ in range(n_random // 4):
        i = int(rng.integers(0, len(text)))
        yield "json-bytes", mf.build(text[:i] + rng.bytes(1) + text[i + 1:], section)
        yield "json-cut", mf.build(text[:i], section)


def _check_loaded(obj, checkpoint):
    if checkpoint:
        model, state = obj
        assert isinstance(state["epoch"], int) and state["initial_epoch"] == state["epoch"] + 1
        assert isinstance(state["history"], gn.train.History)
    else:
        model = obj
    assert isinstance(model, gn.Sequential) and isinstance(model.extra, dict)
    X = np.ones((3, model.n_features), dtype=model.dtype)
    with np.errstate(all="ignore"):
        out = model.predict(X)
    assert out.shape == (3, model.n_outputs) and out.dtype == model.dtype


def run_fuzz(tmp_path, valid, checkpoint, n_random, seed, file_every=40, only_json=False):
    """Load every mutated file; each must load into a valid model or raise ModelFileError.

    The cases go through the same parser load_model/load_checkpoint use, from bytes (writing
    thousands of files is slower than parsing them); every ``file_every``-th case also goes
    through a real file and must give the same outcome."""
    parse = gio._checkpoint_from_bytes if checkpoint else gio._model_from_bytes
    loader = load_checkpoint if checkpoint else load_model
    rng = np.random.default_rng(seed)
    p = tmp_path / "fuzz.gnet"
    counts = {"cases": 0, "loaded": 0, "rejected": 0}
    slowest = 0.0
    for i, (label, data) in enumerate(fuzz_cases(valid, rng, n_random, only_json)):
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():   # (a flipped version digit is a newer writer)
                warnings.filterwarnings("ignore", "model file .* newer than this glassnet")
                obj = parse(data, "case.gnet")
        except ModelFileError as exc:
            assert "case.gnet" in str(exc) and "\n" not in str(exc)
            outcome = "rejected"
        except Exception as exc:  # noqa: BLE001 - the point of the test
            raise AssertionError(f"{label}: {type(exc).__name__}: {exc}\n{data[:400]!r}") from exc
        else:
            _check_loaded(obj, checkpoint)
            outcome = "loaded"
        slowest = max(slowest, time.perf_counter() - t0)
        counts[outcome] += 1
        counts["cases"] += 1
        if i % file_every == 0:
            p.write_bytes(data)
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", "model file .* newer than this glassnet")
                    loader(p)
                assert outcome == "loaded", label
            except ModelFileError as exc:
                assert outcome == "rejected" and str(p) in str(exc), label
    assert slowest < 2.0
    return counts


def _small_files(tmp_path):
    m = gn.Sequential([gn.Dense(2, 3, activation="relu"), gn.Dropout(0.25), gn.Dense(3, 1),
                       gn.Sigmoid()], seed=0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
    m.fit(X, [0, 1, 1, 0], optimizer=Adam(lr=0.1), epochs=2, batch_size=2)
    save_model(m, tmp_path / "m.gnet", extra={"classes": ["no", "yes"], "n": 4})
    save_checkpoint(tmp_path / "c.gnet", m, epoch=1)
    return (tmp_path / "m.gnet").read_bytes(), (tmp_path / "c.gnet").read_bytes()


def test_fuzz_model_file(tmp_path):
    model_bytes, _ = _small_files(tmp_path)
    counts = run_fuzz(tmp_path, model_bytes, False, n_random=300, seed=0)
    print("model-file fuzz:", counts)
    assert counts["cases"] >= 3000 and counts["rejected"] > 0 and counts["loaded"] > 0


def test_fuzz_memory(tmp_path):
    """Header values replaced by huge numbers, absurd shapes and wrong types: the loader
    checks sizes against the file before allocating anything."""
    model_bytes, _ = _small_files(tmp_path)
    cases = [d for _, d in fuzz_cases(model_bytes, np.random.default_rng(10), 40, True)]
    rejected = 0
    tracemalloc.start()
    try:
        for data in cases:
            try:
                gio._model_from_bytes(data)
            except ModelFileError:
                rejected += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print("memory fuzz:", len(cases), "cases,", rejected, "rejected, peak bytes:", peak)
    assert len(cases) >= 1000 and rejected > 0
    assert peak < 4 * 2 ** 20


def test_fuzz_checkpoint_file(tmp_path):
    _, ckpt_bytes = _small_files(tmp_path)
    counts = run_fuzz(tmp_path, ckpt_bytes, True, n_random=100, seed=1)
    print("checkpoint fuzz:", counts)
    assert counts["cases"] >= 3000 and counts["loaded"] > 0


@pytest.mark.slow
def test_fuzz_many_seeds(tmp_path):
    model_bytes, ckpt_bytes = _small_files(tmp_path)
    total = 0
    for seed in range(2, 8):
        total += run_fuzz(tmp_path, model_bytes, False, 2000, seed, 500)["cases"]
        total += run_fuzz(tmp_path, ckpt_bytes, True, 2000, seed + 100, 500)["cases"]
    print("slow fuzz cases:", total)


# --------------------------------------------------------------------- custom layers
class Scale(gn.Layer):
    """y = x * s + shift: one learnable scale per feature, a fixed shift from the config."""

    def __init__(self, shift=0.0):
        super().__init__()
        self.shift = shift

    def build(self, n_in, rng=None, dtype="float32"):
        super().build(n_in, rng, dtype)
        self.params = {"s": np.ones(n_in, dtype=dtype)}
        self.grads = {"s": np.zeros(n_in, dtype=dtype)}
        return n_in

    def forward(self, x, training=False):
        self._x = x
        return x * self.params["s"] + self.shift

    def backward(self, dy):
        self.grads["s"][...] = (dy * self._x).sum(axis=0)
        return dy * self.params["s"]

    def config(self):
        return {"shift": self.shift}


@pytest.fixture
def registered():
    gio.register_layer(Scale)
    yield Scale
    gio._CUSTOM_LAYERS.pop("Scale", None)


def _custom_model():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    model = gn.Sequential([Scale(shift=0.25), gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 1),
                           gn.Sigmoid()], seed=0)
    model.fit(X, y, epochs=5, optimizer=Adam(lr=0.05))
    return model, X


def test_a_custom_layer_with_a_scalar_parameter_round_trips(tmp_path):
    """Trial 15/M finding 1: a 0-d parameter (one learnable scale) was written as shape (1,),
    and load refused the file it had just saved."""

    class OneScale(gn.Layer):
        def __init__(self):
            super().__init__()
            self.params = {"a": np.array(2.0, dtype=np.float32)}
            self.grads = {"a": np.zeros((), dtype=np.float32)}

        def forward(self, x, training=False):
            self._x = x
            return self.params["a"] * x

        def backward(self, dy):
            self.grads["a"][...] = np.sum(dy * self._x)
            return self.params["a"] * dy

    gio.register_layer(OneScale)
    try:
        m = gn.Sequential([gn.Dense(2, 1), OneScale()], seed=0)
        X = np.ones((3, 2), np.float32)
        m.fit(X, np.ones(3), loss="mse", epochs=2)
        save_model(m, tmp_path / "s.gnet")
        back = load_model(tmp_path / "s.gnet")
        assert back.layers[1].params["a"].shape == ()
        assert back.predict(X).tobytes() == m.predict(X).tobytes()
    finally:
        gio._CUSTOM_LAYERS.pop("OneScale", None)


def test_registered_custom_layer_round_trips(registered, tmp_path):
    model, X = _custom_model()
    assert not np.allclose(model.layers[0].params["s"], 1.0)  # it trained
    save_model(model, tmp_path / "c.gnet")
    back = load_model(tmp_path / "c.gnet")
    assert type(back.layers[0]) is Scale and back.layers[0].shift == 0.25
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    assert gn.gradcheck(back, X[:4].astype(np.float64), np.ones((4, 1)), loss="bce") < 1e-6


def test_custom_layer_without_registration(tmp_path, registered):
    model, _ = _custom_model()
    save_model(model, tmp_path / "c.gnet")
    gio._CUSTOM_LAYERS.pop("Scale")  # a new process that did not register it
    with pytest.raises(ModelFileError, match=r"layers\[0\]: the layer 'Scale' is a custom "
                                             r"class that is not registered.*register_layer"):
        load_model(tmp_path / "c.gnet")
    with pytest.raises(TypeError, match="registered with glassnet.io.register_layer"):
        save_model(model, tmp_path / "d.gnet")


def test_custom_layer_file_checks(registered, tmp_path):
    model, _ = _custom_model()
    save_model(model, tmp_path / "c.gnet")
    header, arrays = gio._parse(open(tmp_path / "c.gnet", "rb").read(), "c")[1:]
    bad_cfg = dict(header, layers=[dict(header["layers"][0], config={"nope": 1}),
                                   *header["layers"][1:]])
    with pytest.raises(ModelFileError, match=r"layers\[0\] \(Scale\): could not rebuild it "
                                             r"from its config.*TypeError"):
        gio._build_model(gio._Checker("c"), bad_cfg, dict(arrays))
    small = dict(arrays)
    small["layers.0.s"] = np.ones(2, np.float32)
    with pytest.raises(ModelFileError, match=r"'layers.0.s' has shape \(2,\) but Scale built "
                                             r"for 3 inputs needs \(3,\)"):
        gio._build_model(gio._Checker("c"), header, small)


def test_register_layer_refuses_what_it_cannot_keep(registered):
    with pytest.raises(ValueError, match="'Dense' is a built-in layer"):
        gio.register_layer(Scale, name="Dense")
    with pytest.raises(TypeError, match="subclass of glassnet.Layer"):
        gio.register_layer(int)

    class Other(gn.Layer):
        pass
    with pytest.raises(ValueError, match="'Scale' is already registered"):
        gio.register_layer(Other, name="Scale")
    assert gio.register_layer(Scale) is Scale  # registering the same class again is fine

    class Arr(Scale):
        def config(self):
            return {"shift": np.float32(1.0).reshape(1)}
    gio.register_layer(Arr)
    try:
        m = gn.Sequential([Arr(), gn.Dense(3, 1)], seed=0)
        m.build(3)
        with pytest.raises(TypeError, match=r"config\(\) must be a dict of plain JSON values"):
            save_model(m, "/tmp/never.gnet")
    finally:
        gio._CUSTOM_LAYERS.pop("Arr", None)


_TWICE = """
class Twice(gn.Layer):
    def forward(self, x, training=False):
        return 2 * x

    def backward(self, dy):
        return 2 * dy
"""


def _define_twice(module):
    ns = {"gn": gn, "__name__": module}
    exec(_TWICE, ns)  # what running a notebook cell does
    return ns["Twice"]


def test_register_layer_again_after_a_cell_is_rerun(tmp_path):
    first = gio.register_layer(_define_twice("__main__"))
    try:
        old_model = gn.Sequential([gn.Dense(2, 2), first()], seed=0)
        second = _define_twice("__main__")
        assert gio.register_layer(second) is second  # the redefinition replaces the first
        assert gio._CUSTOM_LAYERS["Twice"] is second
        save_model(old_model, tmp_path / "t.gnet")  # built before the cell was rerun
        assert type(load_model(tmp_path / "t.gnet").layers[1]) is second
        with pytest.raises(ValueError, match=r"'Twice' is already registered for "
                                             r"__main__\.Twice; pass name= to register "
                                             r"elsewhere\.Twice under another name"):
            gio.register_layer(_define_twice("elsewhere"))
        assert gio._CUSTOM_LAYERS["Twice"] is second
    finally:
        gio._CUSTOM_LAYERS.pop("Twice", None)


class Power(gn.Layer):
    """y = x ** k."""

    def __init__(self, k, scale=1.0, flags=(False,)):
        super().__init__()
        self.k, self.scale, self.flags = k, scale, flags

    def forward(self, x, training=False):
        return self.scale * x ** self.k

    def backward(self, dy):
        return dy

    def config(self):
        return {"k": self.k, "scale": self.scale, "flags": self.flags}


def test_save_refuses_a_config_that_cannot_rebuild_the_layer(registered, tmp_path):
    class NoConfig(Power):  # config() of the base class: {} for a constructor that needs k
        def config(self):
            return {}

    class Wider(Scale):  # config() forgets the width its constructor takes
        def __init__(self, width=2, shift=0.0):
            super().__init__(shift)
            self.width = width

        def build(self, n_in, rng=None, dtype="float32"):
            return super().build(self.width, rng, dtype)

    for cls, layer, match in (
            (NoConfig, NoConfig(3), r"cannot save layer 1 \(NoConfig\): it cannot be rebuilt "
                                    r"from its config\(\) \{\} \(TypeError: .*'k'\); config\(\) "
                                    r"must return the constructor's keyword arguments"),
            (Wider, Wider(width=3), r"cannot save layer 1 \(Wider\): rebuilt from its config\(\) "
                                    r".* for 3 inputs it has parameters \{'s': \(2,\)\} .*; "
                                    r"config\(\) must return the constructor's keyword")):
        gio.register_layer(cls)
        try:
            with pytest.raises(TypeError, match=match):
                save_model(gn.Sequential([gn.Dense(2, 3), layer], seed=0), tmp_path / "m.gnet")
        finally:
            gio._CUSTOM_LAYERS.pop(cls.__name__, None)
    assert os.listdir(tmp_path) == []  # nothing was written


def test_numpy_scalars_in_config_are_saved_as_plain_values(tmp_path):
    gio.register_layer(Power)
    try:
        layer = Power(np.int64(2), scale=np.float32(0.5), flags=(np.bool_(True), np.float64(1)))
        save_model(gn.Sequential([gn.Dense(2, 3), layer], seed=0), tmp_path / "m.gnet")
        header = gio._parse((tmp_path / "m.gnet").read_bytes(), "m")[1]
        cfg = header["layers"][1]["config"]
        assert cfg == {"k": 2, "scale": 0.5, "flags": [True, 1.0]}
        assert [type(v) for v in (cfg["k"], cfg["scale"], *cfg["flags"])] == [int, float,
                                                                             bool, float]
        back = load_model(tmp_path / "m.gnet").layers[1]
        assert (back.k, back.scale, back.flags) == (2, 0.5, [True, 1.0])
    finally:
        gio._CUSTOM_LAYERS.pop("Power", None)


# ------------------------------------------------- writing through links, to devices and pipes
def test_atomic_write_follows_a_symlink_and_keeps_it(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    gio.atomic_write_text(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == "real.csv"
    assert real.read_text() == "new\n"
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to("made.csv")
    gio.atomic_write_text(dangling, "x\n")
    assert dangling.is_symlink() and (tmp_path / "made.csv").read_text() == "x\n"


def test_atomic_write_to_a_device_or_fifo_writes_to_it(tmp_path):
    """A file that is not a regular file (/dev/stdout, /dev/null, a named pipe) is written
    to, never replaced by a regular file: as root, a replaced /dev/null would break the whole
    machine. Tested on a named pipe (the same code path), so that a regression cannot harm
    the machine running the tests."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    gio.atomic_write_text(fifo, "through the pipe\n")
    reader.join(10)
    assert got == ["through the pipe\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


# round 16, W2: --out /dev/stdout, /dev/stderr, /dev/fd/N written into the descriptor

posix_only = pytest.mark.skipif(os.name == "nt" or not os.path.exists("/dev/fd"),
                                reason="/dev/stdout and /dev/fd are POSIX's")


def _write_via(target, text="a,b\n1,2\n"):
    """Python code for a child process that writes ``text`` to ``target`` with glassnet's
    atomic writer."""
    return ("from glassnet.io import atomic_write_text; "
            f"atomic_write_text({target!r}, {text!r})")


def _sh(script, tmp_path, shell="sh"):
    """Run ``script`` with ``shell`` in ``tmp_path``; $PY is this Python, importing this
    glassnet."""
    src = os.path.dirname(os.path.dirname(os.path.abspath(gn.__file__)))
    env = dict(os.environ, PY=sys.executable, MPLBACKEND="Agg",
               PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([shell, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=env)


@posix_only
@pytest.mark.parametrize("target, fd", [("/dev/stdout", 1), ("/dev/stderr", 2),
                                         ("/dev/fd/1", 1), ("/proc/self/fd/1", 1)])
def test_a_descriptor_path_that_is_a_pipe_is_written_into(tmp_path, target, fd):
    if target.startswith("/proc") and not os.path.exists("/proc/self/fd"):
        pytest.skip("no /proc")
    redirect = "" if fd == 1 else " 2>&1 >/dev/null"
    r = _sh(f'"$PY" -c "{_write_via(target)}"{redirect} | cat', tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "a,b\n1,2\n"


@posix_only
def test_dev_stdout_redirected_to_a_file_keeps_what_the_shell_wrote(tmp_path):
    r = _sh('{ echo header; "$PY" -c "' + _write_via("/dev/stdout") + '"; echo footer; } > g.csv'
            '; echo old > h.csv; "$PY" -c "' + _write_via("/dev/stdout") + '" >> h.csv',
            tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "g.csv").read_text() == "header\na,b\n1,2\nfooter\n"
    assert (tmp_path / "h.csv").read_text() == "old\na,b\n1,2\n"


@posix_only
def test_a_process_substitution_fd_is_written_into(tmp_path):
    import shutil
    import time
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    code = _write_via("/dev/fd/X").replace("'/dev/fd/X'", "__import__('sys').argv[1]")
    r = _sh(f'"$PY" -c "{code}" >(cat > sub.txt)', tmp_path, shell="bash")
    assert r.returncode == 0, r.stderr
    sub = tmp_path / "sub.txt"
    for _ in range(200):  # the substitution's cat may finish after bash
        if sub.exists() and sub.read_text():
            break
        time.sleep(0.05)
    assert sub.read_text() == "a,b\n1,2\n"


@posix_only
def test_dev_stdin_from_a_file_is_refused_and_the_file_kept(tmp_path):
    (tmp_path / "in.csv").write_text("x\n1\n")
    r = _sh('"$PY" -c "' + _write_via("/dev/stdin") + '" < in.csv', tmp_path)
    assert r.returncode != 0 and "PermissionError" in r.stderr
    assert "reading only" in r.stderr and "/dev/stdin" in r.stderr
    assert (tmp_path / "in.csv").read_text() == "x\n1\n"


@posix_only
def test_a_descriptor_that_is_not_open_is_named(tmp_path):
    from glassnet.io import atomic_write_text
    import resource
    # below the soft limit, so that only "not open" can be said of it; checked unused now
    fd = resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 1
    if not 2 < fd < 2 ** 31:
        pytest.skip(f"no usable descriptor limit ({fd + 1})")
    with pytest.raises(OSError):
        os.fstat(fd)
    with pytest.raises(OSError) as info:
        atomic_write_text(f"/dev/fd/{fd}", "x")
    assert f"descriptor {fd} is not open" in str(info.value)


@posix_only
def test_glassnet_predict_out_dev_stdout_into_a_pipe_and_after_an_echo(tmp_path):
    from glassnet.cli import main
    (tmp_path / "x.csv").write_text("x1,x2\n0,0\n0,1\n1,0\n1,1\n")
    assert main(["train", "xor", "--epochs", "2", "--val-split", "0", "--test-split", "0",
                 "--out", str(tmp_path / "r"), "--quiet"]) == 0
    cli = '"$PY" -m glassnet.cli'
    r = _sh(f"{cli} predict r/model.gnet x.csv --out /dev/stdout | cat > piped.csv"
            f" && {{ echo header; {cli} predict r/model.gnet x.csv --out /dev/stdout; }}"
            f" > g.csv", tmp_path)
    assert r.returncode == 0, r.stderr
    piped = (tmp_path / "piped.csv").read_text().splitlines()
    assert len(piped) == 5 and piped[0].startswith("x1,x2,"), r.stderr
    assert (tmp_path / "g.csv").read_text().splitlines() == ["header", *piped]


def test_saving_a_custom_optimizer_warns_that_it_is_not_stored(tmp_path):
    """Trial H finding 5: a custom optimizer (a subclass of a built-in too) was dropped by
    save without a word; the loaded model then trained with Adam(lr=0.001)."""
    import warnings as _w

    class MyAdam(gn.Adam):
        pass

    X = np.random.default_rng(0).normal(size=(20, 2)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    m = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    m.fit(X, y, epochs=1, optimizer=MyAdam(lr=0.5))
    with pytest.warns(RuntimeWarning, match="optimizer MyAdam is not saved.*Adam"):
        m.save(tmp_path / "c.gnet")
    loaded = gn.load(tmp_path / "c.gnet")
    assert loaded.optimizer is None
    loaded.fit(X, y, epochs=1)
    assert type(loaded.optimizer) is gn.Adam and loaded.optimizer.lr == 0.001
    with _w.catch_warnings():
        _w.simplefilter("error")
        loaded.save(tmp_path / "d.gnet")  # a built-in: no warning


def test_fit_on_a_trained_model_from_before_model_files_kept_the_optimizer_says_so(tmp_path):
    """Trial M: a model file from before today carries no optimizer, so fit() went on with
    Adam(lr=0.001) silently, though the model may have been trained with SGD. fit now warns
    (pointing at the user's line) unless given optimizer=; new files and untrained models
    do not warn."""
    import warnings
    X, y = data2()
    trained = make_model("softmax")
    header, section = mf.split(_saved_bytes(trained, tmp_path))
    del header["optimizer"]                       # as files from before kept none
    old = tmp_path / "old.gnet"
    old.write_bytes(mf.build(header, section))
    with pytest.warns(RuntimeWarning, match="written before glassnet's model files kept the "
                                            "optimizer") as record:
        load_model(old).fit(X, y, epochs=1)
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(old).fit(X, y, epochs=1, optimizer="sgd")       # given: nothing to say
        load_model(tmp_path / "m.gnet").fit(X, y, epochs=1)         # a new file keeps it
        untrained = make_model("softmax", train=False)
        header, section = mf.split(_saved_bytes(untrained, tmp_path))
        del header["optimizer"]
        old.write_bytes(mf.build(header, section))
        load_model(old).fit(X, y, epochs=1, loss="cce")             # never trained


def _saved_bytes(model, tmp_path):
    p = tmp_path / "m.gnet"
    save_model(model, p)
    return p.read_bytes()


def test_epochs_trained_is_kept_by_save_load_and_pickle(tmp_path):
    """Trial P: ``l.fit(..., initial_epoch=l.epochs_trained)`` on a loaded model raised
    AttributeError (the attribute existed only after a fit in the same process)."""
    import pickle
    X = np.random.default_rng(0).normal(size=(50, 4))
    y = (X[:, 0] > 0).astype(int)
    m = gn.Sequential([gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    assert m.epochs_trained == 0
    m.fit(X, y, epochs=3)
    m.save(tmp_path / "a.gnet")
    loaded = gn.load(tmp_path / "a.gnet")
    assert loaded.epochs_trained == 3
    h = loaded.fit(X, y, epochs=2, initial_epoch=loaded.epochs_trained)
    assert h.epoch == [3, 4] and loaded.epochs_trained == 5
    assert pickle.loads(pickle.dumps(loaded)).epochs_trained == 5
    old = pickle.loads(pickle.dumps(m))
    del old.__dict__["epochs_trained"]               # as a pickle from an older version
    assert old.epochs_trained == 0


def test_a_save_removes_what_a_killed_save_of_the_same_file_left(tmp_path):
    """Trial 14/2 finding 5: SIGKILL during save left full-size `.m.gnet.<hex>.tmp` files that
    nothing removed (only train --out cleaned its own). A save removes its file's temporaries
    untouched for an hour; a recent one (a save running elsewhere) and other files' stay."""
    import time
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    old = tmp_path / ".m.gnet.0123456789abcdef.tmp"
    recent = tmp_path / ".m.gnet.fedcba9876543210.tmp"
    other = tmp_path / ".n.gnet.0123456789abcdef.tmp"
    mine = tmp_path / ".m.gnet.notes.tmp"
    for p in (old, recent, other, mine):
        p.write_bytes(b"partial")
    hour_ago = time.time() - 3700
    for p in (old, other, mine):
        os.utime(p, (hour_ago, hour_ago))
    model.save(tmp_path / "m.gnet")
    assert not old.exists() and recent.exists() and other.exists() and mine.exists()
    assert gn.load(tmp_path / "m.gnet") is not None


@pytest.mark.skipif(sys.platform != "linux", reason="PATH_MAX of 4096: Linux")
def test_saving_in_a_folder_deeper_than_path_max_works_by_relative_path(tmp_path):
    """Trial 14/8 finding 4: from a current folder whose absolute path passes 4,096 bytes,
    every save failed ('File name too long') though the relative path works."""
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        for _ in range(17):   # 17 x 256 bytes: the absolute path is past PATH_MAX
            os.mkdir("d" * 255)
            os.chdir("d" * 255)
        model.save("m.gnet")
        model.save("sub/m.gnet")
        assert gn.load("m.gnet") is not None and gn.load("sub/m.gnet") is not None
    finally:
        os.chdir(here)


def test_a_long_name_of_wide_characters_saves(tmp_path):
    """Trial 15/K finding 5: the temporary file's name took the target's first 80 characters;
    80 CJK characters are 240 bytes, and with the suffix the name passed the 255 bytes a file
    name may have (a name open() takes failed with 'File name too long')."""
    m = gn.Sequential([gn.Dense(2, 1)], seed=0)
    for name in ("模" * 77 + ".gnet", "😀" * 60 + ".gnet"):
        save_model(m, tmp_path / name)
        assert load_model(tmp_path / name).predict(np.ones((1, 2))).shape == (1, 1)
    assert sorted(os.listdir(tmp_path)) == sorted(["模" * 77 + ".gnet", "😀" * 60 + ".gnet"])


@pytest.mark.skipif(not os.path.isfile("/proc/version"), reason="Linux's /proc")
def test_saving_over_a_file_of_proc_says_the_folder_takes_no_files(tmp_path):
    """Trial KK finding 3: model.save("/proc/version") said FileNotFoundError ... '/proc/version'
    of a file that exists (the temporary beside it is what /proc refuses)."""
    with pytest.raises(OSError, match=r"could not create the temporary file .*: the folder "
                                      r"'/proc' takes no new files") as exc:
        gn.Sequential([gn.Dense(2, 1)], seed=0).save("/proc/version")
    assert exc.value.filename == "/proc/version" and ".tmp" not in str(exc.value)


def test_saving_over_a_file_of_a_read_only_mount_says_so(tmp_path, monkeypatch):
    """Trial KK finding 3: over an existing file on a read-only mount (where os.access says
    no to everyone, root too) the save said "the file is read-only: chmod u+w makes it
    writable", which chmod cannot do there. The mount is asked (statvfs's ST_RDONLY)."""
    if not hasattr(os, "statvfs"):
        pytest.skip("no statvfs")
    p = tmp_path / "m.gnet"
    m = gn.Sequential([gn.Dense(2, 1)], seed=0)
    save_model(m, p)
    before = p.read_bytes()
    real_statvfs = os.statvfs

    class ReadOnly:
        def __init__(self, path):
            self.f_flag = real_statvfs(path).f_flag | os.ST_RDONLY

    monkeypatch.setattr(gio.os, "access", lambda path, mode, **kw: False)  # as on such a mount
    monkeypatch.setattr(gio.os, "statvfs", ReadOnly)
    with pytest.raises(OSError, match=r"the file system holding the file is mounted "
                                      r"read-only: save to another place") as exc:
        save_model(m, p)
    assert exc.value.errno == errno.EROFS and exc.value.filename == str(p)
    assert "chmod" not in str(exc.value)
    monkeypatch.undo()
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["m.gnet"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write read-only files")
def test_a_read_only_file_is_not_replaced(tmp_path):
    """Trial 15/K finding 4: the atomic save renamed its temporary over a file marked
    read-only (a rename needs only the folder's permission), where open(path, 'w') fails."""
    p = tmp_path / "m.gnet"
    m = gn.Sequential([gn.Dense(2, 1)], seed=0)
    save_model(m, p)
    before = p.read_bytes()
    os.chmod(p, 0o444)
    m.layers[0].params["W"][...] = 1.0
    with pytest.raises(PermissionError, match=r"the file is read-only: chmod u\+w makes it"):
        save_model(m, p)
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["m.gnet"]


def _killed_save(folder, name):
    """Save ``folder/name`` from another process that is killed (SIGKILL) in the middle of
    the write, after the bytes went to the temporary file: what it leaves behind."""
    import signal
    import textwrap
    code = textwrap.dedent(f"""
        import os, signal, glassnet as gn, glassnet.io as gio
        gio.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
        gn.Sequential([gn.Dense(2, 1)], seed=0).save({str(folder / name)!r})
        """)
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(gio.__file__))}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    return [n for n in os.listdir(folder) if gio.temporary_of(n) == name]


@pytest.mark.skipif(sys.platform == "win32", reason="a pid is checked with os.kill(pid, 0)")
def test_what_a_killed_save_left_is_removed_at_once_by_the_next_save_in_its_folder(tmp_path):
    """Trial KK finding 2: every kill during a save left a full-size temporary kept for an
    hour, and one of a name that changes each epoch (ckpt-{epoch}.gnet) was never removed.
    The temporary's name holds its writer's pid and machine: one whose writer has ended is
    removed by the next save into the folder, whatever file it was for; one of a running
    writer never is, however old; one of another machine (or an older glassnet) only after
    an hour, and only for the file being saved."""
    left = _killed_save(tmp_path, "ckpt-3.gnet")
    assert len(left) == 1 and (tmp_path / left[0]).stat().st_size > 0
    gn.Sequential([gn.Dense(2, 1)], seed=0).save(tmp_path / "ckpt-4.gnet")
    assert left[0] not in os.listdir(tmp_path)  # its writer was killed: gone, whatever its age
    # the temporaries of writers that are running, or that cannot be checked, stay
    pid, tag = re.search(r"\.([0-9]+)-([0-9a-f]{8})\.tmp$", left[0]).groups()
    assert pid != str(os.getpid())
    running = tmp_path / f".ckpt-5.gnet.0123456789abcdef.{os.getpid()}-{tag}.tmp"
    elsewhere = f"{'0' if tag[0] != '0' else '1'}{tag[1:]}"
    other_machine_old = tmp_path / f".ckpt-5.gnet.0123456789abcdef.{pid}-{elsewhere}.tmp"
    other_machine_other_name = tmp_path / f".ckpt-3.gnet.0123456789abcdef.{pid}-{elsewhere}.tmp"
    other_machine_recent = tmp_path / f".ckpt-5.gnet.fedcba9876543210.{pid}-{elsewhere}.tmp"
    for p in (running, other_machine_old, other_machine_other_name, other_machine_recent):
        p.write_bytes(b"partial")
    hour_ago = time.time() - 3700
    for p in (running, other_machine_old, other_machine_other_name):
        os.utime(p, (hour_ago, hour_ago))
    gn.Sequential([gn.Dense(2, 1)], seed=0).save(tmp_path / "ckpt-5.gnet")
    assert not other_machine_old.exists()                       # the age rule, as before
    assert running.exists() and other_machine_recent.exists()   # maybe being written
    assert other_machine_other_name.exists()                    # not this file's, unknown
    assert gio.temporary_of(running.name) == "ckpt-5.gnet"


def _version_file(tmp_path, version):
    p = tmp_path / "m.gnet"
    gn.Sequential([gn.Dense(2, 1)], seed=0).save(p)
    if version is None:
        p.write_bytes(mf.edit_header(p, lambda h: h.pop("glassnet_version")))
    else:
        p.write_bytes(mf.edit_header(p, lambda h: h.update(glassnet_version=version)))
    return p


def _this_version():
    from glassnet import __version__
    return tuple(int(x) for x in re.match(r"(\d+)\.(\d+)\.(\d+)", __version__).groups())


@pytest.mark.parametrize("newer", ["{M1}.0.0", "{M}.{m1}.1", "{M}.{m}.{p1}", "{M1}.0",
                                   "{M}.{m1}.0rc1", "{M1}.0.0.dev4+g1a2b3c"])
def test_a_file_of_a_newer_glassnet_warns_once_at_the_users_line(tmp_path, newer):
    """Trial KK finding 5: a file written by a newer glassnet loaded without a word (the
    version it names was only checked to be a string)."""
    from glassnet import __version__
    major, minor, patch = _this_version()
    version = newer.format(M=major, m=minor, M1=major + 1, m1=minor + 1, p1=patch + 1)
    p = _version_file(tmp_path, version)
    for load in (load_model, gn.load):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            load(p)
        assert len(seen) == 1 and seen[0].category is UserWarning, [str(w.message) for w in seen]
        msg = str(seen[0].message)
        assert f"written by glassnet {version}, newer than this glassnet {__version__}" in msg
        assert seen[0].filename == __file__


@pytest.mark.parametrize("version", ["0.1.0", "this", "0.0.1rc1", "0.2", "garbage", "", None])
def test_a_file_of_this_or_an_older_glassnet_loads_without_a_warning(tmp_path, version):
    from glassnet import __version__
    p = _version_file(tmp_path, __version__ if version == "this" else version)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_model(p).predict(np.ones((1, 2))).shape == (1, 1)

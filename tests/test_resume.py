"""Checkpoints and resume: training interrupted and continued from a ModelCheckpoint file
gives weights bit-identical to training straight through (shuffled mini-batches, optimizer
memory, dropout, validation split and learning-rate schedules included)."""
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import io as gio
from glassnet import optim
from glassnet.callbacks import Callback
from glassnet.io import ModelFileError, load_checkpoint, load_model, resume, save_checkpoint
from glassnet.train import LearningRateScheduler, ModelCheckpoint

import _modelfile as mf


def data(n=90, k=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    y = (X[:, 0] * X[:, 1] + X[:, 2] > 0).astype(np.int64) + (X[:, 3] > 1)
    return X, y


def new_model(dtype="float32", seed=11):
    return gn.Sequential([gn.Dense(6, 16, activation="relu"), gn.Dropout(0.3),
                          gn.Dense(16, 8, activation="tanh"), gn.Dropout(0.1),
                          gn.Dense(8, 3), gn.Softmax()], seed=seed, dtype=dtype)


OPTIMIZERS = {
    "adam": lambda: optim.Adam(lr=0.01),
    "sgd_nesterov": lambda: optim.SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "sgd_dampened": lambda: optim.SGD(lr=0.05, momentum=0.8, dampening=0.3),
    "rmsprop": lambda: optim.RMSProp(lr=0.005, momentum=0.5, centered=True, weight_decay=1e-3),
    "adagrad": lambda: optim.Adagrad(lr=0.05, initial_accumulator_value=0.1),
    "adamw_amsgrad": lambda: optim.AdamW(lr=0.01, amsgrad=True),
}


def weights_identical(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(
        x.dtype == y.dtype and x.tobytes() == y.tobytes() for x, y in zip(wa, wb))


def straight(epochs, opt, fit_kw, dtype="float32", callbacks=()):
    m = new_model(dtype)
    X, y = data()
    m.fit(X, y, optimizer=opt(), epochs=epochs, callbacks=list(callbacks), **fit_kw)
    return m


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_resume_bit_identical(tmp_path, name):
    opt = OPTIMIZERS[name]
    kw = {"batch_size": 16, "shuffle": True}
    full = straight(10, opt, kw)
    ck = tmp_path / "ck.gnet"
    part = straight(4, opt, kw, callbacks=[ModelCheckpoint(ck, every=1)])
    assert not weights_identical(part, full)
    X, y = data()
    resumed = resume(ck, X, y, epochs=10, **kw)
    assert weights_identical(resumed, full)
    assert resumed.history.epoch == list(range(10)) == full.history.epoch
    assert resumed.history.history == full.history.history
    assert resumed.rng.bit_generator.state == full.rng.bit_generator.state
    assert type(resumed.optimizer) is type(full.optimizer)
    assert resumed.optimizer.config() == full.optimizer.config()


def test_resume_float64_full_batch_no_shuffle(tmp_path):
    kw = {"batch_size": None, "shuffle": False}
    full = straight(7, OPTIMIZERS["adam"], kw, dtype="float64")
    ck = tmp_path / "ck.gnet"
    straight(3, OPTIMIZERS["adam"], kw, dtype="float64", callbacks=[ModelCheckpoint(ck)])
    X, y = data()
    resumed = resume(ck, X, y, epochs=7, **kw)
    assert resumed.dtype == np.float64 and weights_identical(resumed, full)


def test_resume_with_validation_split_and_schedule(tmp_path):
    def cbs(ck=None):
        out = [LearningRateScheduler(optim.StepLR(step_size=3, gamma=0.5))]
        return out + ([ModelCheckpoint(ck, every=2)] if ck else [])

    kw = {"batch_size": 8, "validation_split": 0.2}
    full = straight(9, OPTIMIZERS["sgd_nesterov"], kw, callbacks=cbs())
    ck = tmp_path / "ck.gnet"
    straight(4, OPTIMIZERS["sgd_nesterov"], kw, callbacks=cbs(ck))
    _, state = load_checkpoint(ck)
    assert state["epoch"] == 3 and state["initial_epoch"] == 4
    assert state["optimizer"].initial_lr == 0.05 and state["optimizer"].lr == 0.025
    X, y = data()
    resumed = resume(ck, X, y, epochs=9, callbacks=cbs()[:1], **kw)
    assert weights_identical(resumed, full)
    # a checkpoint written by the resumed run still knows how the split was drawn
    ck2 = tmp_path / "ck2.gnet"
    resume(ck, X, y, epochs=6, callbacks=[*cbs()[:1], ModelCheckpoint(ck2)], **kw)
    resumed = resume(ck2, X, y, epochs=9, callbacks=cbs()[:1], **kw)
    assert weights_identical(resumed, full)
    assert resumed.history.history["val_loss"] == full.history.history["val_loss"]
    assert resumed.history.history["lr"] == full.history.history["lr"]


def test_resume_after_crash_and_chained_checkpoints(tmp_path):
    """A run that dies during epoch 6 resumes from the checkpoint of epoch 5; the resumed run
    writes checkpoints of its own that carry the whole history and resume again."""

    class Crash(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 5:
                raise RuntimeError("power cut")

    kw = {"batch_size": 16}
    full = straight(10, OPTIMIZERS["adam"], kw)
    ck = tmp_path / "ck.gnet"
    with pytest.raises(RuntimeError, match="power cut"):
        straight(10, OPTIMIZERS["adam"], kw, callbacks=[ModelCheckpoint(ck), Crash()])
    X, y = data()
    ck2 = tmp_path / "ck2.gnet"
    resume(ck, X, y, epochs=8, callbacks=[ModelCheckpoint(ck2)], **kw)
    model, state = load_checkpoint(ck2)
    assert state["epoch"] == 7 and model.history.epoch == list(range(8))
    resumed = resume(ck2, X, y, epochs=10, **kw)
    assert weights_identical(resumed, full)
    assert resumed.history.history == full.history.history


def test_resume_when_already_done(tmp_path):
    ck = tmp_path / "ck.gnet"
    part = straight(4, OPTIMIZERS["adam"], {"batch_size": 16}, callbacks=[ModelCheckpoint(ck)])
    X, y = data()
    with pytest.warns(RuntimeWarning, match=r"already holds all 4 epochs; nothing is trained"):
        again = resume(ck, X, y, epochs=4, batch_size=16)
    assert weights_identical(again, part) and again.history.epoch == [0, 1, 2, 3]


def test_resume_to_fewer_epochs_than_the_checkpoint_holds_is_refused(tmp_path):
    """Trial KK finding 1: resume(epochs=2) of a checkpoint after 4 epochs ran 0 epochs
    without a word. epochs is the total to reach (as fit's with initial_epoch, Keras's)."""
    ck = tmp_path / "ck.gnet"
    straight(4, OPTIMIZERS["adam"], {"batch_size": 16}, callbacks=[ModelCheckpoint(ck)])
    before = ck.read_bytes()
    X, y = data()
    with pytest.raises(ValueError, match=r"resume\(epochs=2\): the checkpoint .* already holds "
                                         r"4 epochs.* the total .*pass epochs=6 to train 2 more"):
        resume(ck, X, y, epochs=2, batch_size=16, callbacks=[ModelCheckpoint(ck)])
    assert ck.read_bytes() == before


def test_resume_argument_errors(tmp_path):
    ck = tmp_path / "ck.gnet"
    straight(2, OPTIMIZERS["adam"], {"batch_size": 16}, callbacks=[ModelCheckpoint(ck)])
    X, y = data()
    with pytest.raises(TypeError, match="optimizer"):
        resume(ck, X, y, epochs=4, optimizer="sgd")
    with pytest.raises(TypeError, match="loss"):
        resume(ck, X, y, epochs=4, loss="mse")
    with pytest.raises(TypeError, match="initial_epoch"):
        resume(ck, X, y, epochs=4, initial_epoch=1)
    with pytest.raises(ValueError, match="validation split"):
        resume(ck, X, y, epochs=4, validation_split=0.2)


def test_checkpoint_contents(tmp_path):
    ck = tmp_path / "ck.gnet"
    m = straight(3, OPTIMIZERS["rmsprop"], {"batch_size": 30}, callbacks=[ModelCheckpoint(ck)])
    model, state = load_checkpoint(ck)
    opt = state["optimizer"]
    assert isinstance(opt, optim.RMSProp) and opt.config() == m.optimizer.config()
    assert model.optimizer is opt and model.epochs_trained == 3
    # one state per parameter, keyed by the new model's layers, arrays equal bit for bit
    assert len(opt.state) == len(m.optimizer.state) == len(model.parameters())
    for (l1, n1, _, _), (l2, n2, _, _) in zip(m.parameters(), model.parameters()):
        a, b = m.optimizer.state[(id(l1), n1)], opt.state[(id(l2), n2)]
        for key in ("square_avg", "grad_avg", "momentum_buffer"):
            assert a[key].tobytes() == b[key].tobytes() and a[key].dtype == b[key].dtype
    assert state["history"].history["loss"] == m.history.history["loss"]
    for l1, l2 in zip(m.layers, model.layers):
        if isinstance(l1, gn.Dropout):
            assert l1.rng.bit_generator.state == l2.rng.bit_generator.state
    assert isinstance(state["loss"], gn.CategoricalCrossEntropy)
    # a checkpoint is also a model file
    X, _ = data()
    assert load_model(ck).predict(X).tobytes() == m.predict(X).tobytes()


def test_model_only_checkpoint(tmp_path):
    ck = tmp_path / "m.gnet"
    m = straight(2, OPTIMIZERS["adam"], {"batch_size": 16},
                 callbacks=[ModelCheckpoint(ck, training_state=False)])
    assert weights_identical(load_model(ck), m)
    with pytest.raises(ModelFileError, match="not a checkpoint"):
        load_checkpoint(ck)


def test_checkpoint_refuses_a_custom_optimizer_before_training(tmp_path):
    class MyOpt(optim.SGD):
        pass

    class Epochs(Callback):
        n = 0

        def on_epoch_end(self, epoch, logs=None):
            self.n += 1

    m, seen = new_model(), Epochs()
    X, y = data()
    m.build(6)
    w0 = [w.copy() for w in m.get_weights()]
    with pytest.raises(TypeError, match="built-in optimizers.*training_state=False"):
        m.fit(X, y, optimizer=MyOpt(lr=0.1), epochs=3,
              callbacks=[seen, ModelCheckpoint(tmp_path / "c.gnet")])
    assert seen.n == 0 and not (tmp_path / "c.gnet").exists()
    assert all(a.tobytes() == b.tobytes() for a, b in zip(w0, m.get_weights()))
    # the model alone can be checkpointed with it (save_model warns the optimizer is left out)
    with pytest.warns(RuntimeWarning, match="not saved"):
        m.fit(X, y, optimizer=MyOpt(lr=0.1), epochs=1,
              callbacks=[ModelCheckpoint(tmp_path / "m.gnet", training_state=False)])
    assert (tmp_path / "m.gnet").exists()


def test_save_checkpoint_validation(tmp_path):
    m = new_model()
    m.build(6)
    with pytest.raises(ValueError, match="epoch"):
        save_checkpoint(tmp_path / "c.gnet", m, epoch=-1)

    class MyOpt(optim.SGD):
        pass

    m.optimizer = MyOpt(lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused at once, without save_model's warning first
        with pytest.raises(TypeError, match="built-in optimizers"):
            save_checkpoint(tmp_path / "c.gnet", m, epoch=0)
    # an untrained model checkpoints without an optimizer; resume then needs one
    m.optimizer = None
    save_checkpoint(tmp_path / "c.gnet", m, epoch=0)
    X, y = data()
    resumed = resume(tmp_path / "c.gnet", X, y, epochs=2, optimizer="sgd")
    assert isinstance(resumed.optimizer, optim.SGD)


def test_checkpoint_best_only_follows_the_metric_direction(tmp_path):
    """save_best_only with mode="auto" keeps the highest F1, as EarlyStopping would."""
    ck = ModelCheckpoint(tmp_path / "m.glass", save_best_only=True, monitor="val_f1")
    saved = []
    ck.save = lambda epoch, logs=None: saved.append(epoch)
    for epoch, f1 in enumerate([0.5, 0.7, 0.6, 0.9]):
        ck.on_epoch_end(epoch, {"loss": 1.0, "val_f1": f1})
    assert saved == [0, 1, 3]
    with pytest.raises(ValueError, match="mode"):
        ModelCheckpoint(tmp_path / "m.glass", mode="biggest")


def test_a_best_only_checkpoint_in_a_resumed_run_saves_only_what_beats_the_saved_epochs(
        tmp_path):
    """Trial 15/2 finding 2: a new ModelCheckpoint(save_best_only=True) in a resumed run
    started with no best, so the first resumed epoch replaced the best file however bad it
    was. It now starts from the best of the checkpoint's epochs (Keras's
    initial_value_threshold, which it also takes)."""
    X, y = data(40)
    values = [3.0, 1.0, 2.0, 5.0, 0.5]

    class FakeVal(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = values[epoch]

    kw = dict(batch_size=8, validation_data=(X, y), optimizer=optim.SGD(lr=0.01))
    last, best = tmp_path / "last.gnet", tmp_path / "best.gnet"
    new_model().fit(X, y, epochs=3, **kw, callbacks=[
        FakeVal(), ModelCheckpoint(last), ModelCheckpoint(best, save_best_only=True)])
    assert load_checkpoint(best)[1]["epoch"] == 1
    del kw["optimizer"]
    resume(last, X, y, epochs=4, **kw,
           callbacks=[FakeVal(), ModelCheckpoint(best, save_best_only=True)])
    assert load_checkpoint(best)[1]["epoch"] == 1      # epoch 3's 5.0 is worse than 1.0
    resume(last, X, y, epochs=5, **kw,
           callbacks=[FakeVal(), ModelCheckpoint(best, save_best_only=True)])
    assert load_checkpoint(best)[1]["epoch"] == 4      # 0.5 beats it
    # a threshold given is kept; with it a plain fit saves only what beats it
    other = tmp_path / "other.gnet"
    new_model().fit(X, y, epochs=3, **kw, optimizer=optim.SGD(lr=0.01), callbacks=[
        FakeVal(), ModelCheckpoint(other, save_best_only=True, initial_value_threshold=1.5)])
    assert load_checkpoint(other)[1]["epoch"] == 1
    # without validation data it watches the training loss (the fallback of on_epoch_end)
    plain = tmp_path / "plain.gnet"
    new_model().fit(X, y, epochs=2, batch_size=8, optimizer=optim.SGD(lr=0.01),
                    callbacks=[ModelCheckpoint(plain)])
    losses = load_checkpoint(plain)[1]["history"].history["loss"]
    ck = ModelCheckpoint(tmp_path / "b.gnet", save_best_only=True)
    seen = []

    class Spy(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(ck.best)

    with pytest.warns(RuntimeWarning, match="monitoring 'loss' instead"):
        resume(plain, X, y, epochs=3, batch_size=8, callbacks=[ck, Spy()])
    assert seen == [min(losses)]
    with pytest.raises(ValueError, match="initial_value_threshold must be None or a number"):
        ModelCheckpoint(other, save_best_only=True, initial_value_threshold="1")
    with pytest.raises(TypeError, match="save_best_only must be True or False"):
        ModelCheckpoint(other, save_best_only="yes")


def test_resume_refuses_other_rows_than_the_split_was_drawn_over(tmp_path):
    """Trial KK finding 1: resume redrew the checkpointed run's permutation over whatever X it
    was given; over another number of rows it holds out other rows, some of which the run
    trained on (and trains on rows it validated on). The number of rows the split was drawn
    over is in every checkpoint."""
    ck = tmp_path / "ck.gnet"
    kw = {"batch_size": 16, "validation_split": 0.2}
    straight(2, OPTIMIZERS["adam"], kw, callbacks=[ModelCheckpoint(ck)])
    X, y = data()
    for n in (80, 89):
        with pytest.raises(ValueError, match=rf"cannot redraw the validation split .*it split "
                                             rf"90 rows, and this X has {n}.*same X, y.*"
                                             rf"validation_data="):
            resume(ck, X[:n], y[:n], epochs=4, **kw)
    assert resume(ck, X, y, epochs=4, **kw).history.epoch == [0, 1, 2, 3]


def test_resume_refuses_another_fraction_or_other_data_than_the_checkpoint_records(tmp_path):
    """Trial KK finding 1: a checkpoint records the split's fraction, its number of rows and a
    fingerprint of the data (a sample of rows of X and y), and resume refuses a
    validation_split that would hold out other rows, naming what differs. A checkpoint
    without that record (an older one) resumes as before."""
    kw = {"batch_size": 8, "validation_split": 0.2}
    full = straight(5, OPTIMIZERS["adam"], kw)
    ck, ck2 = tmp_path / "ck.gnet", tmp_path / "ck2.gnet"
    straight(2, OPTIMIZERS["adam"], kw, callbacks=[ModelCheckpoint(ck)])
    X, y = data()
    resume(ck, X, y, epochs=3, callbacks=[ModelCheckpoint(ck2)], **kw)
    before = ck2.read_bytes()
    split = mf.split(before)[0]["split_data"]
    assert split["fraction"] == 0.2 and split["rows"] == 90
    assert split["fingerprint"] == gio.data_fingerprint(X, y)
    with pytest.raises(ValueError, match=r"it held out validation_split=0\.2, not 0\.3\. Pass "
                                         r"the same X, y"):
        resume(ck2, X, y, epochs=5, callbacks=[ModelCheckpoint(ck2)], batch_size=8,
               validation_split=0.3)
    order = np.random.default_rng(1).permutation(90)
    other_y = y.copy()
    other_y[0] = (other_y[0] + 1) % 3
    for Xo, yo in ((X[order], y[order]), (X, other_y), (X + 1e-3, y)):
        with pytest.raises(ValueError, match=r"X and y are not the data it split"):
            resume(ck2, Xo, yo, epochs=5, callbacks=[ModelCheckpoint(ck2)], **kw)
    assert ck2.read_bytes() == before
    resumed = resume(ck2, X, y.reshape(-1, 1).tolist(), epochs=5, **kw)  # the same targets
    assert weights_identical(resumed, full)
    # a checkpoint of a glassnet that did not record it: resumed as before, unchecked
    old = tmp_path / "old.gnet"
    old.write_bytes(mf.edit_header(ck2, lambda h: h.pop("split_data")))
    assert weights_identical(resume(old, X, y, epochs=5, **kw), full)


def test_an_appending_csv_logger_of_a_resumed_run_has_each_epoch_once(tmp_path):
    """Trial KK finding 4: a run killed after its last checkpoint had logged the epochs after
    it to CSVLogger(path, append=True); resumed, it logged them again (duplicate rows). The
    rows of the epochs the resumed run trains again are dropped first; rows that are not an
    epoch's (something the user wrote) stay."""
    from glassnet.train import CSVLogger
    ck, log = tmp_path / "ck.gnet", tmp_path / "log.csv"
    kw = {"batch_size": 16}
    straight(5, OPTIMIZERS["adam"], kw,                      # killed after epoch 5: the last
             callbacks=[CSVLogger(log, append=True), ModelCheckpoint(ck, every=3)])  # at 3
    with open(log, "a", encoding="utf-8") as f:
        f.write("note: run killed here,\n")
    X, y = data()
    resumed = resume(ck, X, y, epochs=6, callbacks=[CSVLogger(log, append=True)], **kw)
    rows = log.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("epoch,loss")
    epochs = [r.split(",")[0] for r in rows[1:]]
    assert epochs == ["0", "1", "2", "note: run killed here", "3", "4", "5"]
    logged = [float(r.split(",")[1]) for r in rows[1:] if not r.startswith("note")]
    assert logged == resumed.history.history["loss"]
    # a file of another kind (its header is not a CSVLogger's) is not touched
    other = tmp_path / "other.csv"
    other.write_text("step,loss\n7,0.5\n", encoding="utf-8")
    gio.drop_logged_epochs(other, 3)
    assert other.read_text(encoding="utf-8") == "step,loss\n7,0.5\n"


def test_an_appending_csv_logger_of_a_fit_continued_by_hand_has_each_epoch_once(tmp_path):
    """A run killed after logging epochs 0..4 to CSVLogger(path, append=True), continued by
    hand with fit(initial_epoch=3) (the Keras way) logged epochs 3 and 4 twice: the logger
    drops the rows of epochs from fit's first one before appending."""
    from glassnet.train import CSVLogger
    log = tmp_path / "history.csv"
    X, y = data()
    straight(5, OPTIMIZERS["adam"], {"batch_size": 16}, callbacks=[CSVLogger(log, append=True)])
    before = log.read_text(encoding="utf-8").splitlines()
    assert [r.split(",")[0] for r in before[1:]] == ["0", "1", "2", "3", "4"]
    m = new_model()
    h = m.fit(X, y, optimizer=OPTIMIZERS["adam"](), batch_size=16, initial_epoch=3, epochs=2,
              callbacks=[CSVLogger(log, append=True)])
    rows = log.read_text(encoding="utf-8").splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["0", "1", "2", "3", "4"]
    assert rows[:4] == before[:4]   # the header and epochs 0..2 as the killed run wrote them
    assert [float(r.split(",")[1]) for r in rows[4:]] == h.history["loss"]
    # a file whose header is not a CSVLogger's is not touched (rows are only added)
    other = tmp_path / "other.csv"
    other.write_text("step,loss\n7,0.5\n3,0.25\n", encoding="utf-8")
    new_model().fit(X, y, initial_epoch=3, epochs=1, callbacks=[CSVLogger(other, append=True)])
    assert other.read_text(encoding="utf-8").startswith("step,loss\n7,0.5\n3,0.25\n")
    # a fit from epoch 0 is a new run appended to the log, not a continued one: kept
    new_model().fit(X, y, epochs=1, callbacks=[CSVLogger(log, append=True)])
    assert [r.split(",")[0] for r in log.read_text(encoding="utf-8").splitlines()[1:]] == \
        ["0", "1", "2", "3", "4", "0"]


def test_a_first_fits_checkpoint_refuses_another_fraction(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 6))
    y = (X[:, 0] > 0).astype(np.int64)
    m = gn.Sequential([gn.Dense(6, 4, activation="relu"), gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    m.fit(X, y, epochs=2, validation_split=0.2, batch_size=8, verbose=0,
          callbacks=[ModelCheckpoint(tmp_path / "ck.gnet")])
    with pytest.raises(ValueError, match=r"it held out validation_split=0\.2, not 0\.3"):
        resume(tmp_path / "ck.gnet", X, y, epochs=4, validation_split=0.3, verbose=0)
    with pytest.raises(ValueError, match=r"X and y are not the data it split"):
        resume(tmp_path / "ck.gnet", X[::-1], y[::-1], epochs=4, validation_split=0.2, verbose=0)
    r = resume(tmp_path / "ck.gnet", X, y, epochs=4, validation_split=0.2, verbose=0)
    assert len(r.history.history["val_loss"]) == 4


def test_a_continued_runs_logger_keeps_the_rows_of_runs_logged_before_it(tmp_path):
    """A log shared by runs (an earlier experiment's epochs 0..7, then this run's 0..3,
    checkpointed at 4 epochs): continuing this run from epoch 4 drops only what this run
    logged from epoch 4 on, never the earlier experiment's rows 4..7."""
    log = tmp_path / "log.csv"
    rows = ["epoch,loss\n"] + [f"{e},0.{e}\n" for e in range(8)] + \
        [f"{e},0.5{e}\n" for e in range(4)]
    log.write_text("".join(rows), encoding="utf-8")
    gio.drop_logged_epochs(log, 4)
    assert log.read_text(encoding="utf-8") == "".join(rows)
    # the same run killed after logging epochs 4 and 5: those two go, and only those
    log.write_text("".join(rows + ["4,0.54\n", "5,0.55\n"]), encoding="utf-8")
    gio.drop_logged_epochs(log, 4)
    assert log.read_text(encoding="utf-8") == "".join(rows)


def test_an_appending_logger_never_joins_its_row_to_a_row_cut_short(tmp_path):
    """Review R1: a log whose last row a kill cut short ("...\n1") got the next row written
    onto it ("13,..."): the logger starts its rows on a new line."""
    from glassnet.train import CSVLogger
    log = tmp_path / "log.csv"
    log.write_text("epoch,loss,lr\n0,1.0,0.1\n1,1.0,0.1\n2,1.0,0.1\n1", encoding="utf-8")
    X, y = data()
    h = new_model().fit(X, y, initial_epoch=3, epochs=1, callbacks=[CSVLogger(log, append=True)])
    rows = log.read_text(encoding="utf-8").splitlines()
    assert rows[-1].split(",")[0] == "3" and float(rows[-1].split(",")[1]) == h.history["loss"][0]


def test_appending_and_cleaning_up_read_a_logs_header_alike(tmp_path):
    """Review R4: the logger took a header ' epoch, loss, lr' (blanks) for no log of its own
    (its columns ignored, every key written anew) while the clean-up took it for one."""
    from glassnet.train import CSVLogger
    log = tmp_path / "log.csv"
    log.write_text(" epoch, loss, lr\n0,1.0,0.1\n1,1.0,0.1\n2,1.0,0.1\n", encoding="utf-8")
    X, y = data()
    h = new_model().fit(X, y, initial_epoch=2, epochs=1, callbacks=[CSVLogger(log, append=True)])
    rows = log.read_text(encoding="utf-8").splitlines()
    assert rows[0] == " epoch, loss, lr" and [r.split(",")[0] for r in rows[1:]] == \
        ["0", "1", "2"]
    assert float(rows[-1].split(",")[1]) == h.history["loss"][0]

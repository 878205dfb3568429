"""Checkpoints and resume: training interrupted and continued from a ModelCheckpoint file
gives weights bit-identical to training straight through (shuffled mini-batches, optimizer
memory, dropout, validation split and learning-rate schedules included)."""
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.callbacks import Callback
from glassnet.io import ModelFileError, load_checkpoint, load_model, resume, save_checkpoint
from glassnet.train import LearningRateScheduler, ModelCheckpoint


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
    again = resume(ck, X, y, epochs=4, batch_size=16)
    assert weights_identical(again, part) and again.history.epoch == [0, 1, 2, 3]


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

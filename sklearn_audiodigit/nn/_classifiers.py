"""skorch-based scikit-learn classifiers wrapping the modules of ``_modules``.

Each estimator is a thin :class:`skorch.NeuralNetClassifier` subclass that

- validates ``X`` with scikit-learn (float32, 2-D or 3-D) and infers the module's
  input shape and the number of classes at fit time (``initialize_module``);
- encodes any label type with a :class:`~sklearn.preprocessing.LabelEncoder`
  (``classes_``);
- trains with AdamW, a one-cycle learning-rate schedule, gradient-norm clipping,
  label smoothing and training-time augmentation (:class:`FrameAugmenter`), and
  optionally early stopping on a validation split that holds out whole speakers
  when ``groups`` are passed to ``fit``;
- is reproducible from ``random_state`` (the global torch RNG is left untouched).
"""

import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import _fit_context
from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit, StratifiedShuffleSplit
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import (
    Interval,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    EpochScoring,
    EpochTimer,
    GradientNormClipping,
    LRScheduler,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import unpack_data
from skorch.utils import to_numpy, to_tensor
from torch.utils.data import Subset

from .._docstring import Substitution
from ..exceptions import AudioDigitError, AudioTypeError, AudioValueError
from ._augmentation import FrameAugmenter
from ._modules import FeedForwardNet, RecurrentNet, ResNet, SpectrogramCNN

__all__ = [
    "CNNClassifier",
    "FeedForwardClassifier",
    "RNNClassifier",
    "ResNetClassifier",
]

_COMMON_PARAMS_DOC = """augment : "auto", FrameAugmenter or None, default=%(default:augment)s
        Training-time augmentation applied to every training mini-batch and never
        at prediction time. ``"auto"`` uses the estimator's default
        :class:`FrameAugmenter` (see the class notes); ``None`` disables it.
    max_epochs : int, default=%(default:max_epochs)s
        Number of passes over the training data (the length of the one-cycle
        schedule; early stopping may end training sooner).
    lr : float, default=%(default:lr)s
        Peak learning rate of AdamW (reached after 30 % of the schedule when
        ``lr_schedule="onecycle"``).
    batch_size : int, default=%(default:batch_size)s
        Mini-batch size for training and prediction.
    weight_decay : float, default=%(default:weight_decay)s
        Decoupled weight decay of AdamW.
    label_smoothing : float, default=%(default:label_smoothing)s
        Label smoothing of the cross-entropy loss, in [0, 1).
    clip_grad_norm : float or None, default=%(default:clip_grad_norm)s
        Largest L2 norm of the gradient (clipped before each step); None disables
        clipping.
    lr_schedule : {"onecycle", "constant"}, default=%(default:lr_schedule)s
        Learning-rate schedule, stepped per mini-batch.
    early_stopping : bool, default=%(default:early_stopping)s
        Whether to hold out ``validation_fraction`` of the training data and stop
        when the validation loss has not improved for ``n_iter_no_change`` epochs,
        restoring the best weights. The held-out part is made of whole speakers
        when ``groups`` is passed to :meth:`fit` (no speaker leaks into it), and is
        stratified by class otherwise. With ``False`` (the default) the network
        trains on everything for the fixed ``max_epochs`` one-cycle schedule
        whose results ``benchmarks/README.md`` records: with 5 training
        speakers per fold, a speaker-disjoint validation split would take 20 % of
        the speaker variety that generalisation depends on.
    validation_fraction : float, default=%(default:validation_fraction)s
        Fraction of the clips (or of the speakers, with ``groups``) held out when
        ``early_stopping=True``.
    n_iter_no_change : int, default=%(default:n_iter_no_change)s
        Patience of early stopping, in epochs.
    %(random_state)s
        Here it seeds weight initialisation, shuffling, augmentation and the
        validation split; with an int, ``fit`` is reproducible on the CPU (same
        seed, same predictions). The global torch random state is left unchanged.
    device : {"cpu", "cuda"} or torch.device, default=%(default:device)s
        Device to train and predict on. A network pickled on CUDA loads on a
        CPU-only machine: its weights are mapped to the CPU and ``device`` becomes
        ``"cpu"`` (with a ``skorch.exceptions.DeviceWarning``).
    precision : {"float32", "bfloat16"}, default=%(default:precision)s
        Arithmetic of the training forward passes. ``"bfloat16"`` runs them
        under :func:`torch.autocast` (mixed precision: weights, gradients and
        optimiser state stay float32, the loss is computed in float32).
        Prediction always runs in float32. Use it on CUDA GPUs from the Ampere
        generation on and on CPUs with native bfloat16 instructions (AVX512-BF16
        or AMX), where it trains faster (``benchmarks/README.md``). Without
        such hardware bfloat16 is emulated and may well be slower than float32.
    verbose : int, default=%(default:verbose)s
        Print a table of the training history per epoch when > 0.
    **kwargs
        Any other :class:`skorch.NeuralNetClassifier` argument (``module__*``,
        ``optimizer__*``, ``callbacks``, ``iterator_train__*``, ...)."""

_COMMON_ATTRS_DOC = """classes_ : ndarray of shape (n_classes,)
        Class labels seen in ``fit``, in the order of the ``predict_proba`` columns.
    n_features_in_ : int
        Size of the second axis of ``X`` (features, or bands of a frame).
    input_shape_ : tuple of int
        Shape of one sample as the module sees it.
    label_encoder_ : LabelEncoder
        Maps the labels to ``0 .. n_classes - 1``.
    module_ : torch.nn.Module
        The trained network.
    history_ : skorch.History
        Per-epoch ``train_loss``, ``train_acc``, ``valid_loss``, ``valid_acc`` (with
        early stopping), ``lr`` and ``dur`` (seconds); see
        :func:`plot_learning_curves`."""


_fill_doc = Substitution(
    net_params=_COMMON_PARAMS_DOC.strip("\n"), net_attributes=_COMMON_ATTRS_DOC.strip("\n")
)


def _accuracy(net, X, y):
    """Accuracy of the predictions skorch cached for the epoch's batches.

    :class:`skorch.callbacks.EpochScoring` replaces ``net.forward`` by the cached
    outputs of the epoch (training: the augmented batches, in training mode), so
    nothing is predicted again; ``y`` holds the batches' labels in the same order.
    """
    y_pred = to_numpy(net.forward(X)).argmax(axis=1)
    return float(np.mean(y_pred == y))


class _EpochLR(Callback):
    """Record the learning rate at the start of every epoch as ``lr``.

    skorch's :class:`~skorch.callbacks.LRScheduler` records it per batch (its
    ``event_name``), and only while it schedules; the history keeps one value per
    epoch, for both ``lr_schedule`` values.
    """

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("lr", net.optimizer_.param_groups[0]["lr"])


_DROPOUT = [Interval(Real, 0, 1, closed="left")]
_NORMALIZE = [StrOptions({"utterance", "band", "clip"}), None]
_POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]


class _OneCycleLR(LRScheduler):
    """skorch's :class:`~skorch.callbacks.LRScheduler` running ``OneCycleLR`` per batch.

    Two things skorch's callback does not do, and only these, are added:

    - the schedule's peak (the net's ``lr``) and length (``steps_per_epoch_ *
      max_epochs``, at least 2) are read from the net when training begins, since
      the length depends on the training set, known only in ``fit``; every fit
      (``warm_start`` too) starts a new cycle (``last_epoch=-1``);
    - ``lr_scheduler_`` is not pickled: it holds the optimizer, which skorch
      pickles apart (device-mapped), so a net trained on CUDA would otherwise not
      unpickle on a CPU (skorch <= 1.4; fixed upstream in skorch PR #1150).
    """

    def __init__(self):
        super().__init__(torch.optim.lr_scheduler.OneCycleLR, step_every="batch", event_name=None)

    def on_train_begin(self, net, **kwargs):
        self.max_lr = net.lr
        self.total_steps = max(2, net.steps_per_epoch_ * net.max_epochs)
        self.pct_start = 0.3
        self.last_epoch = -1
        super().on_train_begin(net, **kwargs)

    def __getstate__(self):
        return {**self.__dict__, "lr_scheduler_": None}


def _no_partial_fit(net):
    raise AttributeError(
        f"{type(net).__name__} has no partial_fit: the one-cycle schedule and the "
        "label encoding are set up by fit; call fit with a larger max_epochs instead."
    )


def _has_strided_pointwise_conv(module):
    """Whether ``module`` holds a 1x1 ``Conv2d`` with a stride above 1."""
    return any(
        isinstance(m, torch.nn.Conv2d)
        and tuple(m.kernel_size) == (1, 1)
        and any(s > 1 for s in m.stride)
        for m in module.modules()
    )


class _AudioNetClassifier(NeuralNetClassifier):
    """Shared fit/predict logic; subclasses set ``_module_cls`` and the module params."""

    _module_cls = None
    _frames = True  # whether the module takes (batch, n_bands, n_frames)

    _parameter_constraints: dict = {
        "augment": [StrOptions({"auto"}), callable, Options(bool, {False}), None],
        "max_epochs": _POSITIVE_INT,
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1})],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "lr_schedule": [StrOptions({"onecycle", "constant"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": _POSITIVE_INT,
        "random_state": ["random_state"],
        "device": [str, torch.device, None],
        "precision": [StrOptions({"float32", "bfloat16"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        augment,
        max_epochs,
        lr,
        batch_size,
        weight_decay,
        label_smoothing,
        clip_grad_norm,
        lr_schedule,
        early_stopping,
        validation_fraction,
        n_iter_no_change,
        random_state,
        device,
        precision,
        verbose,
        **kwargs,
    ):
        self.augment = augment
        self.precision = precision
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing
        self.clip_grad_norm = clip_grad_norm
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        kwargs.setdefault("module", self._module_cls)
        kwargs.setdefault("criterion", torch.nn.CrossEntropyLoss)
        kwargs.setdefault("optimizer", torch.optim.AdamW)
        kwargs.setdefault("train_split", None)
        super().__init__(
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            device=device,
            verbose=verbose,
            **kwargs,
        )

    # ------------------------------------------------------------------ skorch hooks
    def _get_param_names(self):
        # skorch exposes every attribute not ending in "_", including its private
        # bookkeeping (_params_to_validate); parameters are the public ones.
        return [name for name in super()._get_param_names() if not name.startswith("_")]

    @property
    def _default_callbacks(self):
        # skorch reads this list in get_params and set_params too, with any parameter
        # values (sklearn's checks pass arrays and strings): no arithmetic and no
        # truth test of a parameter here; the schedule reads its settings from the net
        # when training begins.
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("train_acc", EpochScoring(_accuracy, None, on_train=True, name="train_acc")),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("valid_acc", EpochScoring(_accuracy, None, name="valid_acc")),
            ("lr", _EpochLR()),
            ("gradient_clipping", GradientNormClipping(gradient_clip_value=self.clip_grad_norm)),
        ]
        if isinstance(self.lr_schedule, str) and self.lr_schedule == "onecycle":
            callbacks.append(("lr_schedule", _OneCycleLR()))
        if isinstance(self.early_stopping, bool | np.bool_) and self.early_stopping:
            # threshold_mode="abs": an epoch counts as better when its validation loss
            # is lower by 1e-4, whatever the loss's scale.
            stop = EarlyStopping(
                patience=self.n_iter_no_change,
                threshold=1e-4,
                threshold_mode="abs",
                load_best=True,
            )
            callbacks.append(("early_stopping", stop))
        callbacks.append(("print_log", PrintLog()))
        return callbacks

    def _validate_params(self):
        """skorch's check of its argument names, then ``_parameter_constraints``.

        skorch's ``NeuralNet._validate_params`` shadows scikit-learn's, which
        ``_fit_context`` calls; both run here.
        """
        super()._validate_params()
        validate_parameter_constraints(
            self._parameter_constraints,
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )

    def _module_params(self):
        raise NotImplementedError

    def initialize_module(self):
        """Build the module for the input shape and number of classes seen in fit."""
        kwargs = {**self._module_params(), **self.get_params_for("module")}
        self.module_ = self.initialized_instance(self.module, kwargs)
        # Channels-last layout for the 2-D convolutions (CNN, ResNet): only 4-D tensors
        # change layout, so the MLP and the RNN are untouched, and the values, the
        # state_dict and the model files stay the same. oneDNN's CPU convolutions run
        # faster on it: 40 training steps of the default CNN (batch 64, 40 x 51 frames,
        # 2 threads) took 7.2 -> 4.6 s in float32 and 4.0 -> 2.6 s in bfloat16; a whole
        # fit runs 1.1-1.25x faster (benchmarks/README.md). Not for a module with a
        # strided 1x1 convolution (the ResNet's shortcuts): on a CPU without AVX-512,
        # PyTorch 2.13.0's backward of such a convolution in channels-last layout
        # corrupts the heap (a crash or an abort within a few steps; contiguous
        # layout: none), measured 2026-12-02 on an AMD EPYC with AVX2.
        if not _has_strided_pointwise_conv(self.module_):
            self.module_ = self.module_.to(memory_format=torch.channels_last)
        return self

    def initialize_criterion(self):
        """Cross-entropy with ``label_smoothing`` unless ``criterion__*`` says otherwise."""
        kwargs = self.get_params_for("criterion")
        if self.criterion is torch.nn.CrossEntropyLoss:
            kwargs.setdefault("label_smoothing", self.label_smoothing)
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def initialize_optimizer(self, *args, **kwargs):
        """AdamW with ``weight_decay`` unless ``optimizer__weight_decay`` is given."""
        named = self.get_all_learnable_params()
        opt_args, opt_kwargs = self.get_params_for_optimizer("optimizer", named)
        opt_kwargs.setdefault("weight_decay", self.weight_decay)
        self.optimizer_ = self.optimizer(*opt_args, **opt_kwargs)
        return self

    def check_data(self, X, y):
        # classes_ come from the LabelEncoder, not from the encoded y.
        pass

    def get_split_datasets(self, X, y=None, **fit_params):
        dataset = self.get_dataset(X, y)
        split = getattr(self, "_split_indices_", None)
        if split is None or split[1] is None:
            return dataset, None
        return Subset(dataset, split[0]), Subset(dataset, split[1])

    def get_iterator(self, dataset, training=False):
        if not training:
            return super().get_iterator(dataset, training=False)
        kwargs = self.get_params_for("iterator_train")
        kwargs.setdefault("batch_size", self.batch_size)
        kwargs.setdefault("shuffle", True)
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        if len(dataset) > 1 and len(dataset) % kwargs["batch_size"] == 1:
            # BatchNorm cannot train on a batch of one clip: drop that clip.
            kwargs["drop_last"] = True
        return self.iterator_train(dataset, **kwargs)

    def train_step_single(self, batch, **fit_params):
        """One training step, with augmentation and mixup (training only)."""
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        Xi = to_tensor(Xi, device=self.device)
        yi = to_tensor(yi, device=self.device)
        perm, lam = None, 1.0
        augmenter = self._augmenter()
        if augmenter is not None:
            Xi, perm, lam = augmenter(Xi, generator=self._get_generator())
        y_pred = self._infer_train(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if perm is not None:
            loss = lam * loss + (1.0 - lam) * self.get_loss(y_pred, yi[perm], X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def _infer_train(self, Xi, **fit_params):
        if self.precision != "bfloat16":
            return self.infer(Xi, **fit_params)
        device_type = torch.device(self.device or "cpu").type
        with torch.autocast(device_type, dtype=torch.bfloat16):
            y_pred = self.infer(Xi, **fit_params)
        # The loss (and its softmax) in float32.
        return y_pred.float()

    # ------------------------------------------------------------------ helpers
    def _augmenter(self):
        if self.augment is None or self.augment is False:
            return None
        if isinstance(self.augment, str):  # "auto", the only string _parameter_constraints allow
            return self._default_augmenter()
        return self.augment

    def _default_augmenter(self):
        return FrameAugmenter()

    def _get_generator(self):
        gen = getattr(self, "_generator_", None)
        if gen is None:
            gen = torch.Generator().manual_seed(self._seed())
            self._generator_ = gen
        return gen

    def _seed(self):
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _require_cuda_if_asked(self):
        device = torch.device(self.device) if self.device is not None else None
        if device is not None and device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device={self.device!r} was requested but CUDA is not available; use device='cpu'."
            )

    def _to_module_input(self, X):
        if self._frames:
            return X[:, :, None] if X.ndim == 2 else X
        return X.reshape(X.shape[0], -1)

    def _check_X(self, X, y=None, reset=False):
        """Validate X (and y): the library's error types, scikit-learn's messages."""
        try:
            return self._check_X_unwrapped(X, y, reset)
        except AudioDigitError:
            raise
        except ValueError as err:
            raise AudioValueError(str(err)) from err
        except TypeError as err:
            raise AudioTypeError(str(err)) from err

    def _check_X_unwrapped(self, X, y, reset):
        kwargs = {"allow_nd": True, "dtype": np.float32, "ensure_min_samples": 2 if reset else 1}
        if y is None:
            X = validate_data(self, X, reset=reset, **kwargs)
        else:
            X, y = validate_data(self, X, y, reset=reset, **kwargs)
        if X.ndim not in (2, 3):
            raise ValueError(
                f"X must be 2-D (n_clips, n_features) or 3-D (n_clips, n_bands, n_frames), "
                f"got an array of shape {X.shape}."
            )
        X = self._to_module_input(X)
        if not reset and X.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {X.shape[1:]} but {type(self).__name__} was fitted "
                f"on samples of shape {self.input_shape_}."
            )
        return X if y is None else (X, y)

    def _holdout(self, y_enc, groups, seed):
        n = len(y_enc)
        if groups is not None:
            groups = np.asarray(groups)
            if groups.shape != (n,):
                raise ValueError(f"groups must have shape ({n},) like y, got shape {groups.shape}.")
        if not self.early_stopping:
            return np.arange(n), None
        if groups is not None and len(np.unique(groups)) >= 2:
            splitter = GroupShuffleSplit(
                n_splits=1, test_size=self.validation_fraction, random_state=seed
            )
            train, valid = next(splitter.split(np.zeros(n), y_enc, groups))
        else:
            counts = np.bincount(y_enc)
            n_valid = math.ceil(self.validation_fraction * n)
            stratify = counts.min() >= 2 and n_valid >= len(counts) and n - n_valid >= len(counts)
            cls = StratifiedShuffleSplit if stratify else ShuffleSplit
            splitter = cls(n_splits=1, test_size=self.validation_fraction, random_state=seed)
            train, valid = next(splitter.split(np.zeros(n), y_enc))
        if len(train) < 2 or len(valid) < 1:
            raise ValueError(
                f"early_stopping needs at least 2 training clips and 1 validation clip; "
                f"validation_fraction={self.validation_fraction} of {n} samples leaves "
                f"{len(train)} and {len(valid)}."
            )
        return train, valid

    # ------------------------------------------------------------------ public API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, groups=None, **fit_params):
        """Train the network from scratch.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bands, n_frames) or (n_clips, n_features)
            Frames (e.g. ``LogMelExtractor(output="frames")``) or feature vectors;
            converted to float32. 2-D input is one frame per clip for the
            frame-based networks.
        y : array-like of shape (n_clips,)
            Labels of any type (ints, strings, ...).
        groups : array-like of shape (n_clips,), default=None
            Group (speaker) of each clip. Only used with ``early_stopping=True``,
            so that the validation split holds out whole speakers. In a Pipeline,
            pass it as ``pipe.fit(X, y, **{f"{last_step}__groups": groups})``.
        **fit_params
            Passed to the module's ``forward``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            If ``X`` is not 2-D or 3-D numeric data, contains NaN or infinity, has
            fewer than 2 clips, if ``y`` is not a classification target, or if a
            parameter is invalid (including ``device="cuda"`` without CUDA).
        """
        self._require_cuda_if_asked()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        X, y = self._check_X(X, y, reset=True)
        check_classification_targets(y)
        self.label_encoder_ = LabelEncoder().fit(y)
        y_enc = self.label_encoder_.transform(y).astype(np.int64)
        self.input_shape_ = tuple(X.shape[1:])
        self.n_classes_ = len(self.label_encoder_.classes_)
        seed = self._seed()
        self._split_indices_ = self._holdout(y_enc, groups, seed)
        # Batches per epoch, as the training iterator will make them (the length of
        # the one-cycle schedule is steps_per_epoch_ * max_epochs).
        train_set = Subset(self.get_dataset(X, y_enc), self._split_indices_[0])
        self.steps_per_epoch_ = max(1, len(self.get_iterator(train_set, training=True)))
        self._generator_ = torch.Generator().manual_seed(seed)
        cuda = torch.device(self.device or "cpu").type == "cuda"
        try:
            with torch.random.fork_rng(devices=[torch.cuda.current_device()] if cuda else []):
                torch.manual_seed(seed)
                if not (self.warm_start and self.initialized_):
                    self.initialize()
                else:  # the callbacks (early stopping, clipping) follow this fit's settings
                    self.initialize_callbacks()
                NeuralNet.partial_fit(self, X, y_enc, _routing_method="fit", **fit_params)
        finally:
            # Not needed after fit, and torch.Generator does not pickle.
            self._generator_ = None
            self._split_indices_ = None
        if self.early_stopping:
            self.history.record("best_epoch", dict(self.callbacks_)["early_stopping"].best_epoch_)
        return self

    @available_if(_no_partial_fit)
    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Not available: fit derives the schedule and the labels; refit instead.

        ``hasattr(net, "partial_fit")`` is False; the ``AttributeError`` says why.
        """
        return NeuralNet.partial_fit(self, X, y, classes=classes, **fit_params)  # pragma: no cover

    @property
    def classes_(self):
        check_is_fitted(self, "label_encoder_")
        return self.label_encoder_.classes_

    def predict_proba(self, X):
        """Class probabilities, with the network in evaluation mode (no augmentation).

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bands, n_frames) or (n_clips, n_features)
            Same layout as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_clips, n_classes), dtype float32
            Softmax probabilities, columns in the order of ``classes_``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        ValueError
            If ``X`` does not have the sample shape seen in ``fit``.
        """
        check_is_fitted(self, ["label_encoder_", "module_"])
        X = self._check_X(X, reset=False)
        proba = super().predict_proba(X)
        return np.asarray(proba, dtype=np.float32)

    def predict(self, X):
        """Most probable class of each clip.

        Parameters
        ----------
        X : array-like of shape (n_clips, n_bands, n_frames) or (n_clips, n_features)
            Same layout as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_clips,)
            Labels from ``classes_``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        ValueError
            If ``X`` does not have the sample shape seen in ``fit``.
        """
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags


@_fill_doc
class FeedForwardClassifier(_AudioNetClassifier):
    """Multilayer perceptron (feed-forward network) on pooled features.

    Takes fixed-length feature vectors, e.g. ``MFCCExtractor(output="grid")`` or
    ``"stats"``; 3-D input is flattened. See :class:`~._modules.FeedForwardNet`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Width of each hidden layer.
    dropout : float, default=0.3
        Dropout after each hidden layer.
    %(net_params)s

    Attributes
    ----------
    %(net_attributes)s

    Notes
    -----
    The default augmentation of vectors is Gaussian noise (10 % of each clip's
    standard deviation) and mixup (alpha 0.2); frame augmentations do not apply.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.nn import FeedForwardClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 8).astype(np.float32)
    >>> y = np.where(X[:, 0] > 0, "yes", "no")
    >>> clf = FeedForwardClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (40, 2)
    """

    _module_cls = FeedForwardNet
    _frames = False
    _parameter_constraints: dict = {
        **_AudioNetClassifier._parameter_constraints,
        "hidden_layer_sizes": ["array-like"],
        "dropout": _DROPOUT,
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(256, 256),
        dropout=0.3,
        augment="auto",
        max_epochs=60,
        lr=3e-3,
        batch_size=64,
        weight_decay=1e-2,
        label_smoothing=0.05,
        clip_grad_norm=5.0,
        lr_schedule="onecycle",
        early_stopping=False,
        validation_fraction=0.15,
        n_iter_no_change=5,
        random_state=None,
        device="cpu",
        precision="float32",
        verbose=0,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        super().__init__(
            augment=augment,
            max_epochs=max_epochs,
            lr=lr,
            batch_size=batch_size,
            weight_decay=weight_decay,
            label_smoothing=label_smoothing,
            clip_grad_norm=clip_grad_norm,
            lr_schedule=lr_schedule,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            device=device,
            precision=precision,
            verbose=verbose,
            **kwargs,
        )

    def _module_params(self):
        return {
            "n_features": int(np.prod(self.input_shape_)),
            "n_classes": self.n_classes_,
            "hidden_layer_sizes": tuple(self.hidden_layer_sizes),
            "dropout": self.dropout,
        }

    def _default_augmenter(self):
        return FrameAugmenter(gain_db=0.0, noise_std=0.1, mixup_alpha=0.2)


@_fill_doc
class CNNClassifier(_AudioNetClassifier):
    """2-D convolutional network on log-mel or MFCC frames.

    VGG-style blocks (a 3x3 convolution, BatchNorm, ReLU, 2x2 max pooling,
    spatial dropout), mean + max pooling over time, dropout and a linear layer.
    The input of every clip is normalised on its own first (``normalize``). See
    :class:`~._modules.SpectrogramCNN`.

    Parameters
    ----------
    channels : tuple of int, default=(48, 96, 192)
        Output channels of each convolutional block. Width is what moved the
        speaker-independent accuracy most after the per-clip normalisation;
        each doubling of the width roughly doubles the training time
        (``benchmarks/README.md`` has the measurements). Narrower networks
        (e.g. ``(16, 32)``) train in seconds for tests and demos.
    dropout : float, default=0.3
        Dropout before the classifier (half of it in the blocks).
    normalize : {"utterance", "band", "clip"} or None, default="clip"
        Per-clip normalisation of the frames, see
        :class:`~._modules.FrameNormalization`. ``"clip"`` (one mean and one
        standard deviation per clip) keeps the shape of the spectrum, which
        per-band mean removal (``"utterance"``) takes away along with the
        channel; it scored higher leave one speaker out on FSDD
        (``benchmarks/README.md``).
    %(net_params)s

    Attributes
    ----------
    %(net_attributes)s

    Notes
    -----
    The default augmentation is ``FrameAugmenter(lowpass_db=24, tilt_db=6)``: on
    half of the clips a random channel filter (a high-band shelf of up to 24 dB
    and a tilt of up to +-6 dB, re-floored 45 dB below the peak), then frequency
    warping (VTLP, +-10 %; Jaitly and Hinton, 2013), speed perturbation (+-15 %;
    Ko et al., 2015), time shift (+-10 %), gain (+-6 dB), one SpecAugment
    frequency mask (<= 6 bands) and one time mask (<= 10 frames; Park et al.,
    2019).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.nn import CNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 16, 12).astype(np.float32)
    >>> y = np.arange(20) % 2
    >>> clf = CNNClassifier(channels=(4, 8), max_epochs=2, random_state=0).fit(X, y)
    >>> clf.predict(X).shape
    (20,)
    """

    _module_cls = SpectrogramCNN
    _parameter_constraints: dict = {
        **_AudioNetClassifier._parameter_constraints,
        "channels": ["array-like"],
        "dropout": _DROPOUT,
        "normalize": _NORMALIZE,
    }

    def __init__(
        self,
        *,
        channels=(48, 96, 192),
        dropout=0.3,
        normalize="clip",
        augment="auto",
        max_epochs=20,
        lr=3e-3,
        batch_size=64,
        weight_decay=1e-2,
        label_smoothing=0.05,
        clip_grad_norm=5.0,
        lr_schedule="onecycle",
        early_stopping=False,
        validation_fraction=0.15,
        n_iter_no_change=5,
        random_state=None,
        device="cpu",
        precision="float32",
        verbose=0,
        **kwargs,
    ):
        self.channels = channels
        self.dropout = dropout
        self.normalize = normalize
        super().__init__(
            augment=augment,
            max_epochs=max_epochs,
            lr=lr,
            batch_size=batch_size,
            weight_decay=weight_decay,
            label_smoothing=label_smoothing,
            clip_grad_norm=clip_grad_norm,
            lr_schedule=lr_schedule,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            device=device,
            precision=precision,
            verbose=verbose,
            **kwargs,
        )

    def _default_augmenter(self):
        return FrameAugmenter(lowpass_db=24.0, tilt_db=6.0)

    def _module_params(self):
        return {
            "n_bands": self.input_shape_[0],
            "n_frames": self.input_shape_[1],
            "n_classes": self.n_classes_,
            "channels": tuple(self.channels),
            "dropout": self.dropout,
            "normalize": self.normalize,
        }


@_fill_doc
class RNNClassifier(_AudioNetClassifier):
    """Recurrent network (bidirectional GRU or LSTM) over frames.

    A 1-D convolution over time, stacked recurrent layers, mean + max pooling over
    time, dropout and a linear layer. See :class:`~._modules.RecurrentNet`.

    Parameters
    ----------
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell.
    hidden_size : int, default=96
        Hidden units per direction.
    num_layers : int, default=2
        Stacked recurrent layers.
    bidirectional : bool, default=True
        Whether to read each clip in both directions.
    dropout : float, default=0.3
        Dropout between recurrent layers and before the classifier.
    normalize : {"utterance", "band", "clip"} or None, default="utterance"
        Per-clip normalisation of the frames.
    %(net_params)s

    Attributes
    ----------
    %(net_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.nn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 8, 10).astype(np.float32)
    >>> clf = RNNClassifier(hidden_size=8, max_epochs=2, random_state=0)
    >>> clf.fit(X, np.arange(20) % 3).predict_proba(X).shape
    (20, 3)
    """

    _module_cls = RecurrentNet
    _parameter_constraints: dict = {
        **_AudioNetClassifier._parameter_constraints,
        "cell": [StrOptions({"gru", "lstm"})],
        "hidden_size": _POSITIVE_INT,
        "num_layers": _POSITIVE_INT,
        "bidirectional": ["boolean"],
        "dropout": _DROPOUT,
        "normalize": _NORMALIZE,
    }

    def __init__(
        self,
        *,
        cell="gru",
        hidden_size=96,
        num_layers=2,
        bidirectional=True,
        dropout=0.3,
        normalize="utterance",
        augment="auto",
        max_epochs=30,
        lr=3e-3,
        batch_size=64,
        weight_decay=1e-2,
        label_smoothing=0.05,
        clip_grad_norm=5.0,
        lr_schedule="onecycle",
        early_stopping=False,
        validation_fraction=0.15,
        n_iter_no_change=5,
        random_state=None,
        device="cpu",
        precision="float32",
        verbose=0,
        **kwargs,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.normalize = normalize
        super().__init__(
            augment=augment,
            max_epochs=max_epochs,
            lr=lr,
            batch_size=batch_size,
            weight_decay=weight_decay,
            label_smoothing=label_smoothing,
            clip_grad_norm=clip_grad_norm,
            lr_schedule=lr_schedule,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            device=device,
            precision=precision,
            verbose=verbose,
            **kwargs,
        )

    def _module_params(self):
        return {
            "n_bands": self.input_shape_[0],
            "n_classes": self.n_classes_,
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "normalize": self.normalize,
        }


@_fill_doc
class ResNetClassifier(_AudioNetClassifier):
    """Small residual network on log-mel or MFCC frames.

    A 3x3 stem, stages of basic residual blocks (downsampling by 2 at the start of
    every stage after the first), mean + max pooling over time, dropout and a
    linear layer. See :class:`~._modules.ResNet`.

    Parameters
    ----------
    channels : tuple of int, default=(24, 48, 96)
        Width of each stage.
    blocks : int, default=2
        Residual blocks per stage.
    dropout : float, default=0.3
        Dropout before the classifier.
    normalize : {"utterance", "band", "clip"} or None, default="clip"
        Per-clip normalisation of the frames, see
        :class:`~._modules.FrameNormalization`. ``"clip"`` with the channel
        filter (the defaults) scored higher leave one speaker out on FSDD than
        ``"utterance"`` with the plain augmentation (``benchmarks/README.md``).
    %(net_params)s

    Attributes
    ----------
    %(net_attributes)s

    Notes
    -----
    The default augmentation is the CNN's, ``FrameAugmenter(lowpass_db=24,
    tilt_db=6)``: a random channel filter on half of the clips, frequency
    warping, speed perturbation, time shift, gain and SpecAugment masks (see
    :class:`CNNClassifier`). With its default size the ResNet costs several
    times the default CNN to train (``benchmarks/README.md``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.nn import ResNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(20, 16, 12).astype(np.float32)
    >>> clf = ResNetClassifier(channels=(4, 8), blocks=1, max_epochs=2, random_state=0)
    >>> clf.fit(X, np.arange(20) % 2).predict(X).shape
    (20,)
    """

    _module_cls = ResNet
    _parameter_constraints: dict = {
        **_AudioNetClassifier._parameter_constraints,
        "channels": ["array-like"],
        "blocks": _POSITIVE_INT,
        "dropout": _DROPOUT,
        "normalize": _NORMALIZE,
    }

    def __init__(
        self,
        *,
        channels=(24, 48, 96),
        blocks=2,
        dropout=0.3,
        normalize="clip",
        augment="auto",
        max_epochs=30,
        lr=3e-3,
        batch_size=64,
        weight_decay=1e-2,
        label_smoothing=0.05,
        clip_grad_norm=5.0,
        lr_schedule="onecycle",
        early_stopping=False,
        validation_fraction=0.15,
        n_iter_no_change=5,
        random_state=None,
        device="cpu",
        precision="float32",
        verbose=0,
        **kwargs,
    ):
        self.channels = channels
        self.blocks = blocks
        self.dropout = dropout
        self.normalize = normalize
        super().__init__(
            augment=augment,
            max_epochs=max_epochs,
            lr=lr,
            batch_size=batch_size,
            weight_decay=weight_decay,
            label_smoothing=label_smoothing,
            clip_grad_norm=clip_grad_norm,
            lr_schedule=lr_schedule,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            device=device,
            precision=precision,
            verbose=verbose,
            **kwargs,
        )

    def _default_augmenter(self):
        return FrameAugmenter(lowpass_db=24.0, tilt_db=6.0)

    def _module_params(self):
        return {
            "n_bands": self.input_shape_[0],
            "n_frames": self.input_shape_[1],
            "n_classes": self.n_classes_,
            "channels": tuple(self.channels),
            "blocks": self.blocks,
            "dropout": self.dropout,
            "normalize": self.normalize,
        }

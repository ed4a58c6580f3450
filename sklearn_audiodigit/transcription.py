"""Digit strings: transcribe a recording of several spoken digits (a PIN, a phone number).

:class:`DigitStringTranscriber` cuts a recording into words with
:func:`~sklearn_audiodigit.segmentation.segment_words`, classifies every word
with any fitted single-digit model of this library in one batch, and returns the
digits with their times and confidences as a :class:`Transcription`.
"""

import numbers
from dataclasses import dataclass, field

import numpy as np

from .exceptions import AudioValueError
from .segmentation import segment_words, voiced_duration
from .utils._validation import check_sr

__all__ = ["DigitSegment", "Transcription", "DigitStringTranscriber"]


@dataclass
class DigitSegment:
    """One word of a recording and what the model reads in it.

    Attributes
    ----------
    start, end : float
        Time span of the word in the recording, in seconds.
    label : int or str
        The model's label (a digit 0-9 for a digit model).
    confidence : float or None
        The model's probability of ``label`` (``None`` for a model without
        ``predict_proba``).
    """

    start: float
    end: float
    label: object
    confidence: float | None

    def to_dict(self):
        """The segment as a JSON-ready dict (times rounded to milliseconds)."""
        label = self.label.item() if isinstance(self.label, np.generic) else self.label
        conf = None if self.confidence is None else round(float(self.confidence), 4)
        return {
            "start": round(float(self.start), 3),
            "end": round(float(self.end), 3),
            "label": label,
            "confidence": conf,
        }


@dataclass
class Transcription:
    """The digits read in one recording.

    Attributes
    ----------
    digits : str
        The digits in time order, e.g. ``"4155550199"``; ``""`` when no digit
        was found.
    segments : list of DigitSegment
        The words read as ``digits``, in time order.
    rejected : list of DigitSegment
        Words found but dropped: below the rejection threshold (an "um"),
        without enough voiced sound to be a digit (a cough, a click), or
        beyond ``n_digits`` / ``max_digits`` (the least confident).
    duration : float
        Length of the recording, in seconds.
    """

    digits: str
    segments: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    duration: float = 0.0

    def to_dict(self):
        """The transcription as a JSON-ready dict.

        Returns
        -------
        record : dict
            ``{"digits": str, "segments": [{"start", "end", "label",
            "confidence"}, ...], "rejected": [...], "duration": float}``.
        """
        return {
            "digits": self.digits,
            "segments": [s.to_dict() for s in self.segments],
            "rejected": [s.to_dict() for s in self.rejected],
            "duration": round(float(self.duration), 3),
        }


#: Spectral subtraction: over-subtraction factor and gain floor (power), chosen on
#: FSDD strings with white noise at 10 and 20 dB SNR (benchmarks/README.md).
_OVERSUBTRACTION = 4.0
_GAIN_FLOOR = 0.01
_NOISE_QUANTILE = 20.0


def _reduce_noise(y, sr):
    """Spectral subtraction (Boll, IEEE TASSP 1979) of the recording's steady noise.

    The noise power spectrum is the mean over the quietest 20 % of the STFT
    frames (32 ms every 8 ms), which a string of digits always holds: its
    pauses. Each bin's power gain is ``max(1 - 4 * noise / power, 0.01)``.
    Clean recordings are left nearly unchanged; the classifiers, trained on
    clean speech, read noisy words much better afterwards.
    """
    import scipy.signal

    nperseg = max(16, int(round(0.032 * sr)))
    noverlap = nperseg - max(1, nperseg // 4)
    _, _, Z = scipy.signal.stft(y, fs=sr, nperseg=nperseg, noverlap=noverlap)
    power = np.abs(Z) ** 2
    level = power.sum(axis=0)
    quiet = level <= np.percentile(level, _NOISE_QUANTILE)
    noise = power[:, quiet].mean(axis=1, keepdims=True)
    gain = np.maximum(1.0 - _OVERSUBTRACTION * noise / np.maximum(power, 1e-20), _GAIN_FLOOR)
    _, x = scipy.signal.istft(Z * np.sqrt(gain), fs=sr, nperseg=nperseg, noverlap=noverlap)
    out = np.zeros(len(y), dtype=np.float32)
    n = min(len(y), len(x))
    out[:n] = x[:n]
    return out


#: Fluent speech: a valley at least this deep (dB) inside a word is a candidate
#: boundary, kept when the model reads both halves more confidently than the whole.
_CANDIDATE_DB = 6.0
_MIN_PART = 0.12  # seconds: the shortest FSDD digit after trimming


def _valley(y, sr, start, end):
    """Time (s) and depth (dB) of the deepest energy valley inside ``[start, end)``."""
    from .segmentation import HOP_DURATION, _deepest_valley, _smooth, frame_levels

    a, b = int(start * sr), int(end * sr)
    if b - a < int(2 * _MIN_PART * sr):
        return None, 0.0
    smooth = _smooth(frame_levels(y[a:b], sr=sr))
    min_len = int(round(_MIN_PART / HOP_DURATION))
    cut, depth = _deepest_valley((0, len(smooth)), smooth, min_len)
    if cut is None:
        return None, 0.0
    return start + cut * HOP_DURATION, depth


#: Lattice segmentation of fluent speech (``segmentation="lattice"``). The word-length
#: prior is log-normal: ``segment_words`` finds FSDD's isolated digits (every fifth of
#: the 3,000 clips) 0.31 s long (median), with a standard deviation of 0.36 in log
#: duration; Debian's TTS voices at 160 words a minute speak 0.27-0.37 s of voice a digit.
_WORD_LOG_MEAN = float(np.log(0.31))
_WORD_LOG_SD = 0.36
_VALLEY_DB = 3.0  # shallowest energy valley that is a candidate boundary
_VALLEY_GAP = 0.05  # seconds: of two valleys closer than this, the deeper
_MIN_WORD = 0.1  # seconds: shortest word of the lattice
_MAX_WORD = 1.0  # seconds: longest word of the lattice (longer chunks stay whole)


def _best_paths(n_nodes, edges, scores, max_count=None):
    """Best path through a chunk's lattice for every number of words.

    Returns ``{n_words: (score, [edge indices])}`` for the paths from node 0 to
    node ``n_nodes - 1``: with ``max_count=None`` only the best path of all
    (one entry), else the best of every count up to ``max_count`` (a path of
    one word always counts).
    """
    best = [{} for _ in range(n_nodes)]
    best[0][0] = (0.0, [])
    by_end = {}
    for k, (i, j) in enumerate(edges):
        by_end.setdefault(j, []).append((i, k))
    for j in range(1, n_nodes):
        for i, k in by_end.get(j, []):
            for count, (score, path) in best[i].items():
                key = 0 if max_count is None else count + 1
                if key > max(max_count or 0, 1):
                    continue
                total = score + scores[k]
                if key not in best[j] or total > best[j][key][0]:
                    best[j][key] = (total, [*path, k])
    table = best[n_nodes - 1]
    if max_count is None:
        return {len(path): (score, path) for score, path in table.values()}
    return table


def _choose_counts(tables, n_digits):
    """One path per chunk: the best overall, or the best with ``n_digits`` words in all.

    When no combination makes exactly ``n_digits`` words, the nearest count is
    taken (the fewest words missing or extra), then the best score.
    """
    if n_digits is None:
        return [max(t.values(), key=lambda v: v[0])[1] for t in tables]
    combos = {0: (0.0, [])}
    for table in tables:
        new = {}
        for total, (score, paths) in combos.items():
            for count, (s, path) in table.items():
                key = total + count
                if key not in new or score + s > new[key][0]:
                    new[key] = (score + s, [*paths, path])
        combos = new
    key = min(combos, key=lambda c: (abs(c - n_digits), -combos[c][0]))
    return combos[key][1]


def _check_count(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise AudioValueError(f"{name} must be a positive integer or None, got {value!r}")
    return int(value)


class DigitStringTranscriber:
    """Read the digit string in a recording with a fitted single-digit model.

    The recording is cut into words by
    :func:`~sklearn_audiodigit.segmentation.segment_words`; each word, widened
    by ``padding`` seconds on each side (the model trims silence itself), is
    classified by ``model`` in one batch; words whose confidence is below
    ``reject_threshold``, or that hold less than ``min_voiced`` seconds of
    voiced sound, are dropped. A recording no longer than one word
    (``max_word_duration``, 0.8 s by default) in which the segmenter finds no
    word but :func:`~sklearn_audiodigit.segmentation.detect_speech` finds speech
    (a quiet take cut tight around its word, with no silence to measure a noise
    floor against) is read as one word.

    Parameters
    ----------
    model : fitted classifier
        Any fitted model of this library that takes waveforms at ``sr`` Hz and
        predicts digits: :func:`~sklearn_audiodigit.pipelines.make_model`'s
        ``"svc"`` or networks, a model from
        :func:`~sklearn_audiodigit.persistence.load_model`, or any scikit-learn
        classifier over ragged waveforms. ``predict_proba`` gives confidences;
        without it, confidences are ``None`` and nothing is rejected.
    sr : int, default=8000
        Sampling rate the model expects, in Hz. :meth:`transcribe_file` reads
        files at this rate; :meth:`transcribe` resamples waveforms given at
        another rate.
    n_digits : int or None, default=None
        Number of digits the recording is known to hold (a PIN has 4). With
        fewer words found, the longest are split at their energy minima; with
        more, the most confident ``n_digits`` are kept. The result may still hold
        fewer digits if the recording has fewer words that can be split.
    max_digits : int or None, default=None
        At most this many digits are kept (the most confident, in time order).
    reject_threshold : float, default=0.2
        Words whose confidence (the model's highest probability) is below this
        are dropped as not a digit (listed in ``rejected``); 0 keeps every
        word. With ten classes, a sound that resembles no digit spreads its
        probability. On FSDD strings with noise at 10-30 dB SNR (288 words of
        held-out speakers, the MFCC svc), no real digit scored below 0.3
        (median 0.86 for words read right, 0.70 for words read wrong), so 0.2
        drops no digit; how low a cough scores depends on the model. With
        ``embed-svc`` (held-out FSDD speaker: median 0.996 for clips read right,
        0.70 for clips read wrong and for noise bursts), 0.5 drops 1.5 % of the
        digits read right and 17 % of the bursts (``benchmarks/README.md``,
        "Graded decision values"); ``min_voiced`` catches most bursts.
    min_voiced : float, default=0.02
        Words with less voiced sound than this, in seconds
        (:func:`~sklearn_audiodigit.segmentation.voiced_duration`, measured on
        the word as cut for the model), are dropped as not a digit: every digit
        holds a vowel, and coughs, clicks and breaths are not periodic. All
        of FSDD's 3,000 digits pass clean, 99.87 % with white noise at 10 dB
        SNR (before the noise subtraction the transcriber applies); 83 % of
        cough- and click-like noise bursts are dropped
        (``benchmarks/README.md``, "Rejecting what is not a digit"). 0 turns
        the check off.
    denoise : bool, default=True
        Before the words are cut for the model, subtract the recording's
        steady noise, estimated from its quietest 20 % of frames (the pauses),
        by spectral subtraction (Boll, IEEE TASSP 1979). The models are trained
        on clean speech; on FSDD strings with white noise at 20 dB SNR this
        brings the digit error rate back to its level without noise
        (``benchmarks/README.md``). Segmentation always uses the recording as
        it is (the lattice's energy valleys, the recording after subtraction).
    split_fluent : bool, default=False
        Fluent speech runs digits together ("five zero" without a pause). With
        True, a word whose energy dips by 6 dB or more inside is cut at its
        deepest dip (both parts at least 0.12 s) when the model reads both
        parts more confidently than the whole; repeated up to three times. Off
        by default: together with ``segment_params={"split_db": 15}`` it lowered
        the digit error rate of fluent TTS strings read by the CNN from 0.49 to
        0.34 (read by ``embed-svc``: 0.45 to 0.26), but raised that of FSDD
        strings with pauses read by the svc from 0.11 to 0.18
        (``benchmarks/README.md``). ``segmentation="lattice"`` is the other
        way to read fluent speech.
    segmentation : {"energy", "lattice"}, default="energy"
        How words are found. ``"energy"``: the words of
        :func:`~sklearn_audiodigit.segmentation.segment_words` (pauses, and
        energy minima in words too long for one digit). ``"lattice"``, for fluent
        speech: the stretches of speech between pauses are cut at every energy
        valley 3 dB deep or more; every run of 0.1-1 s between two such
        boundaries is a candidate word, scored by the model's log-probability of
        its best digit plus a log-normal word-length prior (median 0.31 s,
        standard deviation 0.36 in log duration: FSDD's digits as
        ``segment_words`` finds them); the best-scoring split is found by dynamic
        programming, with exactly ``n_digits`` words when that is given (or the
        nearest count possible). Classifies every candidate word, so several
        times slower; ``split_fluent`` and ``segment_params``' ``split_db``,
        ``max_word_duration`` and ``min_segments`` do not apply. On fluent TTS
        strings read by ``embed-svc`` it lowered the digit error rate from 0.46
        to 0.17 (0.15 with ``n_digits``), but it splits long words between
        pauses (FSDD strings without noise: 0.04 to 0.10), so it is not the
        default (``benchmarks/README.md``).
    padding : float, default=0.05
        Seconds added before and after each word when it is cut for the model
        (weak onsets such as the /f/ of "four" and "five" lie below the voice
        activity threshold). Never beyond the middle of the pause to the next
        word.
    segment_params : dict or None, default=None
        Keyword arguments of
        :func:`~sklearn_audiodigit.segmentation.segment_words` (``on_db``,
        ``off_db``, ``min_level_db``, ``min_word_duration``, ``min_pause``,
        ``max_word_duration``, ``max_drop_db``, ``split_db``).
    segmenter : callable or None, default=None
        Another voice activity detector: ``segmenter(y, sr)`` returning an array
        of shape (n_words, 2) of ``(start, end)`` in seconds, in time order.
        ``None`` uses :func:`~sklearn_audiodigit.segmentation.segment_words`
        with ``segment_params`` (``n_digits`` then only selects words, it
        cannot split them).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> from sklearn_audiodigit import make_svc_pipeline
    >>> data = load_fsdd_sample()
    >>> model = make_svc_pipeline(augment=False, random_state=0)
    >>> model = model.fit(data.data, data.target)
    >>> pause = np.zeros(2400, dtype=np.float32)
    >>> words = [data.data[i] for i in (0, 35, 70)]
    >>> y = np.concatenate([pause, words[0], pause, words[1], pause, words[2], pause])
    >>> result = DigitStringTranscriber(model).transcribe(y)
    >>> len(result.digits), [int(data.target[i]) for i in (0, 35, 70)] == [
    ...     s.label for s in result.segments]
    (3, True)
    """

    def __init__(
        self,
        model,
        *,
        sr=8000,
        n_digits=None,
        max_digits=None,
        reject_threshold=0.2,
        min_voiced=0.02,
        denoise=True,
        split_fluent=False,
        segmentation="energy",
        padding=0.05,
        segment_params=None,
        segmenter=None,
    ):
        self.model = model
        self.sr = sr
        self.n_digits = n_digits
        self.max_digits = max_digits
        self.reject_threshold = reject_threshold
        self.min_voiced = min_voiced
        self.denoise = denoise
        self.split_fluent = split_fluent
        self.segmentation = segmentation
        self.padding = padding
        self.segment_params = segment_params
        self.segmenter = segmenter

    def _check_params(self):
        sr = check_sr(self.sr)
        n_digits = _check_count(self.n_digits, "n_digits")
        max_digits = _check_count(self.max_digits, "max_digits")
        t = self.reject_threshold
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= t <= 1:
            raise AudioValueError(f"reject_threshold must be in [0, 1], got {t!r}")
        v = self.min_voiced
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not 0 <= v < np.inf:
            raise AudioValueError(f"min_voiced must be non-negative seconds, got {v!r}")
        p = self.padding
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < np.inf:
            raise AudioValueError(f"padding must be non-negative seconds, got {p!r}")
        if self.segmentation not in ("energy", "lattice"):
            raise AudioValueError(
                f"segmentation must be 'energy' or 'lattice', got {self.segmentation!r}"
            )
        classes = getattr(self.model, "classes_", None)
        if classes is None:
            raise AudioValueError(
                f"model must be a fitted classifier with classes_; got {type(self.model).__name__}"
            )
        bad = [c for c in classes if str(c) not in tuple("0123456789")]
        if bad:
            raise AudioValueError(
                f"the model predicts {bad[:3]!r}, not digits 0-9: a digit string needs a "
                "digit model (a model trained with target='digit')"
            )
        return sr, n_digits, max_digits

    def _classify(self, clips):
        X = np.empty(len(clips), dtype=object)
        X[:] = clips
        if hasattr(self.model, "predict_proba"):
            proba = np.asarray(self.model.predict_proba(X), dtype=np.float64)
            best = proba.argmax(axis=1)
            return np.asarray(self.model.classes_)[best], proba[np.arange(len(best)), best]
        return np.asarray(self.model.predict(X)), None

    def _split_fluent(self, y, sr, spans):
        """Split words at valleys where the model reads two digits better than one."""
        for _ in range(3):  # a word run together from up to 2**3 digits
            trials = []
            for i, (start, end) in enumerate(spans):
                cut, depth = _valley(y, sr, start, end)
                if cut is not None and depth >= _CANDIDATE_DB:
                    trials.append((i, cut))
            if not trials:
                break
            clips = []
            for i, cut in trials:
                start, end = spans[i]
                for lo, hi in ((start, end), (start, cut), (cut, end)):
                    clips.append(y[int(lo * sr) : int(hi * sr)])
            _, conf = self._classify(clips)
            if conf is None:
                break
            conf = conf.reshape(-1, 3)
            accepted = {
                i: cut for (i, cut), c in zip(trials, conf, strict=True) if min(c[1:]) > c[0]
            }
            if not accepted:
                break
            new = []
            for i, (start, end) in enumerate(spans):
                if i in accepted:
                    new += [(start, accepted[i]), (accepted[i], end)]
                else:
                    new.append((start, end))
            spans = new
        return np.asarray(spans, dtype=np.float64).reshape(-1, 2)

    def _lattice(self, y, sr, chunks, n_digits):
        """Words of fluent speech: the best split of every chunk over its energy valleys.

        Returns the spans, labels and confidences of the chosen words.
        """
        from .segmentation import FRAME_DURATION, HOP_DURATION, _smooth, _valleys, frame_levels

        smooth = _smooth(frame_levels(y, sr=sr))
        centre = FRAME_DURATION / 2  # of frame 0, in seconds
        lattices, clips = [], []
        for start, end in chunks:
            a = max(0, int(round((start - centre) / HOP_DURATION)))
            b = min(len(smooth), int(round((end - centre) / HOP_DURATION)) + 1)
            frames, _ = _valleys(
                smooth,
                a,
                b,
                min_depth=_VALLEY_DB,
                min_len=int(round(_MIN_WORD / HOP_DURATION)),
                min_gap=int(round(_VALLEY_GAP / HOP_DURATION)),
            )
            nodes = [start, *(centre + frames * HOP_DURATION), end]
            last = len(nodes) - 1
            edges = []
            for i in range(last):
                for j in range(i + 1, last + 1):
                    d = nodes[j] - nodes[i]
                    if (i, j) != (0, last) and (d < _MIN_WORD or d > _MAX_WORD):
                        continue
                    lo = nodes[i] - (self.padding if i == 0 else 0.0)
                    hi = nodes[j] + (self.padding if j == last else 0.0)
                    edges.append((i, j))
                    clips.append(y[max(0, int(round(lo * sr))) : int(round(hi * sr))])
            lattices.append((nodes, edges))
        labels, conf = self._classify(clips)
        log_p = np.zeros(len(clips)) if conf is None else np.log(np.maximum(conf, 1e-12))
        tables, offset = [], 0
        for nodes, edges in lattices:
            d = np.array([nodes[j] - nodes[i] for i, j in edges])
            prior = -0.5 * ((np.log(d) - _WORD_LOG_MEAN) / _WORD_LOG_SD) ** 2
            scores = log_p[offset : offset + len(edges)] + prior
            tables.append(_best_paths(len(nodes), edges, scores, n_digits))
            offset += len(edges)
        spans, picked, offset = [], [], 0
        chosen = _choose_counts(tables, n_digits)
        for (nodes, edges), path in zip(lattices, chosen, strict=True):
            for k in path:
                i, j = edges[k]
                spans.append((nodes[i], nodes[j]))
                picked.append(offset + k)
            offset += len(edges)
        spans = np.asarray(spans, dtype=np.float64).reshape(-1, 2)
        return spans, labels[picked], None if conf is None else conf[picked]

    def _whole_clip_if_speech(self, y, sr, duration):
        """One word over all of ``y`` if it is no longer than a word and holds speech.

        The segmenter measures a word against the recording's quietest frames; a
        clip cut tight around a quiet word has no silence to measure against (15 of
        FSDD's 3,000 clips, all theo's, peaking at -39 to -47 dBFS), so it finds no
        word there, while :func:`~sklearn_audiodigit.segmentation.detect_speech`
        does.
        """
        from .segmentation import MAX_WORD_DURATION, detect_speech

        max_word = (self.segment_params or {}).get("max_word_duration", MAX_WORD_DURATION)
        if duration <= max_word and detect_speech([y], sr=sr)[0]:
            return np.array([[0.0, duration]])
        return np.zeros((0, 2))

    def _cut(self, y, sr, spans):
        """Each word with ``padding`` around it, never past the middle of a pause."""
        clips = []
        for i, (start, end) in enumerate(spans):
            lo = start - self.padding
            hi = end + self.padding
            if i > 0:
                lo = max(lo, (spans[i - 1][1] + start) / 2)
            if i + 1 < len(spans):
                hi = min(hi, (end + spans[i + 1][0]) / 2)
            a = max(0, int(round(lo * sr)))
            b = min(len(y), int(round(hi * sr)))
            clips.append(y[a:b])
        return clips

    def transcribe(self, y, *, sr=None):
        """Read the digits in one waveform.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            One mono waveform, float in [-1, 1].
        sr : int or None, default=None
            Sampling rate of ``y`` in Hz; ``None`` means the transcriber's
            ``sr``. Another rate is resampled (soxr) to ``sr``.

        Returns
        -------
        transcription : Transcription
            The digits, their segments (times in seconds of ``y``) and the
            rejected words; ``digits == ""`` when there is no speech.

        Raises
        ------
        ValueError
            If ``y`` is not one finite 1-D waveform, or a parameter is invalid.
        """
        model_sr, n_digits, max_digits = self._check_params()
        y = np.asarray(y)
        if y.ndim != 1:
            raise AudioValueError(
                f"y must be one 1-D waveform (mix stereo down first); got shape {y.shape}"
            )
        if sr is not None and check_sr(sr) != model_sr:
            import soxr

            y = soxr.resample(np.asarray(y, dtype=np.float32), sr, model_sr, quality="HQ")
        params = dict(self.segment_params or {})
        lattice = self.segmentation == "lattice"
        if lattice:
            # the stretches of speech between pauses; the lattice cuts them into words
            params.update(split_db=None, min_segments=None, max_word_duration=3600.0)
        elif n_digits is not None:
            params["min_segments"] = n_digits
        if self.segmenter is None:
            spans = segment_words(y, sr=model_sr, **params)
        else:
            spans = np.asarray(self.segmenter(y, model_sr), dtype=np.float64).reshape(-1, 2)
        duration = len(y) / model_sr
        if len(spans) == 0 and self.segmenter is None:
            spans = self._whole_clip_if_speech(y, model_sr, duration)
        if len(spans) == 0:
            return Transcription("", [], [], duration)
        y = np.asarray(y, dtype=np.float32)
        if self.denoise:
            y = _reduce_noise(y, model_sr)
        if lattice:
            spans, labels, conf = self._lattice(y, model_sr, spans, n_digits)
            clips = self._cut(y, model_sr, spans)  # the words as chosen, for voicing
        else:
            if self.split_fluent:
                spans = self._split_fluent(y, model_sr, [tuple(s) for s in spans])
            clips = self._cut(y, model_sr, spans)
            labels, conf = self._classify(clips)
        voiced = [
            self.min_voiced == 0 or voiced_duration(c, sr=model_sr) >= self.min_voiced
            for c in clips
        ]
        segments = [
            DigitSegment(float(s), float(e), _as_digit(lab), None if conf is None else float(c))
            for (s, e), lab, c in zip(
                spans, labels, conf if conf is not None else [None] * len(spans), strict=True
            )
        ]
        keep, rejected = [], []
        for s, is_voiced in zip(segments, voiced, strict=True):
            low = s.confidence is not None and s.confidence < self.reject_threshold
            (rejected if low or not is_voiced else keep).append(s)
        limit = min(x for x in (n_digits, max_digits, len(keep)) if x is not None)
        if len(keep) > limit:
            order = sorted(range(len(keep)), key=lambda i: -(keep[i].confidence or 0.0))
            chosen = sorted(order[:limit])
            rejected += [keep[i] for i in order[limit:]]
            keep = [keep[i] for i in chosen]
        rejected.sort(key=lambda s: s.start)
        return Transcription("".join(str(s.label) for s in keep), keep, rejected, duration)

    def transcribe_file(self, path, *, max_duration=120.0):
        """Read the digits in an audio file.

        The file is read with :func:`~sklearn_audiodigit.io.read_audio` at the
        transcriber's ``sr`` (any format libsndfile decodes, any rate, channels
        mixed to mono).

        Parameters
        ----------
        path : str or os.PathLike
            The recording.
        max_duration : float or None, default=120.0
            Longest recording accepted, in seconds (checked from the header).

        Returns
        -------
        transcription : Transcription
            As :meth:`transcribe`.

        Raises
        ------
        AudioLoadError
            (an :class:`OSError`) if the file cannot be read as audio or is
            longer than ``max_duration``; the message names the file.
        """
        from .io import read_audio

        sr, _, _ = self._check_params()
        y, _ = read_audio(path, sr=sr, max_duration=max_duration)
        return self.transcribe(y)


def _as_digit(label):
    """A model's label as an int digit when it is one (numpy ints, "4")."""
    value = label.item() if isinstance(label, np.generic) else label
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value

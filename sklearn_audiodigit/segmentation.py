"""Voice activity: where a recording holds speech, and where its words are.

One energy detector serves two purposes:

- :func:`segment_words` cuts a recording of several spoken digits into word
  segments, ``(start, end)`` in seconds, for
  :class:`~sklearn_audiodigit.transcription.DigitStringTranscriber`;
- :func:`detect_speech` says, for each clip of a batch, whether it holds any
  speech at all, so that silence, near-silence and steady noise are reported as
  "no speech" instead of being read as a digit (``audiodigit predict``).

The detector works on the frame energy of the signal high-passed at 100 Hz (so
hum and rumble do not count), in 25 ms frames every 10 ms (the usual speech
analysis frame). Every threshold is relative to the recording's *own noise
floor*, the 5th percentile of its frame energies, so a quiet recording and a
loud one are treated alike, and steady background noise (which sets the floor)
does not rise above it; an *absolute floor* (``min_level_db``, in dB relative
to full scale) keeps digital silence, dither and near-silence out however
steady they are. Speech starts where the energy rises ``on_db`` above the floor
and ends where it falls back below ``off_db`` above it (hysteresis, as in
Rabiner & Sambur, "An algorithm for determining the endpoints of isolated
utterances", Bell System Technical Journal, 1975).

Why an energy detector of our own rather than a well-kept one: on 120 FSDD
digit strings with white noise at 10-30 dB SNR (``benchmarks/bench_strings.py
vad``), it found the right number of words in 116, against 72 for Silero VAD v5
and 17 for WebRTC VAD (both bridge the short pauses between digits), and it is
ten times faster than Silero; it needs nothing beyond NumPy and SciPy and works
at any rate from 8 to 48 kHz. Another detector can be plugged into
:class:`~sklearn_audiodigit.transcription.DigitStringTranscriber` (``segmenter``).
"""

import numbers

import numpy as np

from ._config import DEFAULT_SR
from .exceptions import AudioValueError
from .utils._validation import check_sr, check_waveforms

__all__ = ["frame_levels", "voice_activity", "segment_words", "detect_speech", "voiced_duration"]

#: Frame length and hop of the detector, in seconds.
FRAME_DURATION = 0.025
HOP_DURATION = 0.010
#: Longest word, in seconds, before :func:`segment_words` splits it.
MAX_WORD_DURATION = 0.8
#: Depth, in dB below a segment's loudest frame, of the part whose length counts.
LENGTH_DB = 40.0
#: Percentile of the frame levels taken as the recording's noise floor.
FLOOR_PERCENTILE = 5.0
#: Cut-off of the high-pass filter applied before measuring energy, in Hz.
HIGHPASS_HZ = 100.0
_TINY = 1e-12  # -120 dB: the level of digital silence


def _check_signal(y, name="y"):
    y = np.asarray(y)
    if y.ndim != 1:
        raise AudioValueError(
            f"{name} must be one 1-D waveform (mix stereo down first, e.g. with "
            f"read_audio(..., mono=True)); got an array of shape {y.shape}"
        )
    (y,) = check_waveforms([y])
    return y


def _check_positive(value, name, *, allow_zero=False):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or value < 0
        or (value == 0 and not allow_zero)
    ):
        kind = "non-negative" if allow_zero else "positive"
        raise AudioValueError(f"{name} must be a {kind} number, got {value!r}")
    return float(value)


def frame_levels(y, *, sr=DEFAULT_SR):
    """Energy of a waveform in 25 ms frames every 10 ms, in dB relative to full scale.

    The signal is high-passed at 100 Hz (2nd-order Butterworth) first, so DC,
    mains hum and rumble do not count as energy.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        One waveform, float in [-1, 1] (integer PCM is scaled).
    sr : int, default=8000
        Sampling rate of ``y``, in Hz.

    Returns
    -------
    levels : ndarray of shape (n_frames,), dtype float64
        Mean power of each frame, in dB (``10 * log10``), -120 dB for digital
        silence. Frame ``i`` covers samples ``[i * hop, i * hop + frame)`` with
        ``hop = round(0.010 * sr)`` and ``frame = round(0.025 * sr)``; a clip
        shorter than one frame is zero-padded to one frame.

    Raises
    ------
    ValueError
        If ``y`` is not one 1-D finite waveform or ``sr`` is not positive.
    """
    import scipy.signal

    y = _check_signal(y)
    sr = check_sr(sr)
    frame = max(1, int(round(FRAME_DURATION * sr)))
    hop = max(1, int(round(HOP_DURATION * sr)))
    x = y.astype(np.float64)
    if HIGHPASS_HZ < sr / 2:
        sos = scipy.signal.butter(2, HIGHPASS_HZ, btype="highpass", fs=sr, output="sos")
        x = scipy.signal.sosfilt(sos, x)
    if len(x) < frame:
        x = np.pad(x, (0, frame - len(x)))
    n_frames = 1 + (len(x) - frame) // hop
    # mean power per frame from a cumulative sum: O(n_samples), no frame copies
    csum = np.concatenate(([0.0], np.cumsum(x * x)))
    starts = np.arange(n_frames) * hop
    power = (csum[starts + frame] - csum[starts]) / frame
    return 10.0 * np.log10(np.maximum(power, _TINY))


def _runs(mask):
    """(start, stop) frame indices of the runs of True in a 1-D bool array."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges.reshape(-1, 2)


def voice_activity(y, *, sr=DEFAULT_SR, on_db=8.0, off_db=4.0, min_level_db=-55.0, levels=None):
    """Frame-wise voice activity with hysteresis, relative to the recording's noise floor.

    A frame starts speech when its level is at least ``on_db`` above the noise
    floor (the 5th percentile of the recording's frame levels) and at least
    ``min_level_db``; speech goes on while the level stays at least ``off_db``
    above the floor (and above ``min_level_db - (on_db - off_db)``).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        One waveform, float in [-1, 1].
    sr : int, default=8000
        Sampling rate of ``y``, in Hz.
    on_db : float, default=8.0
        Rise above the noise floor, in dB, that starts speech. Steady noise
        fluctuates by less than 3 dB about its mean in 25 ms frames, so 8 dB
        keeps a margin of 5 dB; in a recording at 10 dB SNR, a word spoken a
        few dB quieter than the others still rises 8 dB above the floor (at 10
        dB, 8 of 360 FSDD strings at 10-30 dB SNR lost such a word; at 8 dB,
        none; ``benchmarks/README.md``, "Digit strings").
    off_db : float, default=4.0
        Level above the noise floor, in dB, below which speech ends. Must be
        <= ``on_db``.
    min_level_db : float, default=-55.0
        Absolute floor, in dB relative to full scale (frame RMS): quieter frames
        are never speech. The quietest of the 3,000 FSDD recordings peaks at
        -48 dB in these frames; 16-bit dither lies near -100 dB.
    levels : ndarray of shape (n_frames,), default=None
        Frame levels from :func:`frame_levels`, if already computed.

    Returns
    -------
    active : ndarray of shape (n_frames,), dtype bool
        Speech frames, on the frame grid of :func:`frame_levels`.
    floor_db : float
        The noise floor used, in dB relative to full scale.

    Raises
    ------
    ValueError
        If ``y`` is not one 1-D finite waveform, ``sr`` is not positive, or
        ``off_db > on_db``.
    """
    on_db = _check_positive(on_db, "on_db", allow_zero=True)
    off_db = _check_positive(off_db, "off_db", allow_zero=True)
    if off_db > on_db:
        raise AudioValueError(f"off_db={off_db} must be <= on_db={on_db} (hysteresis)")
    if isinstance(min_level_db, bool) or not isinstance(min_level_db, numbers.Real):
        raise AudioValueError(f"min_level_db must be a number of dB, got {min_level_db!r}")
    if levels is None:
        levels = frame_levels(y, sr=sr)
    floor = float(np.percentile(levels, FLOOR_PERCENTILE))
    high = levels >= max(floor + on_db, min_level_db)
    low = levels >= max(floor + off_db, min_level_db - (on_db - off_db))
    active = np.zeros(len(levels), dtype=bool)
    # a run of "low" frames is speech if it holds at least one "high" frame
    for start, stop in _runs(low):
        if high[start:stop].any():
            active[start:stop] = True
    return active, floor


def _frames_to_seconds(start, stop, hop, frame, n_samples, sr):
    """Frames ``[start, stop)`` as seconds: one hop around each frame's centre."""
    first = start * hop + (frame - hop) / 2
    last = (stop - 1) * hop + (frame + hop) / 2
    return max(first, 0.0) / sr, min(last, n_samples) / sr


def _smooth(levels, width=5):
    kernel = np.ones(width) / width
    return np.convolve(np.pad(levels, width // 2, mode="edge"), kernel, mode="valid")


def _deepest_valley(seg, smooth, min_len):
    """Frame of the deepest valley of ``seg`` and its depth in dB, or (None, 0)."""
    start, stop = seg
    lo, hi = start + min_len, stop - min_len
    if hi <= lo:
        return None, 0.0
    inner = smooth[lo:hi]
    # the highest level before and after every candidate frame, within the segment
    left = np.maximum.accumulate(smooth[start:hi])[lo - start :]
    right = np.maximum.accumulate(smooth[lo:stop][::-1])[::-1][: hi - lo]
    depth = np.minimum(left, right) - inner
    k = int(np.argmax(depth))
    return lo + k, float(depth[k])


def _valleys(smooth, start, stop, *, min_depth, min_len, min_gap):
    """Local minima of ``smooth[start:stop]`` at least ``min_depth`` dB deep.

    The depth of a minimum is how far it lies below the lower of the highest
    levels before and after it within ``[start, stop)``. Minima closer than
    ``min_len`` frames to either end are left out, and of two minima closer than
    ``min_gap`` frames the deeper is kept. Returns the frames and depths, in
    frame order.
    """
    lo, hi = start + min_len, stop - min_len
    if hi <= lo:
        return np.zeros(0, dtype=int), np.zeros(0)
    left = np.maximum.accumulate(smooth[start:hi])[lo - start :]
    right = np.maximum.accumulate(smooth[lo:stop][::-1])[::-1][: hi - lo]
    inner = smooth[lo:hi]
    depth = np.minimum(left, right) - inner
    prev = smooth[lo - 1 : hi - 1]
    nxt = smooth[lo + 1 : hi + 1]
    minima = np.flatnonzero((inner < prev) & (inner <= nxt) & (depth >= min_depth))
    kept = []
    for k in minima[np.argsort(-depth[minima], kind="stable")]:
        if all(abs(k - j) >= min_gap for j in kept):
            kept.append(k)
    kept = np.sort(np.asarray(kept, dtype=int))
    return lo + kept, depth[kept]


def _loud_part(seg, levels, db):
    """``(start, stop)`` of ``seg`` from its first to its last frame within ``db`` of its peak."""
    start, stop = seg
    loud = np.flatnonzero(levels[start:stop] >= levels[start:stop].max() - db)
    return start + int(loud[0]), start + int(loud[-1]) + 1


def _loud_length(seg, levels, length_db):
    """Frames of ``seg``'s loud part (all of it with ``length_db=None``)."""
    start, stop = seg if length_db is None else _loud_part(seg, levels, length_db)
    return stop - start


def _split_at_minimum(seg, smooth, min_len):
    """Split the frame run ``seg`` at its deepest minimum in its middle 40 %, or return None.

    Keeping to the middle makes balanced parts: a drawn-out word is cut into a
    few parts, never into a row of slivers of ``min_len``.
    """
    start, stop = seg
    margin = max(min_len, int(0.3 * (stop - start)))
    lo, hi = start + margin, stop - margin
    if hi <= lo:
        return None
    cut = lo + int(np.argmin(smooth[lo:hi]))
    return (start, cut), (cut, stop)


def segment_words(
    y,
    *,
    sr=DEFAULT_SR,
    on_db=8.0,
    off_db=4.0,
    min_level_db=-55.0,
    min_word_duration=0.08,
    min_pause=0.1,
    max_word_duration=MAX_WORD_DURATION,
    max_drop_db=40.0,
    length_db=LENGTH_DB,
    split_db=None,
    trim_db=None,
    min_segments=None,
):
    """Cut a recording of spoken words into word segments.

    Steps: frame-wise :func:`voice_activity`; runs of speech separated by less
    than ``min_pause`` are joined (the closure before the plosive of "eight",
    "six" or "two" is a short silence inside one word); runs shorter than
    ``min_word_duration`` are dropped (clicks, lip smacks); segments whose peak
    level lies more than ``max_drop_db`` below the loudest segment's are dropped
    (breaths, distant sounds); a segment longer than ``max_word_duration``
    (measured over its loud part, see ``length_db``) is split at the deepest
    minimum of its smoothed energy (50 ms moving average) in its middle 40 %
    until every part is short enough (and, with ``split_db``, at every valley
    that deep), and with ``min_segments``, the longest
    segments are split the same way until there are that many (or none can be
    split into two parts of ``min_word_duration``).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        One waveform, float in [-1, 1]; mix stereo down first
        (:func:`~sklearn_audiodigit.io.read_audio` does).
    sr : int, default=8000
        Sampling rate of ``y``, in Hz; any rate works (the frames are defined in
        seconds).
    on_db, off_db, min_level_db : float, default=8.0, 4.0, -55.0
        Thresholds of :func:`voice_activity`, in dB.
    min_word_duration : float, default=0.08
        Shortest segment kept, in seconds. The shortest FSDD digit lasts 0.12 s
        after trimming at 30 dB below its peak.
    min_pause : float, default=0.1
        Shortest silence between two words, in seconds; shorter gaps are joined.
    max_word_duration : float, default=0.8
        Longest segment one digit can make, in seconds (99 % of FSDD digits last
        less than 0.66 s after trimming); longer segments are split.
    max_drop_db : float, default=40.0
        Segments whose loudest frame is more than this many dB below the loudest
        frame of the recording are dropped.
    length_db : float or None, default=40.0
        A segment's length, for ``max_word_duration``, runs from its first to
        its last frame within this many dB of its loudest frame, so that faint
        ends (the hiss of a final "s", a breath, a room's tail, a recording's
        own background between digital silences) do not make one word too long
        and split it; the segment itself keeps those ends. ``None``: its whole
        length. On 360 FSDD strings with pauses, 40 dB cut the strings with a
        word split in two from 15 to 9 (30 dB: 8), and costs fluent speech
        little, where two words run together are found by their length
        (synthetic voices' digit error rate 0.462 with ``None``, 0.476 at 40 dB,
        0.501 at 30 dB; ``benchmarks/README.md``, "Digit strings").
    split_db : float or None, default=None
        If given, a segment is also split at its deepest valley (50 ms moving
        average of the frame levels) when the valley lies at least this many dB
        below the highest level on both sides, for digits spoken without pauses.
        Off by default: at 15 dB it splits 3 % of single FSDD digits (the
        closure of "six" and "eight") and raised the digit error rate on FSDD
        strings (``benchmarks/README.md``).
    trim_db : float or None, default=None
        If given, the frames at each end of a segment that lie more than this
        many dB below the segment's loudest frame are left out of it (as
        :class:`~sklearn_audiodigit.preprocessing.TrimSilence` does).
    min_segments : int or None, default=None
        If given, split the longest segments at their energy minima until there
        are at least this many (used for a known number of digits).

    Returns
    -------
    segments : ndarray of shape (n_segments, 2), dtype float64
        ``(start, end)`` of each word in seconds, in time order, not
        overlapping; shape ``(0, 2)`` when there is no speech.

    Raises
    ------
    ValueError
        If ``y`` is not one 1-D finite waveform, or a parameter is out of range
        (the message names it).

    Examples
    --------
    >>> import numpy as np
    >>> sr = 8000
    >>> t = np.arange(sr // 4) / sr
    >>> word = 0.3 * np.sin(2 * np.pi * 220 * t)
    >>> pause = np.zeros(sr // 4)
    >>> y = np.concatenate([pause, word, pause, word, pause]).astype(np.float32)
    >>> segment_words(y, sr=sr).round(2)
    array([[0.24, 0.52],
           [0.74, 1.02]])
    """
    sr = check_sr(sr)
    min_word_duration = _check_positive(min_word_duration, "min_word_duration")
    min_pause = _check_positive(min_pause, "min_pause", allow_zero=True)
    max_word_duration = _check_positive(max_word_duration, "max_word_duration")
    max_drop_db = _check_positive(max_drop_db, "max_drop_db")
    if length_db is not None:
        length_db = _check_positive(length_db, "length_db")
    if split_db is not None:
        split_db = _check_positive(split_db, "split_db")
    if trim_db is not None:
        trim_db = _check_positive(trim_db, "trim_db")
    if max_word_duration < 2 * min_word_duration:
        raise AudioValueError(
            f"max_word_duration={max_word_duration} must be at least twice "
            f"min_word_duration={min_word_duration} (a split makes two words)"
        )
    if min_segments is not None and (
        isinstance(min_segments, bool)
        or not isinstance(min_segments, numbers.Integral)
        or min_segments < 1
    ):
        raise AudioValueError(
            f"min_segments must be a positive integer or None, got {min_segments!r}"
        )
    y = _check_signal(y)
    levels = frame_levels(y, sr=sr)
    active, _ = voice_activity(
        y, sr=sr, on_db=on_db, off_db=off_db, min_level_db=min_level_db, levels=levels
    )
    hop = max(1, int(round(HOP_DURATION * sr)))
    frame = max(1, int(round(FRAME_DURATION * sr)))
    # a frame spans (frame - hop) samples more than its hop: a run of k active
    # frames covers about (k - overlap) hops of sound, a run of k silent frames
    # lies inside about (k + overlap) hops of silence
    overlap = (frame - hop) / hop
    runs = [tuple(r) for r in _runs(active)]
    merged = []
    for start, stop in runs:
        if merged and (start - merged[-1][1] + overlap) * hop / sr < min_pause:
            merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    min_len = max(1, int(np.ceil(min_word_duration * sr / hop - overlap)))
    max_len = max(2 * min_len, int(np.floor(max_word_duration * sr / hop - overlap)))
    kept = [(a, b) for a, b in merged if b - a >= min_len]
    if kept:
        loudest = max(levels[a:b].max() for a, b in kept)
        kept = [(a, b) for a, b in kept if levels[a:b].max() >= loudest - max_drop_db]
    if trim_db is not None:
        # a word's faint ends (breath, room tail) are left out of it
        kept = [_loud_part(seg, levels, trim_db) for seg in kept]
    smooth = _smooth(levels)
    words, todo = [], list(kept)
    while todo:
        seg = todo.pop(0)
        cut, depth = _deepest_valley(seg, smooth, min_len)
        if cut is not None and split_db is not None and depth >= split_db:
            parts = (seg[0], cut), (cut, seg[1])
        elif _loud_length(seg, levels, length_db) > max_len:
            parts = _split_at_minimum(seg, smooth, min_len)
        else:
            parts = None
        if parts is None:
            words.append(seg)
        else:
            todo[:0] = parts
    if min_segments is not None:
        while len(words) < min_segments:
            order = sorted(range(len(words)), key=lambda i: words[i][1] - words[i][0])
            for i in reversed(order):
                parts = _split_at_minimum(words[i], smooth, min_len)
                if parts is not None:
                    words[i : i + 1] = parts
                    break
            else:
                break
    out = [_frames_to_seconds(a, b, hop, frame, len(y), sr) for a, b in words]
    return np.asarray(out, dtype=np.float64).reshape(-1, 2)


def detect_speech(
    X, *, sr=DEFAULT_SR, threshold_db=3.0, min_level_db=-55.0, min_speech_duration=0.06
):
    """Whether each clip holds speech, or only silence, near-silence or steady noise.

    A clip holds speech when at least ``min_speech_duration`` of its frames lie
    both ``threshold_db`` above the clip's own noise floor (the 5th percentile of
    its :func:`frame_levels`) and above the absolute floor ``min_level_db``.
    Steady noise (white noise stays within about 2.5 dB of its 5th percentile in
    these frames, even over a minute) and
    silence of any kind stay below; speech rises above the pauses around it.

    This is the check behind the ``no_speech`` outcome of ``audiodigit
    predict``. In Python, keep the classifier's contract (``predict`` always
    returns a label) and mask the clips yourself::

        labels = model.predict(X).astype(object)
        labels[~detect_speech(X, sr=sr)] = None

    The threshold is lower than the segmenter's ``on_db``, because a single
    digit cut tightly from a recording (as in FSDD) has little silence of its
    own to set the floor: in every one of the 3,000 FSDD recordings, at least five
    frames rise 3.4 dB or more above the 5th-percentile frame. Noise whose
    energy lies in a narrow low band (below about 1 kHz) fluctuates more than
    white noise and may be taken for speech.

    Parameters
    ----------
    X : array-like of shape (n_clips, n_samples), or sequence of 1-D array-likes
        Waveforms, float in [-1, 1].
    sr : int, default=8000
        Sampling rate of ``X``, in Hz.
    threshold_db : float, default=3.0
        Rise above the clip's noise floor, in dB, that counts as speech.
    min_level_db : float, default=-55.0
        Absolute floor, in dB relative to full scale (frame RMS after a 100 Hz
        high-pass): quieter frames are never speech. The quietest FSDD recording
        peaks at -48 dB.
    min_speech_duration : float, default=0.06
        Total duration of speech frames, in seconds, a clip needs (a click is
        shorter).

    Returns
    -------
    has_speech : ndarray of shape (n_clips,), dtype bool
        False for a clip with no speech.

    Raises
    ------
    ValueError
        If ``X`` is not valid waveforms or a parameter is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> noise = np.random.default_rng(0).normal(0, 0.1, 8000).astype(np.float32)
    >>> detect_speech([X[0], np.zeros(8000, np.float32), noise]).tolist()
    [True, False, False]
    """
    sr = check_sr(sr)
    threshold_db = _check_positive(threshold_db, "threshold_db", allow_zero=True)
    min_speech_duration = _check_positive(min_speech_duration, "min_speech_duration")
    if isinstance(min_level_db, bool) or not isinstance(min_level_db, numbers.Real):
        raise AudioValueError(f"min_level_db must be a number of dB, got {min_level_db!r}")
    clips = check_waveforms(X)
    hop = HOP_DURATION * sr
    frame = FRAME_DURATION * sr
    out = np.zeros(len(clips), dtype=bool)
    for i, x in enumerate(clips):
        levels = frame_levels(x, sr=sr)
        floor = float(np.percentile(levels, FLOOR_PERCENTILE))
        n = int(np.count_nonzero(levels >= max(floor + threshold_db, min_level_db)))
        # n frames, one after the other, span (n - 1) hops plus one frame
        out[i] = n > 0 and ((n - 1) * hop + frame) / sr >= min_speech_duration
    return out


#: Analysis frame of :func:`voiced_duration`, in seconds (two periods at 60 Hz).
VOICING_FRAME_DURATION = 0.032
#: Range of fundamental frequencies a voiced frame may have, in Hz.
PITCH_RANGE = (60.0, 400.0)
_PRE_EMPHASIS = 0.97


def voiced_duration(y, *, sr=DEFAULT_SR, threshold=0.4, floor_db=30.0):
    """Seconds of voiced (periodic) sound in a waveform.

    Every spoken digit holds a vowel, and a vowel is voiced: its frames repeat
    at the speaker's pitch period. Coughs, clicks, breaths and noise bursts are
    not periodic. A frame (32 ms, every 10 ms) counts as voiced when its
    normalised autocorrelation has a peak of at least ``threshold`` at a lag of
    one pitch period (60-400 Hz, men's to children's voices) and the frame is
    no more than ``floor_db`` below the loudest frame. The signal is first
    pre-emphasised (``y[n] - 0.97 y[n-1]``), so that low-frequency noise, whose
    neighbouring samples are alike, does not look periodic; each frame is
    Hann-windowed and its autocorrelation divided by the window's own (Boersma,
    "Accurate short-term analysis of the fundamental frequency", IFA
    Proceedings 17, 1993).

    Measured (``benchmarks/bench_strings.py voicing``), 0.02 s or more of
    voiced frames: all 3,000 FSDD clips clean, 99.87 % with white noise at
    10 dB SNR, 95 % at 5 dB; 16.5 % of 200 noise bursts shaped like coughs and
    clicks (white and brown noise, 0.05-0.5 s, decaying). Tried and not kept:
    a normalised cross-correlation without window, with or without requiring
    the same period in neighbouring frames, lost more digits under noise for
    as many bursts.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        One waveform, float in [-1, 1].
    sr : int, default=8000
        Sampling rate of ``y``, in Hz.
    threshold : float, default=0.4
        Normalised autocorrelation, in (0, 1), a voiced frame reaches.
    floor_db : float, default=30.0
        Frames more than this many dB below the loudest frame are not counted.

    Returns
    -------
    seconds : float
        The number of voiced frames times the hop (0.010 s); 0.0 for silence.

    Raises
    ------
    ValueError
        If ``y`` is not one 1-D finite waveform or a parameter is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_audiodigit.datasets import load_fsdd_sample
    >>> X, y = load_fsdd_sample(return_X_y=True)
    >>> voiced_duration(X[0]) > 0.1
    True
    >>> noise = np.random.default_rng(0).normal(0, 0.1, 2000).astype(np.float32)
    >>> voiced_duration(noise) < 0.02
    True
    """
    y = _check_signal(y)
    sr = check_sr(sr)
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise AudioValueError(f"threshold must be a number in (0, 1), got {threshold!r}")
    if not 0 < threshold < 1:
        raise AudioValueError(f"threshold must be in (0, 1), got {threshold!r}")
    floor_db = _check_positive(floor_db, "floor_db")
    n = max(4, int(round(VOICING_FRAME_DURATION * sr)))
    hop = max(1, int(round(HOP_DURATION * sr)))
    lo = max(1, int(sr / PITCH_RANGE[1]))
    hi = min(n - 1, int(sr / PITCH_RANGE[0]))
    x = y.astype(np.float64)
    x = np.concatenate((x[:1], x[1:] - _PRE_EMPHASIS * x[:-1]))
    if len(x) < n:
        x = np.pad(x, (0, n - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    power = np.mean(frames * frames, axis=1)
    if power.max() <= _TINY:
        return 0.0
    window = np.hanning(n)
    n_fft = 2 * n  # no circular wrap-around up to lag n
    acf = np.fft.irfft(np.abs(np.fft.rfft(frames * window, n_fft)) ** 2, n_fft)[:, : hi + 1]
    bias = np.fft.irfft(np.abs(np.fft.rfft(window, n_fft)) ** 2, n_fft)[: hi + 1]
    acf = acf / np.maximum(acf[:, :1], _TINY) / (bias / bias[0])
    peak = acf[:, lo : hi + 1].max(axis=1)
    loud = power >= power.max() * 10.0 ** (-floor_db / 10.0)
    voiced = (peak >= threshold) & loud
    return float(np.count_nonzero(voiced) * hop / sr)

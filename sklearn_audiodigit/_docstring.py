"""Shared parameter descriptions, written once and filled into docstrings.

One mechanism for the whole package, imbalanced-learn's ``Substitution`` pattern:
a docstring holds ``%(name)s`` where a shared description goes, and
``%(default:param)s`` where the default of ``param`` goes, read from the
signature of the decorated function (or of the class's ``__init__``), so that a
default is written once, in the code::

    @Substitution(extra=_EXTRA_DOC)
    class MFCCExtractor(TransformerMixin, BaseEstimator):
        '''...
        Parameters
        ----------
        %(sr)s
        %(extra)s
        '''

A placeholder sits at the indentation of a parameter name (4 spaces in a class
or function docstring); lines written under it, indented like a description,
continue the shared description.
"""

import inspect
import re

__all__ = ["Substitution", "fill_doc"]

_SHARED = {
    "sr": """sr : int, default=%(default:sr)s
        Sampling rate of the waveforms, in Hz.""",
    "sr_load": """sr : int or None, default=%(default:sr)s
        Sampling rate of the returned waveforms, in Hz. Recordings at another rate
        are resampled with soxr (high quality); ``None`` keeps the native rate.""",
    "n_jobs": """n_jobs : int or None, default=%(default:n_jobs)s
        Number of jobs run in parallel with joblib. ``None`` means 1 unless in a
        ``joblib.parallel_config`` context, ``-1`` all cores.""",
    "random_state": "random_state : int, RandomState instance or None, "
    """default=%(default:random_state)s
        Seed or random generator (scikit-learn's ``random_state`` convention); an
        int makes the result reproducible across calls.""",
    "n_fft": """n_fft : int, default=%(default:n_fft)s
        FFT size in samples (32 ms at 8 kHz, the usual 20-40 ms speech analysis
        window). Clips shorter than ``n_fft`` are zero-padded, as librosa does
        with ``center=True``.""",
    "hop_length": """hop_length : int, default=%(default:hop_length)s
        Samples between successive frames (10 ms at 8 kHz, the standard speech
        frame rate since Davis & Mermelstein, 1980). Must be <= ``n_fft``.""",
    "n_mels": """n_mels : int, default=%(default:n_mels)s
        Number of mel bands (Slaney-style filters, librosa's default).""",
    "fmin": """fmin : float, default=%(default:fmin)s
        Lowest frequency of the mel filter bank, in Hz.""",
    "fmax": """fmax : float or None, default=%(default:fmax)s
        Highest frequency of the mel filter bank, in Hz; ``None`` means ``sr / 2``.""",
    "top_db": """top_db : float or None, default=%(default:top_db)s
        Floor of the dB scale, relative to each clip's own maximum (librosa's
        ``power_to_db(top_db=...)`` applied to every clip separately, so a clip's
        features never depend on the other clips in the batch). ``None`` disables
        the floor.""",
    "deltas": """deltas : {0, 1, 2}, default=%(default:deltas)s
        Append first (1) or first and second (2) order deltas of the
        coefficients, computed with ``librosa.feature.delta(width=delta_width,
        mode="nearest")``, which is defined for any number of frames.""",
    "delta_width": """delta_width : int, default=%(default:delta_width)s
        Odd window length, in frames, of the delta filter.""",
    "normalize": """normalize : {None, "mean", "meanvar"}, default=%(default:normalize)s
        Per-clip normalisation of the static coefficients over time before
        deltas and pooling: ``"mean"`` subtracts each coefficient's mean over the
        clip's frames (cepstral mean normalisation, which removes the channel and
        part of the speaker); ``"meanvar"`` also divides by the standard
        deviation (plus 1e-8).""",
    "output": """output : {"stats", "grid", "frames"}, default=%(default:output)s
        Shape of the result. ``"stats"``: summary statistics over time (see
        ``stats``), 2-D. ``"grid"``: the mean of the frames in each of
        ``n_segments`` equal parts of the clip, 2-D; the grid is relative to each
        clip's own length. ``"frames"``: every frame, 3-D
        ``(n_clips, n_coefficients, n_frames)``; needs equal-length clips (put
        :class:`~sklearn_audiodigit.preprocessing.PadTrim` first).""",
    "stats": """stats : tuple of str, default=%(default:stats)s
        Statistics over time used by ``output="stats"``, from ``"mean"``,
        ``"std"``, ``"min"``, ``"max"``.""",
    "n_segments": """n_segments : int, default=%(default:n_segments)s
        Number of time segments used by ``output="grid"``.""",
    "max_bytes": """max_bytes : int or None, default=None
        Most bytes the file's members may inflate to, together; None means
        :data:`~sklearn_audiodigit.persistence.MAX_BYTES` (1 GiB, several times the
        largest model this library trains). Each member's declared size, their
        total and their compression ratio are checked against the limits before
        anything is inflated, and reading stops past them, so a decompression bomb
        is refused at once (see :ref:`untrusted_files`). Raise it only for a
        legitimately larger model whose source you trust.""",
    "log_duration": """log_duration : bool, default=%(default:log_duration)s
        Append one column, ``log(n_samples / sr)``, the natural log of each clip's
        duration in seconds (named ``"log_duration"``), to the 2-D output. The
        ``"grid"`` output is relative to each clip's length and so loses how long
        the word lasts, which tells digits apart ("seven" is long, "eight" short;
        ``benchmarks/README.md`` has the measurement). Not allowed with
        ``output="frames"``.""",
    "compression": """compression : {"db", "power", "pcen"}, default=%(default:compression)s
        How the mel energies are compressed. ``"db"``: ``power_to_db`` with the
        ``top_db`` floor. ``"power"``: the power-law nonlinearity of PNCC (Kim and
        Stern, "Power-normalized cepstral coefficients (PNCC) for robust speech
        recognition", IEEE/ACM TASLP 24(7), 2016), ``100 * (S / S.max()) **
        (1 / 15)`` with ``S.max()`` each clip's own largest mel energy, so the
        values lie in [0, 100] and do not depend on the clip's level or on the
        batch; unlike the logarithm, it does not magnify the faint bands that
        noise fills, and ``top_db`` is unused. ``"pcen"``: per-channel energy normalisation (Wang et
        al., "Trainable frontend for robust and far-field keyword spotting",
        ICASSP 2017) with :func:`librosa.pcen`'s defaults (gain 0.98, bias 2,
        power 0.5, time constant 0.4 s) on the power scaled to the int32 range
        as librosa advises: each band is divided by its own smoothed recent
        energy, which removes a fixed channel gain and slow level changes;
        ``top_db`` is then unused. The smoother is causal and starts at each
        clip's first frame, so a clip's values do not depend on the batch.""",
}

_DEFAULT = re.compile(r"%\(default:(\w+)\)s")


def _format_default(value):
    """A default as numpydoc writes it: strings in double quotes, the rest as repr."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        items = ", ".join(_format_default(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    return repr(value)


def _signature_defaults(obj):
    func = obj.__init__ if inspect.isclass(obj) else obj
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return {}
    return {
        name: p.default for name, p in params.items() if p.default is not inspect.Parameter.empty
    }


class Substitution:
    """Decorator filling ``%(name)s`` and ``%(default:param)s`` in a docstring.

    Parameters
    ----------
    **descriptions : str
        Descriptions used by this decorator only, on top of the package's shared
        ones (``sr``, ``n_jobs``, ``random_state``, the spectral parameters, ...).

    Raises
    ------
    KeyError
        When the decorated object is defined, if its docstring asks for the
        default of a parameter its signature does not have.
    """

    def __init__(self, **descriptions):
        # This decorator's own descriptions first: they may hold shared placeholders.
        shared = {key: text for key, text in _SHARED.items() if key not in descriptions}
        self.descriptions = {**descriptions, **shared}

    def __call__(self, obj):
        doc = obj.__doc__
        if not doc:
            return obj
        for key, text in self.descriptions.items():
            doc = doc.replace(f"%({key})s", text)
        if _DEFAULT.search(doc):
            defaults = _signature_defaults(obj)

            def default(match):
                name = match.group(1)
                if name not in defaults:
                    raise KeyError(
                        f"the docstring of {obj.__qualname__} asks for the default of "
                        f"{name!r}, which its signature does not have"
                    )
                return _format_default(defaults[name])

            doc = _DEFAULT.sub(default, doc)
        obj.__doc__ = doc
        return obj


#: The shared descriptions alone: ``@fill_doc``.
fill_doc = Substitution()

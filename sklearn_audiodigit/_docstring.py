"""Shared parameter descriptions, written once and filled into docstrings."""

_SHARED = {
    "sr": """sr : int, default=8000
        Sampling rate of the waveforms, in Hz.""",
    "n_fft": """n_fft : int, default=256
        FFT size in samples (32 ms at 8 kHz, the usual 20-40 ms speech analysis
        window). Clips shorter than ``n_fft`` are zero-padded, as librosa does
        with ``center=True``.""",
    "hop_length": """hop_length : int, default=80
        Samples between successive frames (10 ms at 8 kHz, the standard speech
        frame rate since Davis & Mermelstein, 1980). Must be <= ``n_fft``.""",
    "n_mels": """n_mels : int, default=40
        Number of mel bands (Slaney-style filters, librosa's default).""",
    "fmin": """fmin : float, default=0.0
        Lowest frequency of the mel filter bank, in Hz.""",
    "fmax": """fmax : float or None, default=None
        Highest frequency of the mel filter bank, in Hz; ``None`` means ``sr / 2``.""",
    "top_db": """top_db : float or None, default=80.0
        Floor of the dB scale, relative to each clip's own maximum (librosa's
        ``power_to_db(top_db=...)`` applied to every clip separately, so a clip's
        features never depend on the other clips in the batch). ``None`` disables
        the floor.""",
    "deltas": """deltas : {0, 1, 2}, default=0
        Append first (1) or first and second (2) order deltas of the
        coefficients, computed with ``librosa.feature.delta(width=delta_width,
        mode="nearest")``, which is defined for any number of frames.""",
    "delta_width": """delta_width : int, default=9
        Odd window length, in frames, of the delta filter.""",
    "normalize": """normalize : {None, "mean", "meanvar"}, default=None
        Per-clip normalisation of the static coefficients over time before
        deltas and pooling: ``"mean"`` subtracts each coefficient's mean over the
        clip's frames (cepstral mean normalisation, which removes the channel and
        part of the speaker); ``"meanvar"`` also divides by the standard
        deviation (plus 1e-8).""",
    "output": """output : {"stats", "grid", "frames"}, default="stats"
        Shape of the result. ``"stats"``: summary statistics over time (see
        ``stats``), 2-D. ``"grid"``: the mean of the frames in each of
        ``n_segments`` equal parts of the clip, 2-D; the grid is relative to each
        clip's own length. ``"frames"``: every frame, 3-D
        ``(n_clips, n_coefficients, n_frames)``; needs equal-length clips (put
        :class:`~sklearn_audiodigit.preprocessing.PadTrim` first).""",
    "stats": """stats : tuple of str, default=("mean", "std")
        Statistics over time used by ``output="stats"``, from ``"mean"``,
        ``"std"``, ``"min"``, ``"max"``.""",
    "n_segments": """n_segments : int, default=8
        Number of time segments used by ``output="grid"``.""",
    "n_jobs": """n_jobs : int or None, default=None
        Threads that process chunks of clips in parallel (joblib threading
        backend; NumPy's FFT and BLAS release the GIL). ``None`` means 1, ``-1``
        all cores.""",
    "max_bytes": """max_bytes : int or None, default=None
        Most bytes the file's members may inflate to, together; None means
        :data:`~sklearn_audiodigit.persistence.MAX_BYTES` (1 GiB, several times the
        largest model this library trains). Each member's declared size, their
        total and their compression ratio are checked against the limits before
        anything is inflated, and reading stops past them, so a decompression bomb
        is refused at once (see :ref:`untrusted_files`). Raise it only for a
        legitimately larger model whose source you trust.""",
}


def fill_doc(obj):
    """Replace ``%(name)s`` placeholders in ``obj.__doc__`` by the shared descriptions."""
    if obj.__doc__:
        doc = obj.__doc__
        for key, text in _SHARED.items():
            doc = doc.replace(f"%({key})s", text)
        obj.__doc__ = doc
    return obj

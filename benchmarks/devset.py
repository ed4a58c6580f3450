"""Read the development benchmark built by ``benchmarks/build_devset.py``.

::

    from devset import load_devset   # with benchmarks/ on sys.path
    bench = load_devset("/path/to/devset")
    bench.data, bench.target, bench.speaker, bench.condition, bench.sr
"""

import re
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from sklearn_audiodigit.io import read_audio

PARTS = ("channels", "tts")
# FSDD's naming, with voice names such as "espeak-us-f1" as speakers
_NAME = re.compile(r"(?P<digit>[0-9])_(?P<speaker>[a-z0-9.+-]+)_(?P<take>[0-9]+)\.wav")


def load_devset(root, *, parts=PARTS, sr=8000):
    """Load the benchmark's clips with their digit, speaker and condition.

    Parameters
    ----------
    root : str or os.PathLike
        The folder given to ``build_devset.py --out``; it must hold ``READY``.
    parts : tuple of {"channels", "tts"}, default=("channels", "tts")
        Which parts to read.
    sr : int, default=8000
        Rate of the returned waveforms, in Hz (the files are at 8 kHz).

    Returns
    -------
    bench : Bunch
        ``data`` (ndarray of shape (n_clips,), dtype object, of 1-D float32
        waveforms at ``sr``), ``target`` (ndarray of int, the digit),
        ``speaker`` (FSDD speaker for the channel part, voice name such as
        ``"flite-slt"`` for the TTS part), ``condition`` (the channel, e.g.
        ``"babble-10dB"``, or ``"tts"``), ``part`` (``"channels"`` or
        ``"tts"``), ``filenames`` and ``sr``.

    Raises
    ------
    FileNotFoundError
        If ``root`` holds no finished build (no ``READY`` file).
    ValueError
        If ``parts`` names an unknown part.
    """
    root = Path(root)
    if not (root / "READY").is_file():
        raise FileNotFoundError(
            f"{root} holds no finished benchmark (no READY file); build it with "
            f"python benchmarks/build_devset.py --out {root}"
        )
    bad = set(parts) - set(PARTS)
    if bad:
        raise ValueError(f"parts must be a subset of {PARTS}, got {parts!r}")
    data, target, speaker, condition, part, names = [], [], [], [], [], []
    for p in parts:
        for path in sorted((root / p).glob("*/*.wav")):
            match = _NAME.fullmatch(path.name)
            if match is None:
                raise ValueError(f"{path}: not a benchmark file name (digit_speaker_take.wav)")
            digit, spk = match["digit"], match["speaker"]
            x, _ = read_audio(path, sr=sr)
            data.append(x)
            target.append(int(digit))
            speaker.append(spk)
            condition.append(path.parent.name if p == "channels" else "tts")
            part.append(p)
            names.append(str(path))
    clips = np.empty(len(data), dtype=object)
    clips[:] = data
    return Bunch(
        data=clips,
        target=np.array(target),
        speaker=np.array(speaker),
        condition=np.array(condition),
        part=np.array(part),
        filenames=np.array(names),
        sr=sr,
    )

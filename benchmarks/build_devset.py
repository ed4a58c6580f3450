"""Build the development benchmark of unseen voices and channels, offline.

Run from the repository root (FSDD must be in ``$AUDIODIGIT_DATA/fsdd/recordings``
or ``--data-home``; the TTS part needs Debian's ``espeak-ng``, ``flite`` and
``festival`` with its ``festvox-kallpc16k``, ``festvox-kdlpc16k`` and
``festvox-us-slt-hts`` voices; room simulation needs the ``augment`` extra)::

    apt-get install -y espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k \\
        festvox-us-slt-hts
    python benchmarks/build_devset.py --out /path/to/devset

It writes 8 kHz 16-bit WAV files named like FSDD's (``{digit}_{speaker}_{take}.wav``)
and a ``READY`` file last:

``channels/<condition>/``
    Every 5th take of every FSDD speaker and digit (takes 0, 5, ..., 45: 600
    clips) passed through one channel each; ``clean`` is the same clips as they
    are. A model is scored on a speaker's channel versions after training on the
    other five speakers, clean (leave one speaker out), so the voice and the
    channel are both unseen. Conditions: rooms with RT60 0.3 and 0.7 s (8 rooms
    each, pyroomacoustics), white noise, babble of four other FSDD speakers (from
    takes not in the benchmark) and 50 Hz mains hum at 5, 10 and 20 dB SNR, the
    telephone band 300-3,400 Hz, the telephone band plus white noise at 10 dB, a
    random microphone equaliser of +-10 dB per clip, clipping at 25 % of the
    peak, and the clip upsampled to 16 and to 48 kHz and back (polyphase filter).
``tts/<voice>/``
    Synthetic speakers: espeak-ng voices and variants (female, male and
    child-like, several pitches), flite's voices and festival's voices; every
    digit in several takes that vary the speaking rate and the pitch; leading
    and trailing silence trimmed (30 dB below the peak, 30 ms kept). Models
    are trained on all of FSDD for them.

Every random draw is seeded, so two builds with the same tools are identical.
Take about 3 minutes on one core.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from sklearn_audiodigit.augmentation import (
    add_noise,
    band_limit,
    convolve_rir,
    hard_clip,
    random_eq,
    resample_through,
    room_impulse_response,
)
from sklearn_audiodigit.datasets import fetch_fsdd
from sklearn_audiodigit.io import read_audio

SR = 8000
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
BENCH_TAKES = range(0, 50, 5)

# espeak-ng: (voice name, "-v" voice+variant, base pitch 0-99)
ESPEAK = [
    ("espeak-us-m1", "en-us+m1", 45),
    ("espeak-us-m3", "en-us+m3", 35),
    ("espeak-gb-m2", "en-gb+m2", 50),
    ("espeak-scot-m4", "en-gb-scotland+m4", 40),
    ("espeak-us-f1", "en-us+f1", 60),
    ("espeak-gb-f2", "en-gb+f2", 65),
    ("espeak-rp-f3", "en-gb-x-rp+f3", 55),
    ("espeak-carib-f4", "en-029+f4", 70),
    ("espeak-nyc-f5", "en-us-nyc+f5", 60),
    ("espeak-child-f5", "en-us+f5", 92),
    ("espeak-child-klatt", "en-us+klatt4", 95),
]
# takes: (speaking rate in words a minute, pitch offset)
ESPEAK_TAKES = [(140, -8), (170, 0), (200, 8), (155, 4)]
# flite: (voice name, "-voice") ; takes vary duration_stretch and f0
FLITE = [
    ("flite-kal", "kal"),
    ("flite-kal16", "kal16"),
    ("flite-awb", "awb"),
    ("flite-rms", "rms"),
    ("flite-slt", "slt"),
]
FLITE_TAKES = [(0.85, 0.9), (1.0, 1.0), (1.2, 1.1), (1.1, 0.95)]
# festival: (voice name, scheme voice function)
FESTIVAL = [
    ("festival-kal", "voice_kal_diphone"),
    ("festival-ked", "voice_ked_diphone"),
    ("festival-slt-hts", "voice_cmu_us_slt_arctic_hts"),
]
FESTIVAL_TAKES = [0.85, 1.0, 1.2, 1.1]


def _write(path, x):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.clip(np.asarray(x, dtype=np.float32), -1.0, 1.0), SR, subtype="PCM_16")


def _trim(x):
    import librosa

    _, (start, end) = librosa.effects.trim(x, top_db=30)
    pad = int(0.03 * SR)
    return x[max(0, start - pad) : end + pad]


def _synth(cmd, tmp):
    """Run a TTS command writing ``tmp``; return the clip at 8 kHz, trimmed, or None."""
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        x, _ = read_audio(tmp, sr=SR)
    except (OSError, subprocess.SubprocessError, ValueError) as err:
        print(f"  skipped {' '.join(map(str, cmd[:4]))}: {err}", file=sys.stderr)
        return None
    return _trim(x) if x.size and np.abs(x).max() > 0 else None


def build_tts(out):
    """Synthesise every digit with every available voice; return {voice: n_clips}."""
    counts = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir) / "tts.wav"
        jobs = []
        if shutil.which("espeak-ng"):
            for name, voice, pitch in ESPEAK:
                for take, (rate, dp) in enumerate(ESPEAK_TAKES):
                    p = str(int(np.clip(pitch + dp, 0, 99)))
                    jobs.append(
                        (
                            name,
                            take,
                            lambda w, v=voice, r=rate, p=p: [
                                "espeak-ng",
                                "-v",
                                v,
                                "-s",
                                str(r),
                                "-p",
                                p,
                                "-w",
                                str(tmp),
                                w,
                            ],
                        )
                    )
        if shutil.which("flite"):
            for name, voice in FLITE:
                for take, (stretch, f0) in enumerate(FLITE_TAKES):
                    jobs.append(
                        (
                            name,
                            take,
                            lambda w, v=voice, s=stretch, f=f0: [
                                "flite",
                                "-voice",
                                v,
                                "-t",
                                w,
                                "-o",
                                str(tmp),
                                "--setf",
                                f"duration_stretch={s}",
                                "--setf",
                                f"int_f0_target_mean={int(f * (100 if 'slt' not in v else 170))}",
                            ],
                        )
                    )
        if shutil.which("text2wave"):
            for name, func in FESTIVAL:
                for take, stretch in enumerate(FESTIVAL_TAKES):
                    jobs.append(
                        (
                            name,
                            take,
                            lambda w, fn=func, s=stretch: [
                                "sh",
                                "-c",
                                f"echo {w} | text2wave -eval '({fn})' -eval "
                                f'"(Parameter.set \'Duration_Stretch {s})" -o {tmp}',
                            ],
                        )
                    )
        else:
            print("festival (text2wave) not found: no festival voices", file=sys.stderr)
        for name, take, make in jobs:
            for digit, word in enumerate(WORDS):
                x = _synth(make(word), tmp)
                if x is None:
                    continue
                _write(out / "tts" / name / f"{digit}_{name}_{take}.wav", x)
                counts[name] = counts.get(name, 0) + 1
    return counts


def _conditions(bank_rng):
    """name -> function(clips, speaker_index, babble_clips) giving the channel versions."""
    rooms = {}
    for rt60 in (0.3, 0.7):
        rooms[rt60] = [room_impulse_response(rt60, sr=SR, random_state=bank_rng) for _ in range(8)]

    def reverb(rt60):
        def f(X, s, babble):
            tail = round(rt60 * SR / 2)
            return [convolve_rir([x], rooms[rt60][i % 8], tail=tail)[0] for i, x in enumerate(X)]

        return f

    def noise(kind, snr):
        def f(X, s, babble):
            return add_noise(
                X,
                snr,
                kind=kind,
                sr=SR,
                noise=babble if kind == "babble" else None,
                random_state=1000 * s + snr,
            )

        return f

    conds = {"clean": lambda X, s, babble: X}
    conds["reverb-rt0.3"] = reverb(0.3)
    conds["reverb-rt0.7"] = reverb(0.7)
    for kind in ("white", "babble", "hum"):
        for snr in (20, 10, 5):
            conds[f"{kind}-{snr}dB"] = noise(kind, snr)
    conds["telephone"] = lambda X, s, babble: band_limit(X, sr=SR)
    conds["telephone+white-10dB"] = lambda X, s, babble: add_noise(
        band_limit(X, sr=SR), 10, sr=SR, random_state=500 + s
    )
    conds["mic-eq"] = lambda X, s, babble: random_eq(
        X, sr=SR, max_gain_db=10.0, random_state=700 + s
    )
    conds["clipping"] = lambda X, s, babble: hard_clip(X, 0.25)
    for through in (16000, 48000):
        conds[f"resampled-{through // 1000}k"] = lambda X, s, babble, t=through: resample_through(
            X, t, sr=SR, res_type="polyphase"
        )
    return conds


def build_channels(out, fsdd):
    speakers = sorted(set(fsdd.speaker))
    take = np.array([int(Path(f).stem.rsplit("_", 1)[1]) for f in fsdd.filenames])
    in_bench = np.isin(take, list(BENCH_TAKES))
    conds = _conditions(np.random.RandomState(0))
    counts = {}
    for s, spk in enumerate(speakers):
        idx = np.flatnonzero((fsdd.speaker == spk) & in_bench)
        others = np.flatnonzero((fsdd.speaker != spk) & ~in_bench)
        babble = [fsdd.data[i] for i in others]
        clips = [fsdd.data[i] for i in idx]
        for name, func in conds.items():
            versions = func(clips, s, babble)
            for i, x in zip(idx, versions, strict=True):
                _write(out / "channels" / name / Path(fsdd.filenames[i]).name, x)
            counts[name] = counts.get(name, 0) + len(idx)
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="folder to build into")
    parser.add_argument("--data-home", default=None, help="folder holding fsdd/recordings")
    parser.add_argument("--skip-tts", action="store_true", help="only the channel part")
    args = parser.parse_args(argv)
    out = args.out
    (out / "READY").unlink(missing_ok=True)
    for part in ("channels", "tts"):
        shutil.rmtree(out / part, ignore_errors=True)
    t0 = time.perf_counter()
    fsdd = fetch_fsdd(data_home=args.data_home, download_if_missing=False)
    channels = build_channels(out, fsdd)
    print(
        f"channels: {len(channels)} conditions, {sum(channels.values())} clips "
        f"({time.perf_counter() - t0:.0f} s)"
    )
    tts = {} if args.skip_tts else build_tts(out)
    print(
        f"tts: {len(tts)} voices, {sum(tts.values())} clips: "
        + ", ".join(f"{k} {v}" for k, v in sorted(tts.items()))
    )
    (out / "READY").write_text(
        f"built by benchmarks/build_devset.py in {time.perf_counter() - t0:.0f} s\n"
        f"channels: {sum(channels.values())} clips in {len(channels)} conditions\n"
        f"tts: {sum(tts.values())} clips of {len(tts)} voices\n"
    )
    print(f"done: {out} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())

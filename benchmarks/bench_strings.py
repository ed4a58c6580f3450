"""Digit strings: digit error rate, string accuracy and speed of ``audiodigit transcribe``.

Run from the repository root::

    python benchmarks/bench_strings.py fsdd [--n-strings 60] [--min-pause 0.12] [--rt60 0.2 0.6]
    python benchmarks/bench_strings.py tts [--model svc]
    python benchmarks/bench_strings.py speed
    python benchmarks/bench_strings.py confidence [--speakers george] [--model svc]
    python benchmarks/bench_strings.py voicing
    python benchmarks/bench_strings.py nospeech

Parts:

``fsdd``
    Strings built reproducibly (seed 0) from FSDD, leave one speaker out: for
    each of the 6 speakers, the model (``--model``; by default the command
    line's default, ``make_model("embed-svc")`` where the ``[embedding]`` extra
    and its model files are installed, else ``"svc"``) is trained
    on the other five speakers' 2,500 clips, and ``--n-strings`` strings of 3-10
    digits are built from the held-out speaker's clips: each clip brought to a
    speech power of -20 dBFS (FSDD's sessions differ by up to 30 dB; one
    recording has one level), then a random gain of -6 to +6 dB (loudness
    changes), joined with pauses drawn uniformly
    from ``--min-pause`` to 0.8 s, 0.2-0.6 s of silence before and after, and
    white noise at a signal-to-noise ratio drawn uniformly from 10 to 30 dB (the
    speech power measured over the clips' samples within 30 dB of each clip's
    peak). With ``--rt60 LO HI``, every string is played in one room drawn by
    :func:`~sklearn_audiodigit.augmentation.room_impulse_response`
    (pyroomacoustics, the ``[augment]`` extra) with a reverberation time drawn
    uniformly from LO to HI seconds, the response scaled to unit energy (so the
    speech power, and the noise's level against it, stay as without the room),
    before the noise is added (the noise is at the microphone); the rooms are
    drawn apart from the strings, which stay those built without. Printed per
    speaker: the model's accuracy on the speaker's isolated clips (the ceiling
    a string cannot beat), the digit error rate and string accuracy of
    :class:`DigitStringTranscriber`, and the number of strings whose count of
    digits is wrong.
``tts``
    Fluent strings spoken by Debian's text-to-speech voices (``apt-get install
    espeak-ng flite``): "four one five five five zero one nine nine" as one
    sentence, so the words run into each other (coarticulation); espeak-ng
    voices en-us, en, en-gb-scotland, en-us+f3 and en+m3 at 160 words a minute,
    flite voices kal, slt, rms and awb. The model is trained on all 3,000 FSDD
    clips: for a bundled model (``svc``, ``embed-svc``), the bundled file
    (:func:`~sklearn_audiodigit.pretrained.load_pretrained`, what ``audiodigit
    transcribe`` uses without a model file); else (a network) trained here.
``speed``
    Real-time factor on one core: seconds to transcribe a 10 s recording (a
    string of 14 digits built as in ``fsdd``), the model loaded, divided by 10;
    wall-clock and the process's CPU time (the closer estimate on a shared
    machine).
``vad``
    The voice activity detector compared with two well-kept ones on the FSDD
    strings with noise (``--n-strings`` per speaker, the same fold models):
    Silero VAD v5 (``silero_vad.onnx`` from the ``silero-vad`` 5.1.2 wheel, MIT,
    run with onnxruntime on 32 ms chunks at 8 kHz with its 4 ms context,
    speech above 0.5, ending below 0.35) and WebRTC VAD (``webrtcvad-wheels``,
    mode 2, 30 ms frames); both followed by the same joining of pauses shorter
    than 0.1 s and dropping of words shorter than 0.08 s. Printed: strings with
    the right number of words, digit error rate, and seconds per minute of
    audio. ``--silero-model PATH`` names the ONNX file.
``confidence``
    What ``reject_threshold`` can do with the model: for each ``--speakers``
    fold (default george), the fold model's top probability on the held-out
    speaker's 500 isolated clips and on 100 noise bursts shaped like coughs and
    clicks (white or brown noise, 0.05-0.5 s, decaying exponentially, at the
    clips' median level; seed 0). Printed: the medians for clips read right,
    read wrong and bursts; the AUC of the top probability for digit against
    burst and right against wrong; and, per threshold, the share of each that
    a transcriber with that ``reject_threshold`` drops.
``voicing``
    :func:`~sklearn_audiodigit.segmentation.voiced_duration`, the check behind
    ``DigitStringTranscriber(min_voiced=0.02)``: the share of the 3,000 FSDD
    clips, clean and with white noise at 10 and 5 dB SNR (seed 1), and of 200
    noise bursts (as in ``confidence``, at -26 dBFS RMS) with at least
    ``min_voiced`` seconds of voiced frames, for several thresholds.
``nospeech``
    :func:`~sklearn_audiodigit.segmentation.detect_speech` over the 3,000 FSDD
    clips (how many real digits would be reported as "no speech") and over
    silence, near-silence and noise.

Trained fold models are cached in ``--cache`` (default ``~/.cache/audiodigit_bench``)
so that the parts can be rerun with other segmentation settings.
"""

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np

from sklearn_audiodigit.datasets import fetch_fsdd
from sklearn_audiodigit.evaluation import digit_error_rate, edit_distance, string_accuracy
from sklearn_audiodigit.pipelines import make_model
from sklearn_audiodigit.pretrained import PRETRAINED_MODELS, load_pretrained
from sklearn_audiodigit.segmentation import detect_speech, segment_words
from sklearn_audiodigit.transcription import DigitStringTranscriber

SR = 8000
WORDS = "zero one two three four five six seven eight nine".split()
ESPEAK_VOICES = ("en-us", "en", "en-gb-scotland", "en-us+f3", "en+m3")
FLITE_VOICES = ("kal", "slt", "rms", "awb")


def _speech_power(clip):
    import librosa

    trimmed, _ = librosa.effects.trim(clip, top_db=30, frame_length=256, hop_length=64)
    return float(np.mean(trimmed.astype(np.float64) ** 2))


def build_string(
    clips, rng, *, min_pause=0.12, max_pause=0.8, snr=(10.0, 30.0), rt60=None, room_rng=None
):
    """Join clips into one recording: gains, pauses, lead-in/tail silence, room, white noise.

    The room is drawn from ``room_rng`` (default: ``rng``), so that with a generator
    of its own the strings are those built without a room.
    """
    parts = [np.zeros(int(rng.uniform(0.2, 0.6) * SR), np.float32)]
    powers = []
    for k, clip in enumerate(clips):
        # FSDD's recording levels differ by 30 dB between sessions; one recording
        # has one level: every clip is brought to a speech power of -20 dBFS,
        # then changed by -6 to +6 dB
        power = _speech_power(clip)
        gain = 10 ** (rng.uniform(-6, 6) / 20) * np.sqrt(0.01 / power)
        parts.append((clip * gain).astype(np.float32))
        powers.append(power * gain**2)
        if k + 1 < len(clips):
            parts.append(np.zeros(int(rng.uniform(min_pause, max_pause) * SR), np.float32))
    parts.append(np.zeros(int(rng.uniform(0.2, 0.6) * SR), np.float32))
    y = np.concatenate(parts)
    if rt60 is not None:
        from scipy.signal import fftconvolve

        from sklearn_audiodigit.augmentation import room_impulse_response

        room_rng = rng if room_rng is None else room_rng
        rir = room_impulse_response(
            room_rng.uniform(*rt60), sr=SR, random_state=int(room_rng.integers(2**31 - 1))
        ).astype(np.float64)
        # unit energy: a steady signal keeps its power, so the SNR below still holds
        y = fftconvolve(y, rir / np.sqrt(np.sum(rir**2)))[: len(y)].astype(np.float32)
    snr_db = rng.uniform(*snr)
    noise = rng.standard_normal(len(y)) * np.sqrt(np.mean(powers) / 10 ** (snr_db / 10))
    y = y + noise.astype(np.float32)
    peak = np.abs(y).max()
    return (y / peak * 0.9 if peak > 1 else y).astype(np.float32)


def _default_model_name():
    """The command line's default model (``embed-svc`` where installed, else ``svc``)."""
    from sklearn_audiodigit.cli import _default_model

    return _default_model()


@contextlib.contextmanager
def _embed_each_clip_once():
    """Memoise the speech embedding of each clip while a fold model is fitted.

    ``embed-svc``'s fit refits its pipeline on three calibration folds of the same
    clips; the embedding of a clip is a deterministic function of the clip, so it
    is computed once (the fitted model is the one ``make_model`` builds, only
    sooner: about 10,000 embeddings a fold instead of 17,500).
    """
    from sklearn_audiodigit.embeddings import SpeechEmbeddingExtractor

    original = SpeechEmbeddingExtractor._embed
    memo = {}

    def _embed(self, X):
        keys = [hashlib.blake2b(np.asarray(x).tobytes(), digest_size=16).digest() for x in X]
        todo = [i for i, k in enumerate(keys) if k not in memo]
        for i, frames in zip(todo, original(self, [X[i] for i in todo]), strict=True):
            memo[keys[i]] = frames
        return [memo[k] for k in keys]

    SpeechEmbeddingExtractor._embed = _embed
    try:
        yield
    finally:
        SpeechEmbeddingExtractor._embed = original


def _fold_model(bunch, speaker, cache, model_name):
    if speaker == "none" and model_name in PRETRAINED_MODELS:
        # trained on all of FSDD: the bundled model that `audiodigit transcribe` uses
        return load_pretrained(model_name)
    path = Path(cache) / f"strings_{model_name}_without_{speaker}.joblib"
    if path.exists():
        return joblib.load(path)
    train = np.flatnonzero(np.asarray(bunch.speaker) != speaker)
    X = np.empty(len(train), dtype=object)
    X[:] = [bunch.data[i] for i in train]
    model = make_model(model_name, sr=SR, random_state=0)
    with _embed_each_clip_once():
        model.fit(X, np.asarray(bunch.target)[train])
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return model


def _transcriber(model, args):
    params = {} if args.split_db is None else {"split_db": args.split_db}
    for item in args.segment_param:
        name, _, value = item.partition("=")
        params[name] = None if value.lower() == "none" else float(value)
    return DigitStringTranscriber(
        model,
        sr=SR,
        reject_threshold=args.reject_threshold,
        min_voiced=args.min_voiced,
        split_fluent=args.split_fluent,
        segmentation=args.segmentation,
        segment_params=params,
    )


def _read(tr, args, ref, y=None, path=None):
    """The transcriber's digits for one string (told its length with ``--known-count``)."""
    tr.n_digits = len(ref) if args.known_count else None
    return (tr.transcribe(y) if path is None else tr.transcribe_file(path)).digits


def _print_header(args):
    print(f"python benchmarks/bench_strings.py {args.part} ...  ({platform.processor() or '?'})")
    print(
        f"model: {args.model}; segmentation={args.segmentation}, split_db={args.split_db}, "
        f"split_fluent={args.split_fluent}, known count={args.known_count}, "
        f"reject_threshold={args.reject_threshold}, min_voiced={args.min_voiced}, "
        f"segment params {args.segment_param or 'defaults'}"
    )


def _clip_accuracy(model, bunch, speaker, idx, args):
    """The fold model's accuracy on the held-out speaker's isolated clips (cached)."""
    path = Path(args.cache) / f"clipacc_{args.model}_without_{speaker}.json"
    if path.exists():
        return json.loads(path.read_text())["accuracy"]
    X = np.empty(len(idx), dtype=object)
    X[:] = [bunch.data[i] for i in idx]
    acc = float(np.mean(model.predict(X) == np.asarray(bunch.target)[idx]))
    path.write_text(json.dumps({"accuracy": acc}))
    return acc


def part_fsdd(args, bunch):
    rng = np.random.default_rng(0)
    speakers = sorted(set(bunch.speaker))
    targets = np.asarray(bunch.target)
    refs_all, hyps_all, secs, dur = [], [], 0.0, 0.0
    room = "no room" if args.rt60 is None else f"rooms RT60 {args.rt60[0]:g}-{args.rt60[1]:g} s"
    print(
        f"strings from FSDD, leave one speaker out, {args.n_strings} strings per speaker, "
        f"pauses {args.min_pause}-0.8 s, white noise {args.snr[0]:g}-{args.snr[1]:g} dB SNR, "
        f"gain +-6 dB, {room}"
    )
    print(
        f"{'speaker':<10}{'clip acc':>9}{'DER':>8}{'string acc':>12}{'wrong count':>13}"
        f"{'errors':>8}{'digits':>8}"
    )
    for n, speaker in enumerate(speakers):
        run = args.speakers is None or speaker in args.speakers
        if run:
            model = _fold_model(bunch, speaker, args.cache, args.model)
            tr = _transcriber(model, args)
        idx = np.flatnonzero(np.asarray(bunch.speaker) == speaker)
        refs, hyps, wrong_n = [], [], 0
        for k in range(args.n_strings):
            # the strings of a speaker left out (--speakers) are drawn all the same,
            # so that every speaker's strings are the same in every run; the rooms
            # have generators of their own, so they leave the strings unchanged
            pick = rng.choice(idx, size=int(rng.integers(3, 11)), replace=False)
            y = build_string(
                [bunch.data[i] for i in pick],
                rng,
                min_pause=args.min_pause,
                snr=args.snr,
                rt60=args.rt60,
                room_rng=np.random.default_rng([n, k]),
            )
            if not run:
                continue
            ref = "".join(str(targets[i]) for i in pick)
            t0 = time.perf_counter()
            hyp = _read(tr, args, ref, y)
            secs += time.perf_counter() - t0
            dur += len(y) / SR
            refs.append(ref)
            hyps.append(hyp)
            wrong_n += len(hyp) != len(ref)
        if not run:
            continue
        clip_acc = _clip_accuracy(model, bunch, speaker, idx, args)
        refs_all += refs
        hyps_all += hyps
        errors = sum(edit_distance(r, h) for r, h in zip(refs, hyps, strict=True))
        print(
            f"{speaker:<10}{clip_acc:>9.3f}{digit_error_rate(refs, hyps):>8.3f}"
            f"{string_accuracy(refs, hyps):>12.3f}{wrong_n:>13d}{errors:>8d}"
            f"{sum(map(len, refs)):>8d}",
            flush=True,
        )
    print(
        f"{'all':<10}{'':>9}{digit_error_rate(refs_all, hyps_all):>8.3f}"
        f"{string_accuracy(refs_all, hyps_all):>12.3f}"
    )
    print(
        f"{len(refs_all)} strings, {sum(map(len, refs_all))} digits, {dur:.0f} s of audio "
        f"transcribed in {secs:.1f} s (real-time factor {secs / dur:.4f})"
    )


def _tts(text, engine, voice, path):
    if engine == "espeak-ng":
        cmd = ["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text]
    else:
        cmd = ["flite", "-voice", voice, "-t", text, "-o", str(path)]
    subprocess.run(cmd, check=True, capture_output=True)


def part_tts(args, bunch):
    missing = [e for e in ("espeak-ng", "flite") if shutil.which(e) is None]
    if missing:
        raise SystemExit(f"needs {', '.join(missing)}: apt-get install -y espeak-ng flite")
    model = _fold_model(bunch, "none", args.cache, args.model)
    tr = _transcriber(model, args)
    rng = np.random.default_rng(0)
    voices = [("espeak-ng", v) for v in ESPEAK_VOICES] + [("flite", v) for v in FLITE_VOICES]
    print(f"fluent TTS strings, {args.n_strings} per voice, model {args.model} trained on all FSDD")
    print(f"{'voice':<26}{'DER':>8}{'string acc':>12}{'wrong count':>13}")
    refs_all, hyps_all = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for engine, voice in voices:
            refs, hyps = [], []
            for k in range(args.n_strings):
                ref = "".join(str(d) for d in rng.integers(0, 10, size=int(rng.integers(3, 11))))
                path = Path(tmp) / f"{voice}_{k}.wav"
                _tts(" ".join(WORDS[int(d)] for d in ref), engine, voice, path)
                hyps.append(_read(tr, args, ref, path=path))
                refs.append(ref)
            refs_all += refs
            hyps_all += hyps
            wrong = sum(len(h) != len(r) for r, h in zip(refs, hyps, strict=True))
            print(
                f"{engine + ' ' + voice:<26}{digit_error_rate(refs, hyps):>8.3f}"
                f"{string_accuracy(refs, hyps):>12.3f}{wrong:>13d}"
            )
            if args.verbose:
                for r, h in zip(refs, hyps, strict=True):
                    print(f"    {r:>10} {h:>10}")
    print(
        f"{'all':<26}{digit_error_rate(refs_all, hyps_all):>8.3f}"
        f"{string_accuracy(refs_all, hyps_all):>12.3f}"
    )


def part_speed(args, bunch):
    model = _fold_model(bunch, bunch.speaker[0], args.cache, args.model)
    rng = np.random.default_rng(1)
    idx = np.flatnonzero(np.asarray(bunch.speaker) == bunch.speaker[0])
    clips = [bunch.data[i] for i in rng.choice(idx, size=14, replace=False)]
    y = build_string(clips, rng, min_pause=0.3)[: 10 * SR]
    tr = _transcriber(model, args)
    tr.transcribe(y)  # warm-up
    times, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        tr.transcribe(y)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)

    t0 = time.perf_counter()
    segment_words(y, sr=SR)
    seg = time.perf_counter() - t0
    duration = len(y) / SR
    print(
        f"{duration:.1f} s recording: transcribe best {min(times):.3f} s, median "
        f"{np.median(times):.3f} s wall (real-time factor {np.median(times) / duration:.4f}); "
        f"CPU time median {np.median(cpu):.3f} s (real-time factor "
        f"{np.median(cpu) / duration:.4f}); segmentation alone {seg * 1000:.1f} ms"
    )


def _spans_from_mask(mask, hop):
    """Runs of speech frames as (start, end) seconds: joined < 0.1 s, dropped < 0.08 s."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8))).reshape(-1, 2) * hop
    spans = []
    for start, end in edges:
        if spans and start - spans[-1][1] < 0.1:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return np.asarray([s for s in spans if s[1] - s[0] >= 0.08]).reshape(-1, 2)


class SileroSegmenter:
    """Silero VAD v5 through onnxruntime, 8 kHz: 256-sample chunks with 32 of context."""

    def __init__(self, path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, y, sr):
        assert sr == 8000
        state = np.zeros((2, 1, 128), np.float32)
        context = np.zeros(32, np.float32)
        speaking, mask = False, []
        for k in range(len(y) // 256):
            chunk = y[k * 256 : (k + 1) * 256].astype(np.float32)
            x = np.concatenate([context, chunk])[None, :]
            prob, state = self.session.run(
                None, {"input": x, "state": state, "sr": np.array(8000, np.int64)}
            )
            context = chunk[-32:]
            p = float(prob[0, 0])
            speaking = p >= 0.5 or (speaking and p >= 0.35)
            mask.append(speaking)
        return _spans_from_mask(np.array(mask, bool), 256 / sr)


def webrtc_segmenter(y, sr, mode=2):
    import webrtcvad

    vad = webrtcvad.Vad(mode)
    n = int(0.03 * sr)
    pcm = (np.clip(y, -1, 1) * 32767).astype("<i2")
    mask = [vad.is_speech(pcm[k * n : (k + 1) * n].tobytes(), sr) for k in range(len(y) // n)]
    return _spans_from_mask(np.array(mask, bool), n / sr)


def part_vad(args, bunch):
    rng = np.random.default_rng(0)
    targets = np.asarray(bunch.target)
    vads = {
        "energy (ours)": None,
        "silero v5": SileroSegmenter(args.silero_model),
        "webrtc mode 2": webrtc_segmenter,
    }
    scores = {name: ([], [], 0.0) for name in vads}
    dur = 0.0
    for speaker in sorted(set(bunch.speaker)):
        model = _fold_model(bunch, speaker, args.cache, args.model)
        idx = np.flatnonzero(np.asarray(bunch.speaker) == speaker)
        for _ in range(args.n_strings):
            pick = rng.choice(idx, size=int(rng.integers(3, 11)), replace=False)
            y = build_string([bunch.data[i] for i in pick], rng, snr=args.snr)
            ref = "".join(str(targets[i]) for i in pick)
            dur += len(y) / SR
            for name, seg in vads.items():
                tr = DigitStringTranscriber(model, sr=SR, segmenter=seg)
                t0 = time.perf_counter()
                _ = segment_words(y, sr=SR) if seg is None else seg(y, SR)
                secs = time.perf_counter() - t0
                refs, hyps, total = scores[name]
                refs.append(ref)
                hyps.append(tr.transcribe(y).digits)
                scores[name] = (refs, hyps, total + secs)
    print(
        f"VADs on FSDD strings, {args.n_strings} per speaker, white noise "
        f"{args.snr[0]:g}-{args.snr[1]:g} dB SNR; {dur:.0f} s of audio"
    )
    print(f"{'VAD':<16}{'right count':>12}{'DER':>8}{'string acc':>12}{'s per min':>11}")
    for name, (refs, hyps, secs) in scores.items():
        right = sum(len(r) == len(h) for r, h in zip(refs, hyps, strict=True))
        print(
            f"{name:<16}{right:>7d}/{len(refs):<4d}{digit_error_rate(refs, hyps):>8.3f}"
            f"{string_accuracy(refs, hyps):>12.3f}{secs / dur * 60:>11.3f}"
        )


def _bursts(rng, n, level):
    """``n`` cough- and click-like noise bursts: white or brown, decaying, 0.05-0.5 s."""
    out = []
    for k in range(n):
        m = int(rng.uniform(0.05, 0.5) * SR)
        x = rng.standard_normal(m)
        if k % 2:  # brown: most of its power low, like a cough's
            x = np.cumsum(x)
            x -= np.linspace(x[0], x[-1], m)
        x *= np.exp(-np.arange(m) / (rng.uniform(0.1, 0.6) * m))
        out.append((x / np.sqrt(np.mean(x**2)) * level).astype(np.float32))
    return out


def part_confidence(args, bunch):
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    targets = np.asarray(bunch.target)
    thresholds = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    for speaker in args.speakers or ["george"]:
        model = _fold_model(bunch, speaker, args.cache, args.model)
        idx = np.flatnonzero(np.asarray(bunch.speaker) == speaker)
        X = np.empty(len(idx), dtype=object)
        X[:] = [bunch.data[i] for i in idx]
        level = float(np.median([np.sqrt(np.mean(x.astype(np.float64) ** 2)) for x in X]))
        B = np.empty(100, dtype=object)
        B[:] = _bursts(rng, 100, level)
        proba = model.predict_proba(X)
        right = model.classes_[proba.argmax(1)] == targets[idx]
        top, top_b = proba.max(1), model.predict_proba(B).max(1)
        is_digit = np.r_[np.ones(len(top)), np.zeros(len(top_b))]
        print(
            f"{speaker}: {len(top)} clips (accuracy {right.mean():.3f}), {len(top_b)} bursts; "
            f"median top probability: right {np.median(top[right]):.3f}, "
            f"wrong {np.median(top[~right]):.3f}, bursts {np.median(top_b):.3f}"
        )
        print(
            f"  AUC digit vs burst {roc_auc_score(is_digit, np.r_[top, top_b]):.3f}; "
            f"right vs wrong {roc_auc_score(right, top):.3f}"
        )
        print(
            f"  {'reject_threshold':>16} {'right dropped':>14} {'wrong dropped':>14} "
            f"{'bursts dropped':>15}"
        )
        for t in thresholds:
            print(
                f"  {t:>16.1f} {np.mean(top[right] < t):>14.3f} {np.mean(top[~right] < t):>14.3f}"
                f" {np.mean(top_b < t):>15.3f}"
            )


def part_voicing(args, bunch):
    from sklearn_audiodigit.segmentation import voiced_duration

    rng = np.random.default_rng(1)

    def noisy(x, snr):
        p = np.mean(x.astype(np.float64) ** 2)
        return (x + rng.standard_normal(len(x)) * np.sqrt(p / 10 ** (snr / 10))).astype(np.float32)

    sets = {
        "FSDD clean": list(bunch.data),
        "FSDD white 10 dB": [noisy(x, 10) for x in bunch.data],
        "FSDD white 5 dB": [noisy(x, 5) for x in bunch.data],
        "noise bursts": _bursts(np.random.default_rng(0), 200, 0.05),
    }
    print(f"{'threshold':>9} {'min_voiced':>10}  " + "  ".join(f"{k:>16}" for k in sets))
    for threshold in (0.35, 0.4, 0.45):
        t0 = time.perf_counter()
        v = {
            k: np.array([voiced_duration(x, sr=SR, threshold=threshold) for x in xs])
            for k, xs in sets.items()
        }
        secs = time.perf_counter() - t0
        for m in (0.02, 0.03, 0.05):
            print(
                f"{threshold:>9.2f} {m:>10.2f}  "
                + "  ".join(f"{np.mean(a >= m - 1e-9):>16.4f}" for a in v.values())
            )
        n = sum(len(xs) for xs in sets.values())
        print(f"  ({1e3 * secs / n:.2f} ms a clip)")


def part_nospeech(args, bunch):
    t0 = time.perf_counter()
    has = detect_speech(bunch.data, sr=SR)
    print(
        f"FSDD: {int((~has).sum())} of {len(has)} real digits reported as no speech "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    rng = np.random.default_rng(0)
    cases = {
        "digital silence 1 s": np.zeros(SR),
        "near-silence (1e-4 noise)": 1e-4 * rng.standard_normal(SR),
        "white noise 1 s, -20 dBFS": 0.1 * rng.standard_normal(SR),
        "white noise 60 s, -20 dBFS": 0.1 * rng.standard_normal(60 * SR),
        "white noise 1 s, full scale": np.clip(0.5 * rng.standard_normal(SR), -1, 1),
    }
    for name, x in cases.items():
        print(f"{name:<30} speech={bool(detect_speech([x.astype(np.float32)], sr=SR)[0])}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "part", choices=("fsdd", "tts", "speed", "vad", "confidence", "voicing", "nospeech")
    )
    p.add_argument("--data-home", default=None)
    p.add_argument(
        "--model",
        default=None,
        help="model name for make_model (default: the command line's default, embed-svc "
        "where the [embedding] extra and its files are installed, else svc)",
    )
    p.add_argument("--n-strings", type=int, default=60)
    p.add_argument(
        "--speakers",
        nargs="+",
        default=None,
        help="fsdd part: transcribe only these held-out speakers (the strings are the same)",
    )
    p.add_argument("--min-pause", type=float, default=0.12)
    p.add_argument(
        "--snr",
        type=float,
        nargs=2,
        default=(10.0, 30.0),
        metavar=("LO", "HI"),
        help="range of the signal-to-noise ratio, dB (default: 10 30)",
    )
    p.add_argument(
        "--rt60",
        type=float,
        nargs=2,
        default=None,
        metavar=("LO", "HI"),
        help="play every string in a room with a reverberation time drawn from LO-HI s "
        "(fsdd part; needs the [augment] extra)",
    )
    p.add_argument("--reject-threshold", type=float, default=0.2)
    p.add_argument("--min-voiced", type=float, default=0.02, help="DigitStringTranscriber option")
    p.add_argument("--cache", default=os.path.expanduser("~/.cache/audiodigit_bench"))
    p.add_argument("--split-db", type=float, default=None, help="segment_words(split_db=...)")
    p.add_argument(
        "--segment-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another segment_words parameter, e.g. trim_db=30 or on_db=8 (repeatable; "
        "'none' for None)",
    )
    p.add_argument("--split-fluent", action="store_true", help="DigitStringTranscriber option")
    p.add_argument(
        "--segmentation",
        choices=("energy", "lattice"),
        default="energy",
        help="DigitStringTranscriber(segmentation=...)",
    )
    p.add_argument(
        "--known-count",
        action="store_true",
        help="tell the transcriber each string's number of digits (n_digits)",
    )
    p.add_argument("--verbose", action="store_true")
    p.add_argument(
        "--silero-model",
        default="silero_vad.onnx",
        help="silero_vad.onnx of the silero-vad wheel (for the vad part)",
    )
    args = p.parse_args()
    if args.model is None:
        args.model = _default_model_name()
    bunch = fetch_fsdd(data_home=args.data_home, sr=SR, download_if_missing=False)
    _print_header(args)
    parts = {
        "fsdd": part_fsdd,
        "tts": part_tts,
        "speed": part_speed,
        "vad": part_vad,
        "confidence": part_confidence,
        "voicing": part_voicing,
        "nospeech": part_nospeech,
    }
    parts[args.part](args, bunch)


if __name__ == "__main__":
    main()

"""DigitStringTranscriber on strings joined from held-out FSDD clips."""

import json

import numpy as np
import pytest
import soundfile as sf
import soxr

from sklearn_audiodigit.evaluation import digit_error_rate, edit_distance, string_accuracy
from sklearn_audiodigit.persistence import load_model
from sklearn_audiodigit.segmentation import segment_words
from sklearn_audiodigit.transcription import DigitStringTranscriber, Transcription

SR = 8000


@pytest.fixture(scope="module")
def model(digit_model_file):
    return load_model(digit_model_file)


def test_reads_digit_strings_of_held_out_takes(model, digit_strings):
    tr = DigitStringTranscriber(model)
    refs, hyps = [], []
    for y, digits, spans in digit_strings:
        result = tr.transcribe(y)
        assert isinstance(result, Transcription)
        assert len(result.digits) == len(digits)  # one digit per word
        for seg, span in zip(result.segments, spans, strict=True):
            assert span[0] <= (seg.start + seg.end) / 2 <= span[1]
            assert 0 < seg.confidence <= 1 and isinstance(seg.label, int)
        assert result.digits == "".join(str(s.label) for s in result.segments)
        refs.append(digits)
        hyps.append(result.digits)
    # the model saw takes 0-1 of these speakers; the strings are takes 2-4
    assert digit_error_rate(refs, hyps) <= 0.15, list(zip(refs, hyps, strict=True))


def test_noise_subtraction_keeps_clean_strings_and_reads_noisy_ones(model, digit_strings):
    rng = np.random.default_rng(0)
    refs, clean, plain, noisy_hyps = [], [], [], []
    for y, digits, _ in digit_strings:
        noisy = y + np.float32(0.03 * np.abs(y).max()) * rng.standard_normal(len(y)).astype(
            np.float32
        )
        refs.append(digits)
        clean.append(DigitStringTranscriber(model).transcribe(y).digits)
        plain.append(DigitStringTranscriber(model, denoise=False).transcribe(y).digits)
        noisy_hyps.append(DigitStringTranscriber(model).transcribe(noisy).digits)
    # on recordings without noise, the subtraction changes nothing that matters
    assert clean == plain
    assert digit_error_rate(refs, noisy_hyps) <= 0.35


def test_a_pin_of_four_digits(model, digit_strings, fsdd_sample):
    y, digits, spans = next(s for s in digit_strings if len(s[1]) > 4)
    result = DigitStringTranscriber(model, n_digits=4).transcribe(y)
    assert len(result.digits) == 4
    assert len(result.rejected) == len(digits) - 4  # the least confident words
    kept = [s.confidence for s in result.segments]
    assert min(kept) >= max(s.confidence for s in result.rejected)
    # four words without any pause still make four digits when 4 are expected
    clips = [fsdd_sample.data[i] for i in (2, 60, 118, 176)]
    joined = np.concatenate([np.zeros(SR // 4, np.float32), *clips, np.zeros(SR // 4, np.float32)])
    assert len(DigitStringTranscriber(model, n_digits=4).transcribe(joined).digits) == 4


def test_max_digits_and_reject_threshold(model, digit_strings):
    y, digits, _ = digit_strings[-1]
    assert len(DigitStringTranscriber(model, max_digits=2).transcribe(y).digits) == 2
    everything = DigitStringTranscriber(model, reject_threshold=0.0).transcribe(y)
    strict = DigitStringTranscriber(model, reject_threshold=1.0).transcribe(y)
    assert len(everything.digits) == len(digits) and everything.rejected == []
    assert strict.digits == "" and len(strict.rejected) == len(digits)


def test_a_cough_like_burst_is_rejected_not_read(model, digit_strings, rng):
    """A burst of noise shaped like a word is a segment, but no digit is read in it."""
    y, digits, spans = digit_strings[0]
    t = np.arange(int(0.3 * SR)) / SR
    burst = rng.standard_normal(len(t)) * np.exp(-t / 0.08) * 0.5 * np.abs(y).max()
    x = np.concatenate([y, burst.astype(np.float32), np.zeros(SR // 2, np.float32)])
    result = DigitStringTranscriber(model, reject_threshold=0.5).transcribe(x)
    assert all(s.start < len(y) / SR for s in result.segments)


def test_words_without_voiced_sound_are_rejected(model, digit_strings, rng):
    """Noise bursts after a string are dropped for want of a vowel, not read as digits."""
    y, digits, spans = digit_strings[0]
    tr = DigitStringTranscriber(model, reject_threshold=0.0)
    expected = tr.transcribe(y)
    assert expected.rejected == []  # every real digit holds a vowel
    everything = DigitStringTranscriber(model, min_voiced=10.0).transcribe(y)
    assert everything.digits == "" and len(everything.rejected) == len(expected.segments)
    pause = np.zeros(SR // 2, np.float32)
    t = np.arange(int(0.3 * SR)) / SR
    dropped = 0
    for _ in range(20):
        burst = rng.standard_normal(len(t)) * np.exp(-t / 0.15) * 0.5 * np.abs(y).max()
        x = np.concatenate([y, burst.astype(np.float32), pause])
        result = tr.transcribe(x)
        assert result.digits.startswith(expected.digits)
        dropped += result.digits == expected.digits and len(result.rejected) == 1
        # with the check off, the burst is a word and is read as some digit
        off = DigitStringTranscriber(model, reject_threshold=0.0, min_voiced=0).transcribe(x)
        assert len(off.digits) == len(expected.digits) + 1 and off.rejected == []
    # 83 % of the benchmark's bursts (benchmarks/bench_strings.py voicing); 65 % of
    # these sharper ones (30 draws, three seeds)
    assert dropped >= 8


def test_other_rates_and_files(model, digit_strings, tmp_path):
    y, digits, _ = digit_strings[1]
    tr = DigitStringTranscriber(model)
    expected = tr.transcribe(y).digits
    assert tr.transcribe(soxr.resample(y, SR, 16000), sr=16000).digits == expected
    path = tmp_path / "string.wav"
    y44 = soxr.resample(y, SR, 44100)
    sf.write(path, np.stack([y44, y44], axis=1), 44100)
    result = tr.transcribe_file(path)
    assert result.digits == expected
    record = result.to_dict()
    assert json.loads(json.dumps(record)) == record
    assert set(record["segments"][0]) == {"start", "end", "label", "confidence"}


def test_silence_and_noise_give_no_digits(model, rng):
    tr = DigitStringTranscriber(model)
    for y in (np.zeros(2 * SR, np.float32), (0.1 * rng.standard_normal(10 * SR)).astype("f4")):
        result = tr.transcribe(y)
        assert result.digits == "" and result.segments == []


def test_a_clip_cut_tight_around_a_quiet_word_is_read_as_one_word(model, fsdd_sample):
    # a few of theo's takes are quiet and have no silence around the word: nothing
    # to measure a noise floor against, so the segmenter finds no word in them
    tight = [i for i, x in enumerate(fsdd_sample.data) if len(segment_words(x, sr=SR)) == 0]
    assert tight, "the sample holds such a take"
    tr = DigitStringTranscriber(model)
    for i in tight:
        x = fsdd_sample.data[i]
        result = tr.transcribe(x)
        assert len(result.digits) == 1
        ((start, end),) = [(seg.start, seg.end) for seg in result.segments]
        assert start == 0.0 and end == pytest.approx(len(x) / SR)
    # three takes in a row have dips between them: three words, read as before
    assert len(tr.transcribe(np.concatenate([fsdd_sample.data[tight[0]]] * 3)).digits) == 3


def test_parameter_and_model_errors(model, fsdd_sample):
    y = np.zeros(SR, np.float32)
    for kwargs, match in [
        ({"n_digits": 0}, "n_digits"),
        ({"max_digits": 1.5}, "max_digits"),
        ({"reject_threshold": 2}, "reject_threshold"),
        ({"padding": -1}, "padding"),
        ({"min_voiced": -0.1}, "min_voiced"),
        ({"min_voiced": True}, "min_voiced"),
    ]:
        with pytest.raises(ValueError, match=match):
            DigitStringTranscriber(model, **kwargs).transcribe(y)
    with pytest.raises(ValueError, match="1-D"):
        DigitStringTranscriber(model).transcribe(np.zeros((2, SR)))
    with pytest.raises(ValueError, match="fitted classifier"):
        DigitStringTranscriber(object()).transcribe(y)
    from sklearn.dummy import DummyClassifier

    speakers = DummyClassifier().fit(np.zeros((2, 1)), ["george", "theo"])
    with pytest.raises(ValueError, match="not digits"):
        DigitStringTranscriber(speakers).transcribe(y)


def test_digit_error_rate_and_string_accuracy():
    assert edit_distance("4155550199", "4155550199") == 0
    assert edit_distance("123", "") == 3 and edit_distance("", "12") == 2
    assert edit_distance("1234", "1324") == 2  # a swap is two substitutions
    assert digit_error_rate(["123", "45"], ["123", "4"]) == pytest.approx(1 / 5)
    assert digit_error_rate(["1"], ["1111"]) == 3.0  # insertions count
    assert string_accuracy(["123", "45"], ["123", "4"]) == 0.5
    with pytest.raises(ValueError, match="as many"):
        digit_error_rate(["1"], [])
    with pytest.raises(ValueError, match="no digit"):
        digit_error_rate([""], [""])


# --- segmentation="lattice": words of fluent speech -------------------------------


@pytest.fixture(scope="module")
def fluent_strings(fsdd_sample):
    """Five held-out sample clips a speaker, trimmed and joined without any pause.

    Returns a list of ``(y, digits, spans)`` as ``digit_strings`` does: one
    recording for each of the six speakers, the words running into each other.
    """
    import librosa

    rng = np.random.default_rng(0)
    speakers = np.asarray(fsdd_sample.speaker)
    held_out = np.array(
        [str(f).endswith(("_2.wav", "_3.wav", "_4.wav")) for f in fsdd_sample.filenames]
    )
    out = []
    for speaker in sorted(set(speakers)):
        pick = rng.choice(np.flatnonzero(held_out & (speakers == speaker)), size=5, replace=False)
        parts, spans, t = [np.zeros(SR // 4, np.float32)], [], 0.25
        for i in pick:
            clip, _ = librosa.effects.trim(fsdd_sample.data[i], top_db=30)
            parts.append(clip)
            spans.append((t, t + len(clip) / SR))
            t += len(clip) / SR
        parts.append(np.zeros(SR // 4, np.float32))
        digits = "".join(str(fsdd_sample.target[i]) for i in pick)
        out.append((np.concatenate(parts), digits, spans))
    return out


def test_lattice_reads_fluent_strings_better_than_pauses_alone(model, fluent_strings):
    refs = [digits for _, digits, _ in fluent_strings]
    energy = [DigitStringTranscriber(model).transcribe(y).digits for y, _, _ in fluent_strings]
    lattice = DigitStringTranscriber(model, segmentation="lattice")
    found = [lattice.transcribe(y).digits for y, _, _ in fluent_strings]
    # without pauses, the energy segmenter merges words; the lattice splits them
    assert digit_error_rate(refs, found) < digit_error_rate(refs, energy), (refs, energy, found)
    assert sum(len(f) == len(r) for f, r in zip(found, refs, strict=True)) >= 3


def test_lattice_with_a_known_count_finds_every_word(model, fluent_strings):
    tr = DigitStringTranscriber(model, segmentation="lattice", n_digits=5)
    for y, _, spans in fluent_strings:
        result = tr.transcribe(y)
        assert len(result.segments) == 5 and result.rejected == []
        assert result.digits == "".join(str(s.label) for s in result.segments)
        for seg, (start, end) in zip(result.segments, spans, strict=True):
            assert start <= (seg.start + seg.end) / 2 <= end


def test_lattice_with_a_known_count_keeps_words_separated_by_pauses(model, digit_strings):
    # without the count, the lattice may split a long word (measured in
    # benchmarks/README.md); with it, every word between pauses is one digit
    for y, digits, spans in digit_strings:
        tr = DigitStringTranscriber(model, segmentation="lattice", n_digits=len(digits))
        result = tr.transcribe(y)
        assert len(result.digits) == len(digits)
        for seg, span in zip(result.segments, spans, strict=True):
            assert span[0] <= (seg.start + seg.end) / 2 <= span[1]


def test_lattice_edge_cases(model, fsdd_sample, rng):
    # more digits asked for than one word can be split into: the nearest count, no error
    one = np.concatenate(
        [np.zeros(SR // 4, np.float32), fsdd_sample.data[0], np.zeros(SR // 4, "f4")]
    )
    result = DigitStringTranscriber(model, segmentation="lattice", n_digits=6).transcribe(one)
    assert 1 <= len(result.digits) < 6
    noise = (0.1 * rng.standard_normal(5 * SR)).astype(np.float32)
    assert DigitStringTranscriber(model, segmentation="lattice").transcribe(noise).digits == ""
    with pytest.raises(ValueError, match="segmentation"):
        DigitStringTranscriber(model, segmentation="dp").transcribe(one)

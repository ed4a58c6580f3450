"""SpeechEmbeddingExtractor and the model files' resolution and download.

The extractor's tests need onnxruntime and the two ONNX files (an installed
openwakeword 0.5.1, or ``AUDIODIGIT_EMBEDDING_DIR``) and skip without them. The
download tests serve a local folder over HTTP on localhost: never the network.
"""

import functools
import hashlib
import http.server
import shutil
import threading

import numpy as np
import pytest

from sklearn_audiodigit import embeddings
from sklearn_audiodigit.embeddings import (
    EMBEDDING_FILES,
    SpeechEmbeddingExtractor,
    fetch_speech_embedding,
    find_speech_embedding,
    speech_embedding_available,
)
from sklearn_audiodigit.exceptions import EmbeddingModelError

needs_model = pytest.mark.skipif(
    not speech_embedding_available(),
    reason="onnxruntime or the speech-embedding model files are missing "
    "(pip install onnxruntime; pip install openwakeword==0.5.1 --no-deps)",
)

SR = 8000


@pytest.fixture(scope="module")
def clips(fsdd_sample):
    return fsdd_sample.data[:12]


def _fake_models(folder, content=b"not really onnx"):
    folder.mkdir(parents=True, exist_ok=True)
    for name in EMBEDDING_FILES:
        (folder / name).write_bytes(content + name.encode())
    return folder


# -- finding and fetching the files ---------------------------------------------------
def test_explicit_folder_without_files_says_how_to_get_them(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIODIGIT_EMBEDDING_DIR", raising=False)
    with pytest.raises(EmbeddingModelError, match="openwakeword==0.5.1 --no-deps") as err:
        find_speech_embedding(tmp_path)
    assert str(tmp_path) in str(err.value)
    assert isinstance(err.value, OSError)


def test_resolution_order(tmp_path, monkeypatch):
    explicit = _fake_models(tmp_path / "explicit")
    env = _fake_models(tmp_path / "env")
    cache = _fake_models(tmp_path / "home" / "speech_embedding")
    monkeypatch.setenv("AUDIODIGIT_EMBEDDING_DIR", str(env))
    assert find_speech_embedding(explicit) == explicit
    assert find_speech_embedding() == env
    monkeypatch.delenv("AUDIODIGIT_EMBEDDING_DIR")
    monkeypatch.setenv("AUDIODIGIT_DATA", str(tmp_path / "home"))
    monkeypatch.setattr(embeddings, "_openwakeword_dir", lambda: None)
    assert find_speech_embedding() == cache
    shutil.rmtree(cache)
    with pytest.raises(EmbeddingModelError, match="were not found"):
        find_speech_embedding()
    assert not speech_embedding_available()


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A local folder served over HTTP as the release; RELEASE_URL points at it."""
    root = tmp_path / "release"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))

    class Quiet(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass

    httpd = Quiet(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a, **k: None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(embeddings, "RELEASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}/")
    yield root
    httpd.shutdown()


def test_fetch_downloads_verifies_and_reuses(server, tmp_path, monkeypatch):
    # the served files are the right ones: make the expected hashes theirs
    _fake_models(server)
    hashes = {n: hashlib.sha256((server / n).read_bytes()).hexdigest() for n in EMBEDDING_FILES}
    monkeypatch.setattr(embeddings, "EMBEDDING_FILES", hashes)
    home = tmp_path / "home"
    with pytest.raises(EmbeddingModelError, match="download_if_missing=False"):
        fetch_speech_embedding(home, download_if_missing=False)
    folder = fetch_speech_embedding(home)
    assert folder == home / "speech_embedding"
    for name in hashes:
        assert (folder / name).read_bytes() == (server / name).read_bytes()
    # a verified copy is reused: the server may go away
    shutil.rmtree(server)
    assert fetch_speech_embedding(home, download_if_missing=False) == folder


def test_fetch_refuses_a_file_with_the_wrong_hash(server, tmp_path):
    _fake_models(server)  # not the real files: their SHA-256 differs from EMBEDDING_FILES
    home = tmp_path / "home"
    with pytest.raises(EmbeddingModelError, match="verified"):
        fetch_speech_embedding(home)
    folder = home / "speech_embedding"
    assert not any((folder / n).exists() for n in EMBEDDING_FILES)


def test_fetch_reports_a_missing_file(server, tmp_path):
    with pytest.raises(EmbeddingModelError, match="melspectrogram.onnx"):
        fetch_speech_embedding(tmp_path / "home")


def test_missing_model_is_a_clear_error_at_fit(tmp_path, clips):
    pytest.importorskip("onnxruntime")
    est = SpeechEmbeddingExtractor(model_dir=tmp_path)
    with pytest.raises(EmbeddingModelError, match="fetch_speech_embedding"):
        est.fit(clips)


# -- the extractor ----------------------------------------------------------------------
@needs_model
def test_shapes_and_names(clips):
    X = SpeechEmbeddingExtractor().fit_transform(clips)
    assert X.shape == (len(clips), 192) and X.dtype == np.float32
    assert np.isfinite(X).all()
    names = SpeechEmbeddingExtractor(stats=("mean", "std", "max")).get_feature_names_out()
    assert len(names) == 288 and names[0] == "emb0_mean" and names[-1] == "emb95_max"
    F = SpeechEmbeddingExtractor(output="frames").fit_transform(clips)
    # 1.5 s at 16 kHz: 147 mel frames -> (147 - 76) // 8 + 1 = 9 embedding frames
    assert F.shape == (len(clips), 96, 9) and F.dtype == np.float32
    # the pooled statistics are those of the frames
    S = SpeechEmbeddingExtractor(stats=("mean", "std", "min", "max")).fit_transform(clips)
    S = S.reshape(len(clips), 96, 4)
    np.testing.assert_allclose(S[..., 0], F.mean(axis=2), atol=1e-5)
    np.testing.assert_allclose(S[..., 1], F.std(axis=2), atol=1e-5)
    np.testing.assert_allclose(S[..., 2], F.min(axis=2), atol=1e-6)
    np.testing.assert_allclose(S[..., 3], F.max(axis=2), atol=1e-6)
    with pytest.raises(ValueError, match="feature names"):
        SpeechEmbeddingExtractor(output="frames").get_feature_names_out()


@needs_model
def test_batch_equals_clip_by_clip(clips):
    batch = SpeechEmbeddingExtractor(batch_size=5).fit_transform(clips)
    single = np.concatenate([SpeechEmbeddingExtractor().fit_transform([c]) for c in clips])
    np.testing.assert_allclose(batch, single, atol=1e-4)
    # and a clip's features do not depend on its neighbours (a quiet one among loud ones)
    quiet = [c * 0.01 for c in clips[:3]]
    mixed = SpeechEmbeddingExtractor().fit_transform(quiet + list(clips[3:6]))
    alone = SpeechEmbeddingExtractor().fit_transform(quiet)
    np.testing.assert_allclose(mixed[:3], alone, atol=1e-4)


@needs_model
def test_window_rule_short_long_and_whole_clip(rng, fsdd_clips):
    short, long_ = fsdd_clips[0], fsdd_clips[1]  # the shortest and longest sample clips
    very_long = np.concatenate([long_, np.zeros(SR, np.float32), long_])  # ~3.5 s
    est = SpeechEmbeddingExtractor(output="frames")
    assert est.fit_transform([short]).shape == (1, 96, 9)
    assert est.fit_transform([very_long]).shape == (1, 96, 9)  # its centre 1.5 s
    # centring: zeros added equally before and after give the same features, up to
    # the resampler's edges (values span about +-30)
    pad = np.zeros(2000, np.float32)
    np.testing.assert_allclose(
        est.fit_transform([short]),
        est.fit_transform([np.concatenate([pad, short, pad])]),
        atol=0.15,
    )
    whole = SpeechEmbeddingExtractor(window=None, output="frames")
    n_whole = whole.fit_transform([very_long]).shape[2]
    n16 = int(round(len(very_long) * 2))
    assert n_whole == (int(np.ceil(n16 / 160 - 3)) - 76) // 8 + 1 > 9
    # shorter than one embedding window: centred in 0.79 s, one frame
    assert whole.fit_transform([short]).shape[2] == 1
    with pytest.raises(ValueError, match="equal length"):
        whole.fit_transform([short, very_long])
    stats = SpeechEmbeddingExtractor(window=None).fit_transform([short, very_long])
    assert stats.shape == (2, 192)
    with pytest.raises(ValueError, match="window"):
        SpeechEmbeddingExtractor(window=0.5).fit([short])


@needs_model
def test_rate_is_resampled(fsdd_clips):
    import soxr

    x8 = fsdd_clips[4]
    x16 = soxr.resample(x8, 8000, 16000).astype(np.float32)
    a = SpeechEmbeddingExtractor(sr=8000).fit_transform([x8])
    b = SpeechEmbeddingExtractor(sr=16000).fit_transform([x16])
    np.testing.assert_allclose(a, b, atol=1e-4)


@needs_model
def test_int16_input_and_input_unchanged(clips):
    x = clips[0]
    pcm = np.round(x * 32767).astype(np.int16)[None]
    before = pcm.copy()
    a = SpeechEmbeddingExtractor().fit_transform(pcm)
    b = SpeechEmbeddingExtractor().fit_transform(x[None])
    np.testing.assert_allclose(a, b, atol=1e-2)
    np.testing.assert_array_equal(pcm, before)


@needs_model
def test_sessions_are_lazy_never_pickled_and_follow_params(clips, tmp_path):
    import pickle

    est = SpeechEmbeddingExtractor()
    assert not hasattr(est, "_sessions")
    X = est.fit_transform(clips[:3])
    assert hasattr(est, "_sessions")
    blob = pickle.dumps(est)
    assert len(blob) < 2000  # the ONNX models are not in it
    copy = pickle.loads(blob)
    assert not hasattr(copy, "_sessions")
    np.testing.assert_allclose(copy.transform(clips[:3]), X, atol=1e-5)
    est.set_params(n_threads=2)
    est.transform(clips[:1])
    mel, _ = est._get_sessions()
    assert mel.get_session_options().intra_op_num_threads == 2
    # a folder holding the files, given explicitly
    folder = tmp_path / "models"
    folder.mkdir()
    for name in EMBEDDING_FILES:
        shutil.copy(find_speech_embedding() / name, folder / name)
    np.testing.assert_allclose(
        SpeechEmbeddingExtractor(model_dir=folder).fit_transform(clips[:3]), X, atol=1e-5
    )


@needs_model
def test_saved_pipeline_round_trip(tmp_path, fsdd_sample):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from sklearn_audiodigit.persistence import load_model, save_model

    X, y = fsdd_sample.data[:60], fsdd_sample.target[:60]
    model = make_pipeline(SpeechEmbeddingExtractor(), StandardScaler(), SVC()).fit(X, y)
    path = tmp_path / "model.adm"
    save_model(model, path)
    assert path.stat().st_size < 1_000_000
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X[:10]), model.predict(X[:10]))


@needs_model
def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="stats"):
        SpeechEmbeddingExtractor(stats=("median",)).fit([np.zeros(800, np.float32)])
    with pytest.raises(ValueError, match="n_threads"):
        SpeechEmbeddingExtractor(n_threads=0).fit([np.zeros(800, np.float32)])
    with pytest.raises(ValueError, match="output"):
        SpeechEmbeddingExtractor(output="grid").fit([np.zeros(800, np.float32)])


@needs_model
def test_embed_svc_trains_on_noisy_and_reverberant_copies_and_predicts_from_decisions(
    fsdd_sample,
):
    pytest.importorskip("pyroomacoustics")
    from sklearn_audiodigit.augmentation import SpeedPerturbedClassifier
    from sklearn_audiodigit.pipelines import make_embed_svc_pipeline

    X, y = fsdd_sample.data[::6], np.asarray(fsdd_sample.target[::6])
    model = make_embed_svc_pipeline(random_state=0)
    assert model.method == "temperature" and model.ensemble is False
    augmented = model.estimator
    assert isinstance(augmented, SpeedPerturbedClassifier)
    noise, room = augmented.augmenter
    assert noise.noise_kinds == ("pink",) and noise.p == 1.0 and noise.rt60_range is None
    assert room.rt60_range == (0.2, 0.8) and room.snr_range is None and room.p == 1.0
    clips = np.array(list(X), dtype=object)
    # the clips themselves, one noisy and one reverberant copy
    assert augmented._specs(train=True) == [("speed", 1.0, 8000.0)]
    noisy, wet = augmented._random_copies(clips)
    for clean, copy, reverberant in zip(clips, noisy, wet, strict=True):
        assert copy.shape == clean.shape and not np.array_equal(copy, clean)
        assert len(reverberant) > len(clean)  # the room's tail
    model.fit(X, y)
    inner = model.calibrated_classifiers_[0].estimator.estimator_
    assert inner[-1].support_vectors_.shape[0] <= 3 * len(X)
    Xt = fsdd_sample.data[1:30:6]
    proba = model.predict_proba(Xt)
    np.testing.assert_array_equal(model.predict(Xt), model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    # the copies are seeded: the same random_state gives the same model
    again = make_embed_svc_pipeline(random_state=0).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(Xt), proba, rtol=1e-6)
    plain = make_embed_svc_pipeline(augment=False)
    assert plain.steps[-1][0] == "classifier"


# -- the batched path: the model files edited for batches of whole clips ------------------
def _as_files_are(monkeypatch):
    """Make extractors run the model files as they are (the path without ``onnx``)."""
    monkeypatch.setattr(embeddings, "_fast_models", lambda folder, **kw: None)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("AUDIODIGIT_CACHE_DIR", str(folder))
    return folder / "speech_embedding"


@pytest.fixture(scope="module")
def awkward(fsdd_sample):
    """Real clips of every length (0.14-2.28 s), loud and quiet, and a long one."""
    data = fsdd_sample.data
    order = np.argsort([len(x) for x in data])
    clips = [data[i] for i in order[:: len(order) // 20]] + [data[order[-1]]]
    clips += [clips[3] * 0.001, clips[7] * 0.02]  # quiet ones among loud ones
    clips.append(np.concatenate([data[order[-1]], data[order[-2]]]))  # ~4 s
    return clips


@needs_model
@pytest.mark.parametrize(
    "params",
    [{}, {"output": "frames", "window": 2.0}, {"window": None, "stats": ("mean", "max")}],
)
def test_batched_path_equals_the_files_as_they_are(awkward, params, cache_dir, monkeypatch):
    est = SpeechEmbeddingExtractor(batch_size=7, **params)
    batched = est.fit_transform(awkward)
    assert est._sessions[3] == np.float32(80.0)  # the edited models, the file's floor
    assert sorted(p.name for p in next(cache_dir.iterdir()).iterdir()) == sorted(EMBEDDING_FILES)
    _as_files_are(monkeypatch)
    ref = SpeechEmbeddingExtractor(**params)
    expected = ref.fit_transform(awkward)
    assert ref._sessions[3] is None
    assert batched.shape == expected.shape
    # embedding values span about +-30; measured equal (the same float32 operations)
    np.testing.assert_allclose(batched, expected, rtol=0, atol=1e-4)


@needs_model
def test_batched_clip_does_not_depend_on_its_batch(awkward, cache_dir):
    # the file's floor is max - 80 dB of the whole input: per clip here, so a quiet
    # clip next to loud ones, in any batch size or order, gives what it gives alone
    est = SpeechEmbeddingExtractor(output="frames", window=1.0)
    clips = awkward[:12] + awkward[-3:-1]
    alone = np.concatenate([est.fit_transform([c]) for c in clips])
    for batch_size in (1, 5, 64):
        together = est.set_params(batch_size=batch_size).fit_transform(clips)
        np.testing.assert_allclose(together, alone, rtol=0, atol=1e-4)
    reverse = est.fit_transform(clips[::-1])[::-1]
    np.testing.assert_allclose(reverse, alone, rtol=0, atol=1e-4)


@needs_model
def test_thread_count_and_spinning(clips, cache_dir):
    one = SpeechEmbeddingExtractor(n_threads=1).fit_transform(clips)
    est = SpeechEmbeddingExtractor(n_threads=2)
    two = est.fit_transform(clips)
    np.testing.assert_allclose(two, one, rtol=0, atol=1e-4)
    for session in est._get_sessions():
        options = session.get_session_options()
        assert options.intra_op_num_threads == 2 and options.inter_op_num_threads == 1
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


@needs_model
def test_edited_models_are_cached_and_reused_without_onnx(clips, cache_dir, monkeypatch):
    import sys

    onnx = pytest.importorskip("onnx")
    X = SpeechEmbeddingExtractor().fit_transform(clips[:4])
    (folder,) = cache_dir.iterdir()
    assert folder.name.startswith("batched-v")
    # a later session loads the cached copies: onnx is neither imported nor needed
    monkeypatch.setitem(sys.modules, "onnx", None)
    est = SpeechEmbeddingExtractor()
    np.testing.assert_allclose(est.fit_transform(clips[:4]), X, rtol=0, atol=1e-4)
    assert est._sessions[3] is not None
    # a damaged cached copy is made again (onnx needed for that)
    monkeypatch.setitem(sys.modules, "onnx", onnx)
    (folder / "embedding_model.onnx").write_bytes(b"damaged")
    est = SpeechEmbeddingExtractor()
    np.testing.assert_allclose(est.fit_transform(clips[:4]), X, rtol=0, atol=1e-4)
    assert est._sessions[3] is not None
    assert (folder / "embedding_model.onnx").stat().st_size > 1_000_000
    assert not list(folder.glob("*.tmp"))


@needs_model
def test_unwritable_cache_and_missing_onnx(clips, tmp_path, monkeypatch):
    import sys

    X = SpeechEmbeddingExtractor().fit_transform(clips[:4])
    # a cache "folder" that is a file: the edited models are kept in memory
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    monkeypatch.setenv("AUDIODIGIT_CACHE_DIR", str(blocker))
    models = embeddings._fast_models(find_speech_embedding())
    assert all(isinstance(m, bytes) for m in models)
    est = SpeechEmbeddingExtractor()
    np.testing.assert_allclose(est.fit_transform(clips[:4]), X, rtol=0, atol=1e-4)
    assert est._sessions[3] is not None
    # no onnx and nothing cached: the files run as they are, with the same result
    monkeypatch.setenv("AUDIODIGIT_CACHE_DIR", str(tmp_path / "empty"))
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert embeddings._fast_models(find_speech_embedding()) is None
    est = SpeechEmbeddingExtractor()
    np.testing.assert_allclose(est.fit_transform(clips[:4]), X, rtol=0, atol=1e-4)
    assert est._sessions[3] is None


@needs_model
def test_other_graphs_are_not_edited():
    pytest.importorskip("onnx")
    folder = find_speech_embedding()
    mel = (folder / "melspectrogram.onnx").read_bytes()
    emb = (folder / "embedding_model.onnx").read_bytes()
    assert embeddings._edit_models(mel, emb) is not None
    assert embeddings._edit_models(emb, mel) is None  # each is not the other's graph
    assert embeddings._edit_models(b"not onnx", emb) is None


def test_fit_runs_in_fit_context(monkeypatch):
    import sklearn

    # @_fit_context(prefer_skip_nested_validation=True): the parameters are validated
    # once, and what fit calls inside skips scikit-learn's validation of its own
    seen = []

    def spy(est, X, **kw):
        seen.append(sklearn.get_config()["skip_parameter_validation"])
        raise RuntimeError("stop before the model files are needed")

    monkeypatch.setattr(embeddings, "validate_waveforms", spy)
    with pytest.raises(ValueError, match="n_threads"):
        SpeechEmbeddingExtractor(n_threads=0).fit([np.zeros(800, np.float32)])
    assert seen == []
    with pytest.raises(RuntimeError, match="stop"):
        SpeechEmbeddingExtractor().fit([np.zeros(800, np.float32)])
    assert seen == [True]
    assert sklearn.get_config()["skip_parameter_validation"] is False

"""The bundled pretrained models: loading, cards, the default choice."""

import numpy as np
import pytest

from sklearn_audiodigit import pretrained
from sklearn_audiodigit.embeddings import speech_embedding_available
from sklearn_audiodigit.pretrained import (
    PRETRAINED_MODELS,
    default_pretrained,
    load_pretrained,
    pretrained_card,
    pretrained_path,
)

MAX_BYTES = 6_000_000  # each bundled file stays a few MB at most (svc: 4.97 MB)


@pytest.mark.parametrize("name", list(PRETRAINED_MODELS))
def test_bundled_files_are_small_safe_models(name):
    path = pretrained_path(name)
    assert path.stat().st_size < MAX_BYTES
    with open(path, "rb") as f:
        assert f.read(4) == b"PK\x03\x04"  # the safe format, not a pickle


def test_load_the_mfcc_svc_and_predict(fsdd_sample):
    model, meta = load_pretrained("svc", return_metadata=True)
    assert meta["sr"] == 8000 and meta["model_name"] == "svc"
    X, y = fsdd_sample.data[::10], np.asarray(fsdd_sample.target[::10])
    assert (model.predict(X) == y).mean() >= 0.9  # FSDD was its training data
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("name", list(PRETRAINED_MODELS))
def test_cards_name_the_data_licence_and_figures(name):
    card = pretrained_card(name)
    assert card["name"] == name
    assert "CC BY-SA 4.0" in card["training_data"]["licence"]
    assert card["training_data"]["n_clips"] == 3000
    assert card["accuracy"] and all(0 < v <= 1 for v in card["accuracy"].values())
    assert "tools/build_pretrained.py" in card["built_with"]
    assert "scikit-learn" in card["versions"]


def test_default_follows_the_embedding(monkeypatch):
    expected = "embed-svc" if speech_embedding_available() else "svc"
    assert default_pretrained() == expected
    monkeypatch.setattr(
        "sklearn_audiodigit.embeddings.speech_embedding_available", lambda model_dir=None: False
    )
    assert default_pretrained() == "svc"


def test_unknown_and_missing_models(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="embed-svc, svc"):
        load_pretrained("cnn")
    monkeypatch.setattr(pretrained, "_FOLDER", tmp_path)
    with pytest.raises(FileNotFoundError, match="build_pretrained"):
        pretrained_path("svc")


@pytest.mark.skipif(not speech_embedding_available(), reason="speech embedding missing")
def test_load_the_embedding_head(fsdd_sample):
    model = load_pretrained("embed-svc")
    X, y = fsdd_sample.data[::15], np.asarray(fsdd_sample.target[::15])
    assert (model.predict(X) == y).mean() >= 0.9

"""The command line's cross-corpus evaluation, bundled models and default model.

``evaluate --model-file`` / ``--test-data`` on folders built from the bundled
sample; ``predict`` and ``info`` without a model file (the bundled models); the
default model with and without the speech embedding.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sklearn_audiodigit import cli
from sklearn_audiodigit.cli import main
from sklearn_audiodigit.embeddings import speech_embedding_available
from sklearn_audiodigit.persistence import read_model_metadata

needs_embedding = pytest.mark.skipif(
    not speech_embedding_available(),
    reason="onnxruntime or the speech-embedding model files are missing",
)


def _folder(tmp_path, fsdd_sample, name, speakers, takes=("_0", "_1")):
    folder = tmp_path / name
    folder.mkdir()
    for f in fsdd_sample.filenames:
        stem = Path(f).stem
        if stem.split("_")[1] in speakers and stem.endswith(takes):
            shutil.copy(f, folder)
    return folder


@pytest.fixture(scope="module")
def corpora(tmp_path_factory, fsdd_sample):
    """Two folders of different speakers: 4 to train on, 2 to test on."""
    tmp = tmp_path_factory.mktemp("corpora")
    speakers = sorted(set(fsdd_sample.speaker))
    train = _folder(tmp, fsdd_sample, "train", speakers[:4], takes=("_0", "_1", "_2", "_3"))
    test = _folder(tmp, fsdd_sample, "test", speakers[4:])
    return train, test, speakers[4:]


@pytest.fixture(scope="module")
def svc_file(tmp_path_factory, corpora):
    path = tmp_path_factory.mktemp("model") / "svc.model"
    argv = ["train", "--model", "svc", "--data", str(corpora[0]), "-o", str(path), "--quiet"]
    assert main(argv) == 0
    return path


def test_evaluate_a_model_file_on_a_folder(capsys, corpora, svc_file):
    _, test, test_speakers = corpora
    capsys.readouterr()
    argv = ["evaluate", "--model-file", str(svc_file), "--data", str(test), "--json", "--quiet"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["per_speaker"]) == set(test_speakers)
    assert report["n_clips"] == 40
    assert report["worst_speaker"]["accuracy"] == min(report["per_speaker"].values())
    assert len(report["confusion_matrix"]) == 10
    assert report["extra"]["model_file"] == str(svc_file)
    assert 0.0 <= report["accuracy_mean"] <= 1.0
    # text mode: the worst speaker and the confusion matrix
    assert main(["evaluate", "--model-file", str(svc_file), "--test-data", str(test)]) == 0
    out = capsys.readouterr().out
    assert "worst speaker:" in out and "Confusion matrix" in out


def test_evaluate_train_on_one_corpus_test_on_another(capsys, corpora):
    train, test, test_speakers = corpora
    argv = ["evaluate", "--model", "svc", "--data", str(train), "--test-data", str(test)]
    assert main([*argv, "--json", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["per_speaker"]) == set(test_speakers)
    assert report["extra"]["train"].endswith(str(train))
    assert report["extra"]["test"].endswith(str(test))
    assert report["n_clips"] == 40


def test_evaluate_model_file_and_model_is_a_usage_error(capsys, corpora, svc_file):
    argv = ["evaluate", "--model-file", str(svc_file), "--model", "svc", "--data", str(corpora[1])]
    assert main(argv) == 2
    assert "--model-file" in capsys.readouterr().err


def test_predict_without_a_model_file_uses_the_bundled_svc(capsys, fsdd_sample):
    files = list(fsdd_sample.filenames[:20])
    assert main(["predict", *files, "--pretrained", "svc", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in records] == files
    labels = np.array([r["label"] for r in records])
    assert (labels == np.asarray(fsdd_sample.target[:20])).mean() >= 0.9  # seen in training


def test_predict_a_folder_with_the_default_bundled_model(capsys, monkeypatch, corpora):
    monkeypatch.setattr(cli, "_default_model", lambda: "svc")
    monkeypatch.setattr("sklearn_audiodigit.pretrained.default_pretrained", lambda: "svc")
    assert main(["predict", str(corpora[1])]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 40
    # without the embedding, one line says how to get the better model
    (note,) = captured.err.splitlines()
    assert note.startswith("audiodigit: note:") and "openwakeword==0.5.1" in note


def test_a_model_file_first_still_works_and_audio_is_told_apart(capsys, svc_file, fsdd_sample):
    clip = fsdd_sample.filenames[0]
    assert cli._is_audio_argument(clip)
    assert not cli._is_audio_argument(str(svc_file))
    assert not cli._is_audio_argument("missing.model")
    assert main(["predict", str(svc_file), clip]) == 0
    assert capsys.readouterr().out.startswith(clip)
    # a model file given an audio extension is still a model file, by its content
    disguised = svc_file.parent / "disguised.wav"
    shutil.copy(svc_file, disguised)
    assert not cli._is_audio_argument(str(disguised))
    assert main(["predict", str(svc_file)]) == 2
    assert "no audio file" in capsys.readouterr().err


def test_info_shows_the_bundled_models_card(capsys):
    assert main(["info", "--pretrained", "svc"]) == 0
    out = capsys.readouterr().out
    for text in ("svc", "Free Spoken Digit Dataset", "CC BY-SA 4.0", "accuracy", "versions"):
        assert text in out
    assert main(["info", "--pretrained", "svc", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["training_data"]["n_clips"] == 3000
    assert main(["info"]) == 0  # the card of the model predict would use
    assert "pretrained model:" in capsys.readouterr().out


@needs_embedding
def test_info_embed_card_states_the_licence(capsys):
    assert main(["info", "--pretrained", "embed-svc"]) == 0
    out = capsys.readouterr().out
    assert "CC BY-NC-SA 4.0" in out and "Apache-2.0" in out and "2002.01322" in out


@needs_embedding
def test_embed_svc_is_the_default_where_available(capsys, tmp_path, corpora):
    path = tmp_path / "default.model"
    assert main(["train", "--data", str(corpora[1]), "-o", str(path), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "embed-svc" in captured.out and "note" not in captured.err
    meta = read_model_metadata(path)
    assert meta["model_name"] == "embed-svc"
    assert "SpeechEmbeddingExtractor" in json.dumps(meta["feature_settings"])
    assert path.stat().st_size < 1_000_000  # the head only
    assert main(["info", str(path)]) == 0
    assert "CC BY-NC-SA 4.0" in capsys.readouterr().out
    assert main(["predict", str(path), str(corpora[1]), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 40 and all("label" in r for r in records)


@needs_embedding
def test_predict_with_the_bundled_embedding_model(capsys, fsdd_sample):
    files = list(fsdd_sample.filenames[::30])
    assert main(["predict", *files, "--json"]) == 0
    captured = capsys.readouterr()
    assert "note" not in captured.err
    labels = np.array([json.loads(line)["label"] for line in captured.out.splitlines()])
    assert (labels == np.asarray(fsdd_sample.target[::30])).mean() >= 0.9


def test_transcribe_without_a_model_file(capsys, fsdd_sample):
    clip = fsdd_sample.filenames[0]
    assert main(["transcribe", clip, "--pretrained", "svc", "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["file"] == clip and "digits" in record

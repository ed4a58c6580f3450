"""Tests of sklearn_audiodigit.reporting: the text report, the saved report and the plots."""

import json

import numpy as np
import pytest

from sklearn_audiodigit.reporting import format_report, save_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_format_report(sample_report):
    report, _, _ = sample_report
    text = format_report(report, title="svc on sample")
    lines = text.splitlines()
    assert lines[0] == "svc on sample"
    assert "clips: 300" in text
    assert f"mean accuracy {report.accuracy_mean:.4f}" in text
    for acc in report.fold_accuracies:
        assert f"{acc:.4f}" in text
    for spk in np.unique(report.fold_test_groups):
        assert spk in text
    assert "Confusion matrix" in text


def test_save_report(sample_report, tmp_path):
    report, _, _ = sample_report
    paths = save_report(report, tmp_path / "new" / "dir", metadata={"dataset": "sample"})
    assert set(paths) == {"metrics", "confusion_matrix", "per_class_accuracy"}
    data = json.loads(paths["metrics"].read_text())
    assert data["accuracy_mean"] == pytest.approx(report.accuracy_mean)
    assert data["dataset"] == "sample"
    for key in ("confusion_matrix", "per_class_accuracy"):
        content = paths[key].read_bytes()
        assert content.startswith(PNG_SIGNATURE)
        assert len(content) > 1000


def test_plot_confusion_matrix_cells_readable(sample_report):
    """Normalised cells are whole percentages, empty cells blank (10 x 10 stays legible)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_audiodigit.reporting import plot_confusion_matrix

    report, _, _ = sample_report
    disp = plot_confusion_matrix(report, normalize="true")
    matrix = disp.confusion_matrix
    texts = np.array([t.get_text() for t in disp.text_.ravel()]).reshape(matrix.shape)
    assert (texts[matrix == 0] == "").all()
    nonzero = matrix > 0
    assert nonzero.sum() > 10
    np.testing.assert_array_equal(
        texts[nonzero].astype(int), np.round(100 * matrix[nonzero]).astype(int)
    )
    assert "% of each true class" in disp.ax_.get_title()
    counts = plot_confusion_matrix(report)
    shown = [t.get_text() for t in counts.text_.ravel() if t.get_text()]
    assert sum(map(int, shown)) == len(report.y_true)
    plt.close("all")

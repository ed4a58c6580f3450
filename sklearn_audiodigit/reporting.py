"""Figures and text for evaluation reports (scikit-learn displays and matplotlib).

matplotlib is imported when a figure is drawn, not when this module is imported.
"""

import json
from pathlib import Path

import numpy as np

__all__ = [
    "format_report",
    "plot_confusion_matrix",
    "plot_per_class_accuracy",
    "save_report",
]


def format_report(report, *, title=None):
    """Render an :class:`~sklearn_audiodigit.evaluation.EvaluationReport` as text.

    Parameters
    ----------
    report : EvaluationReport
        The evaluation to render.
    title : str or None, default=None
        First line of the text.

    Returns
    -------
    text : str
        Per-fold accuracy and macro-F1, mean +- std, the classification report and
        the confusion matrix (rows true, columns predicted).
    """
    lines = []
    if title:
        lines += [title, "=" * len(title)]
    lines.append(f"clips: {report.n_clips}    split: {report.cv}")
    lines.append("")
    lines.append(f"{'fold':>4}  {'held out':<24} {'accuracy':>9} {'macro-F1':>9} {'seconds':>8}")
    for i, (acc, f1, sec) in enumerate(
        zip(report.fold_accuracies, report.fold_f1_macro, report.fold_seconds, strict=True)
    ):
        held = ",".join(report.fold_test_groups[i]) if report.fold_test_groups[i] else "-"
        if len(held) > 24:
            held = held[:21] + "..."
        lines.append(f"{i + 1:>4}  {held:<24} {acc:>9.4f} {f1:>9.4f} {sec:>8.1f}")
    lines.append(
        f"mean accuracy {report.accuracy_mean:.4f} +- {report.accuracy_std:.4f}    "
        f"mean macro-F1 {report.f1_macro_mean:.4f} +- {report.f1_macro_std:.4f}"
    )
    per_speaker = report.per_group_accuracy()
    if per_speaker:
        worst, worst_acc = report.worst_group()
        lines.append(f"worst speaker: {worst} {worst_acc:.4f}")
        lines.append("per speaker: " + ", ".join(f"{g} {a:.3f}" for g, a in per_speaker.items()))
    lines.append("")
    lines.append("Classification report (out-of-fold predictions, all folds):")
    lines.append(report.classification_report())
    lines.append("Confusion matrix (rows: true, columns: predicted):")
    labels = [str(v) for v in report.labels]
    width = max(4, max(len(s) for s in labels) + 1)
    cm = report.confusion_matrix()
    width = max(width, len(str(cm.max())) + 1)
    lines.append(" " * width + "".join(f"{s:>{width}}" for s in labels))
    for s, row in zip(labels, cm, strict=True):
        lines.append(f"{s:>{width}}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def plot_confusion_matrix(report, *, normalize=None, ax=None):
    """Plot the out-of-fold confusion matrix with scikit-learn's display.

    The cells are written so that a 10 x 10 matrix stays readable at the width of a
    page: counts as integers, a normalised matrix as whole percentages (``83``
    for 0.83), and empty cells (0) left blank. The colour map is sequential
    ("Blues"), readable in greyscale and by colour-blind readers.

    Parameters
    ----------
    report : EvaluationReport
        The evaluation to plot.
    normalize : {"true", "pred", "all"} or None, default=None
        Normalisation, as in :func:`sklearn.metrics.confusion_matrix`; the cells
        then show percentages.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    display : sklearn.metrics.ConfusionMatrixDisplay
        The display, with ``figure_``, ``ax_`` and ``text_`` (the cell labels).
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    disp = ConfusionMatrixDisplay.from_predictions(
        report.y_true,
        report.y_pred,
        labels=report.labels,
        normalize=normalize,
        ax=ax,
        colorbar=False,
        cmap="Blues",
        values_format=".2f" if normalize else "d",
    )
    for value, text in zip(disp.confusion_matrix.ravel(), disp.text_.ravel(), strict=True):
        if value == 0:
            text.set_text("")
        elif normalize:
            text.set_text(f"{100 * value:.0f}")
    unit = {"true": " (% of each true class)", "pred": " (% of each prediction)"}
    title = f"Confusion matrix{unit.get(normalize, ' (%)' if normalize else '')}"
    disp.ax_.set_title(f"{title}\n{report.cv}")
    return disp


def plot_per_class_accuracy(report, *, ax=None):
    """Bar chart of each class's out-of-fold accuracy (recall).

    Parameters
    ----------
    report : EvaluationReport
        The evaluation to plot.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    acc = report.per_class_accuracy()
    labels = [str(v) for v in report.labels]
    ax.bar(labels, np.nan_to_num(acc), color="tab:blue")
    ax.axhline(np.nanmean(acc), color="tab:red", linestyle="--", label="mean")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("class")
    ax.set_ylabel("accuracy (recall)")
    ax.set_title(f"Per-class accuracy - {report.cv}")
    ax.legend(loc="lower right")
    return ax


def save_report(report, out_dir, *, metadata=None):
    """Write ``metrics.json``, ``confusion_matrix.png`` and ``per_class_accuracy.png``.

    Parameters
    ----------
    report : EvaluationReport
        The evaluation to save.
    out_dir : str or os.PathLike
        Folder, created if missing.
    metadata : dict or None, default=None
        Extra JSON-ready fields merged into ``metrics.json`` (model, dataset, ...).

    Returns
    -------
    paths : dict of str to pathlib.Path
        The written files under the keys ``"metrics"``, ``"confusion_matrix"`` and
        ``"per_class_accuracy"``.

    Raises
    ------
    OSError
        If the folder cannot be created or written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = report.to_dict()
    data.update(metadata or {})
    paths = {
        "metrics": out / "metrics.json",
        "confusion_matrix": out / "confusion_matrix.png",
        "per_class_accuracy": out / "per_class_accuracy.png",
    }
    paths["metrics"].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    fig, ax = plt.subplots(figsize=(6, 5))
    plot_confusion_matrix(report, ax=ax)
    fig.tight_layout()
    fig.savefig(paths["confusion_matrix"], dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    plot_per_class_accuracy(report, ax=ax)
    fig.tight_layout()
    fig.savefig(paths["per_class_accuracy"], dpi=100)
    plt.close(fig)
    return paths

"""Learning curves of a trained network (matplotlib)."""

__all__ = ["plot_learning_curves"]


def _history_of(net):
    history = getattr(net, "history_", None)
    if history is None and hasattr(net, "steps"):  # a Pipeline: its last step
        history = getattr(net.steps[-1][1], "history_", None)
    if history is None and isinstance(net, list):  # a skorch History / list of dicts
        history = net
    if history is None or len(history) == 0:
        raise ValueError(
            "plot_learning_curves needs a fitted network (an estimator with a non-empty "
            f"history_, a Pipeline ending in one, or a skorch History), got {type(net).__name__}."
        )
    return history


def plot_learning_curves(net, *, axes=None):
    """Plot loss and accuracy per epoch from a network's training history.

    Parameters
    ----------
    net : fitted network, Pipeline ending in one, or skorch.History
        Anything with a ``history_`` of per-epoch dicts (``train_loss``,
        ``train_acc`` and, with early stopping, ``valid_loss`` and ``valid_acc``).
    axes : sequence of 2 matplotlib Axes, default=None
        Where to draw the loss and the accuracy; a new figure with two side-by-side
        axes when None.

    Returns
    -------
    axes : ndarray of 2 matplotlib Axes
        The loss axes (left) and the accuracy axes (right).

    Raises
    ------
    ValueError
        If ``net`` has no training history.

    Notes
    -----
    Training accuracy is measured on the augmented training batches while the
    network learns (with dropout on), so it usually lies below validation accuracy
    early in training.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    history = _history_of(net)
    epochs = [row["epoch"] for row in history]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    axes = np.asarray(axes).ravel()
    for ax, metric, label in ((axes[0], "loss", "loss"), (axes[1], "acc", "accuracy")):
        for split in ("train", "valid"):
            key = f"{split}_{metric}"
            points = [(e, row[key]) for e, row in zip(epochs, history, strict=True) if key in row]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker="o", markersize=3, label=split)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend()
    axes[0].set_title("Loss per epoch")
    axes[1].set_title("Accuracy per epoch")
    return axes

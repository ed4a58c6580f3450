"""Imports kept off the cold-start path of ``audiodigit predict``."""

import importlib.abc
import sys


class _Refuse(importlib.abc.MetaPathFinder):
    """Meta-path finder that makes the import of some top-level packages fail."""

    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is not imported here", name=fullname)
        return None


def import_skops_io():
    """Import and return :mod:`skops.io` without importing torch.

    skops.io lists the types it trusts with ``sklearn.utils.all_estimators()``,
    which walks every scikit-learn package, among them the vendored
    ``sklearn.externals.array_api_compat.torch``; that package imports torch, the
    largest part of a cold ``audiodigit predict`` (1 of its 3.2 s, issue 19),
    although no model of this library needs torch to be loaded by skops. So, while
    skops.io is imported and only if torch is not imported yet, importing torch
    fails: the walk skips that package (it ignores ImportError), and scikit-learn
    and scipy check ``sys.modules`` for torch at call time, so later imports of
    torch (a network's model file) work as usual.

    Returns
    -------
    module
        :mod:`skops.io`.

    Raises
    ------
    ImportError
        If skops is not installed.
    """
    if "skops.io" in sys.modules or "torch" in sys.modules:
        import skops.io

        return skops.io
    refuse = _Refuse({"torch"})
    sys.meta_path.insert(0, refuse)
    try:
        import skops.io
    finally:
        sys.meta_path.remove(refuse)
    return skops.io

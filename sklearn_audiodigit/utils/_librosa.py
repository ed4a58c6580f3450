"""librosa's ParameterError as this library's AudioValueError (a ValueError)."""

from contextlib import contextmanager

from ..exceptions import AudioValueError


@contextmanager
def librosa_errors(what):
    """Re-raise librosa's ``ParameterError`` (not a ``ValueError``) as ``AudioValueError``.

    Parameters
    ----------
    what : str
        What was being computed, with the parameters that matter (for the message).

    Raises
    ------
    AudioValueError
        In place of ``librosa.util.exceptions.ParameterError``, chained to it.
    """
    from librosa.util.exceptions import ParameterError

    try:
        yield
    except ParameterError as err:
        raise AudioValueError(f"{what}: {err}") from err

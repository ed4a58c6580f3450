"""Utilities: the data contract (validation of paths, waveforms and sampling rates)."""

from ._validation import check_waveforms, is_ragged

__all__ = ["check_waveforms", "is_ragged"]

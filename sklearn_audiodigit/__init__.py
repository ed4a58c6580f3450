"""sklearn-audiodigit: spoken-digit recognition as scikit-learn estimators.

Raw audio is just another kind of ``X``: file paths and waveforms go through
scikit-learn transformers (reading, resampling, trimming, padding, MFCC and
log-mel features) into any scikit-learn classifier, and are evaluated with
speaker-grouped cross-validation.

The neural networks live in :mod:`sklearn_audiodigit.nn` and need the ``[nn]``
extra (torch, skorch); importing this package does not import torch.
"""

__version__ = "0.1.0.dev0"

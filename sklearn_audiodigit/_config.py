"""Library-wide defaults shared by loaders and transformers."""

#: Default sampling rate, in Hz, of every loader and transformer.
#:
#: 8 kHz is the native rate of the Free Spoken Digit Dataset and of telephone speech,
#: and covers the 0-4 kHz band where the formants that distinguish digits lie.
DEFAULT_SR = 8000

#: Names of the models of :func:`sklearn_audiodigit.pipelines.make_model` (here, so
#: that the command line lists them without importing scikit-learn).
CLASSICAL_MODELS = ("svc",)
EMBEDDING_MODELS = ("embed-svc",)
NEURAL_MODELS = ("mlp", "cnn", "rnn", "resnet")
MODELS = CLASSICAL_MODELS + EMBEDDING_MODELS + NEURAL_MODELS

"""Order of the examples in the gallery: from the first steps to the networks."""

ORDER = [
    "plot_quickstart.py",
    "plot_waveforms_spectrograms.py",
    "plot_random_vs_speaker_split.py",
    "plot_compare_features.py",
    "plot_tune_mfcc_gridsearch.py",
    "plot_confusion_roc.py",
    "plot_speaker_identification.py",
    "plot_predict_your_wav.py",
    "plot_speech_embedding.py",
    "plot_transcribe_digit_string.py",
    "plot_graded_confidence.py",
    "plot_cnn_learning_curves.py",
    "plot_compare_networks.py",
]


class ExampleOrder:
    """sphinx-gallery sort key: the position in ``ORDER``, then the file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        position = ORDER.index(filename) if filename in ORDER else len(ORDER)
        return (position, filename)

    def __repr__(self):
        return "ExampleOrder"

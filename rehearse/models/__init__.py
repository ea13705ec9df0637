"""Neural models behind small interfaces: speech-to-text, text-to-speech, and where weights come from."""

from rehearse.models.errors import ModelLoadError

__all__ = ["ModelLoadError"]

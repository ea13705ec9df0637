"""Exception types raised when a model cannot be found or loaded."""


class ModelLoadError(RuntimeError):
    """A model's files are missing, corrupt or unreachable; the message says what to do."""

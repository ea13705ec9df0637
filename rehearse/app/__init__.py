"""The application: the headless practice `Session`, the CLI and (later) the Qt GUI."""

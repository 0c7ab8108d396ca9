"""One reader per input format: pure functions from bytes to ``Extracted``."""

"""seoulrec: records-archive and publication toolkit for Seoul's open administration."""

__version__ = "0.1.0"

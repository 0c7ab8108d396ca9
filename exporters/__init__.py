"""Exporter plugins. Installed as ``seoulrec.exporters``."""

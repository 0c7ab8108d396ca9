"""Classifier plugins. Installed as ``seoulrec.classifiers``."""

"""The catalog and its backends, and every SQL statement seoulrec runs. ``catalog.py`` opens,
creates and migrates a catalog (SQLite; ``pg.py`` the PostgreSQL backend built on it) with its
transactions, run locks and meta values; ``schema.py`` the migrations; ``dialect.py`` what each
backend says differently (types, JSON, list parameters, aggregates, hints, triggers, new ids);
then one module of named statements per subject: ``writer.py`` (batched ingest writes),
``records.py`` (record views and reads), ``classifications.py``, ``disclosures.py``,
``publications.py`` (index and site rows, export runs), ``registers.py`` (meetings,
pre-publication), ``reports.py`` and ``checks.py``; ``locks.py`` the kernel-released lock files.
No other layer executes SQL: it calls these functions."""

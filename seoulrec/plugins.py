"""Registries for classifier and exporter plugins.

Built-ins and third-party plugins register the same way: a class with a ``name``, listed
in the entry-point groups ``seoulrec.classifiers`` / ``seoulrec.exporters``. Duplicate names
fail loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, Generic, TypeVar

from seoulrec.errors import SeoulrecError, UsageError


class UnknownPlugin(UsageError):
    pass


class DuplicatePlugin(SeoulrecError):
    pass


@dataclass
class ClassifierResult:
    category: str
    confidence: float
    evidence: dict = field(default_factory=dict)


class Classifier:
    """A classifier plugin. ``classify`` gets record dicts (id, title, department, unit_task,
    text) and returns one result or None per record, in order."""

    name: ClassVar[str] = ""
    #: An authoritative result wins over every other (e.g. the unit-task mapping).
    authoritative: ClassVar[bool] = False
    description: ClassVar[str] = ""

    def __init__(self, context: Any):
        self.context = context

    def classify(
        self, records: list[dict]
    ) -> list[ClassifierResult | None]:  # pragma: no cover - interface
        raise NotImplementedError


class Exporter:
    """An exporter plugin: writes files into the folder it is given (never chooses paths)."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: Whether a run can write only what changed (``--since last``).
    incremental: ClassVar[bool] = True
    #: Whether rows carry the (masked) text of published originals.
    needs_text: ClassVar[bool] = False
    #: Whether the output is split by production month (``parts/YYYY-MM/``), so that an
    #: incremental run rewrites only the months that changed; ``write`` is then called once per
    #: partition, each time with a complete month.
    partitioned: ClassVar[bool] = False

    def write(self, context, rows, folder) -> dict:  # pragma: no cover - interface
        """Write ``rows`` (an iterator of public rows) into ``folder``; return counts."""
        raise NotImplementedError

    def write_tombstones(self, context, tombstones: list[dict], folder) -> dict:
        return {}


@dataclass(frozen=True)
class LineFile:
    """A file of one line (fragment) per row: ``head`` + fragments joined by ``sep`` + ``tail``,
    or ``empty`` when there is no row. A fragment never contains ``sep``."""

    name: str
    head: str
    sep: str
    tail: str
    empty: str
    encoding: str = "utf-8"
    newline: str | None = None


class LineExporter(Exporter):
    """An exporter whose files hold one fragment per row, in row order. The runner can then
    rewrite a changed month by splicing: fragments of unchanged rows are copied from the
    published files, only changed rows are rendered (``render``), and the bytes are the same as
    a full render's (``write`` below assembles both the same way)."""

    partitioned = True
    line_files: ClassVar[tuple[LineFile, ...]] = ()

    def render(self, context, row: dict) -> tuple[str, ...]:  # pragma: no cover - interface
        """One fragment per file of ``line_files`` for ``row``."""
        raise NotImplementedError

    def open_writer(self, folder) -> "LineWriter":
        return LineWriter(folder, self.line_files)

    def write(self, context, rows, folder) -> dict:
        writer = self.open_writer(folder)
        try:
            for row in rows:
                writer.add(self.render(context, row))
        finally:
            writer.close()
        return {"rows": writer.count}

    def read_fragments(self, folder) -> list[list[bytes]] | None:
        """The fragments (as encoded bytes) of files this exporter wrote into ``folder``; None
        if they do not have the expected layout (the month is then rendered in full)."""
        result: list[list[bytes]] = []
        for spec in self.line_files:
            head, sep, tail, empty = (
                part.encode(spec.encoding) for part in (spec.head, spec.sep, spec.tail, spec.empty)
            )
            try:
                with open(folder / spec.name, "rb") as fh:
                    data = fh.read()
            except OSError:
                return None
            if data == empty:
                result.append([])
            elif (
                data.startswith(head) and data.endswith(tail) and len(data) >= len(head) + len(tail)
            ):
                result.append(data[len(head) : len(data) - len(tail)].split(sep))
            else:
                return None
        return result


class LineWriter:
    """Streams fragments into a ``LineExporter``'s files (full renders and splices alike)."""

    def __init__(self, folder, specs: tuple[LineFile, ...]):
        self.specs = specs
        self.handles = [
            open(folder / spec.name, "w", encoding=spec.encoding, newline="") for spec in specs
        ]
        self.count = 0

    def add(self, fragments) -> None:
        for fh, spec, fragment in zip(self.handles, self.specs, fragments):
            fh.write((spec.sep if self.count else spec.head) + fragment)
        self.count += 1

    def close(self) -> None:
        for fh, spec in zip(self.handles, self.specs):
            fh.write(spec.tail if self.count else spec.empty)
            fh.close()


P = TypeVar("P")


class Registry(Generic[P]):
    """Plugins of one kind by name: built-ins and the entry-point group, duplicates refused."""

    def __init__(self, group: str, builtins: list[str]):
        self.group = group
        self.builtins = builtins
        self._plugins: dict[str, type[P]] | None = None

    def register(self, plugins: dict[str, type[P]], cls: type[P], origin: str) -> None:
        name = getattr(cls, "name", "")
        if not name:
            raise SeoulrecError(f"plugin {cls!r} from {origin} has no name")
        if name in plugins and plugins[name] is not cls:
            raise DuplicatePlugin(
                f"two {self.group} plugins are named {name!r} ({plugins[name].__module__} and {cls.__module__})"
            )
        plugins[name] = cls

    def all(self) -> dict[str, type[P]]:
        if self._plugins is None:
            import importlib

            plugins: dict[str, type[P]] = {}
            for module_name in self.builtins:
                module = importlib.import_module(module_name)
                for cls in getattr(module, "PLUGINS", []):
                    self.register(plugins, cls, module_name)
            for ep in entry_points(group=self.group):
                self.register(plugins, ep.load(), f"entry point {ep.name}")
            self._plugins = plugins
        return self._plugins

    def get(self, name: str) -> type[P]:
        plugins = self.all()
        if name not in plugins:
            kind = {"seoulrec.classifiers": "classifier", "seoulrec.exporters": "format"}.get(
                self.group, "plugin"
            )
            raise UnknownPlugin(f"unknown {kind} {name!r}; known: {', '.join(sorted(plugins))}")
        return plugins[name]


classifiers: Registry[Classifier] = Registry(
    "seoulrec.classifiers",
    [
        "seoulrec.classifiers.unit_task",
        "seoulrec.classifiers.department",
        "seoulrec.classifiers.keywords",
        "seoulrec.classifiers.statistical",
    ],
)
exporters: Registry[Exporter] = Registry(
    "seoulrec.exporters",
    [
        "seoulrec.exporters.seoul_csv",
        "seoulrec.exporters.jsonl",
        "seoulrec.exporters.atom",
        "seoulrec.exporters.sitemap",
    ],
)

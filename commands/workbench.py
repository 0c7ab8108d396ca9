"""``seoulrec review`` with no subcommand: the archivist's workbench, a Textual terminal app over
the review queues (classification suggestions under the threshold, withheld decisions awaiting
the review board, re-reviews due). One record at a time; every decision goes through the same
core functions as ``classify set`` and ``disclose set`` (audited, one transaction each), so
archivists working side by side, or with the commands, are safe. Works over SSH in 80x24.
"""

from dataclasses import dataclass, field
from datetime import date

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from seoulrec.decide import classify, disclosure, filing
from seoulrec.errors import SeoulrecError
from seoulrec.store.fulltext import Query, search

from .console import confidence_text

CLASS_WORDS = {"public": "공개", "partial": "부분공개", "non_public": "비공개"}


@dataclass
class Item:
    """One record waiting in a queue, and why."""

    record_id: int
    queue: str  # "classification" | "unit_task" | "suspect" | "board" | "rereview" | "opened"
    why: str
    suggestions: list[dict] = field(default_factory=list)


def build_queue(catalog, which: str, policy, today: date) -> list[Item]:
    items: list[Item] = []
    if which in ("classification", "all"):
        for entry in classify.review_queue(catalog):
            items.append(
                Item(
                    entry["id"],
                    "classification",
                    "분류 검토: below the threshold",
                    entry["suggestions"][:5],
                )
            )
    if which in ("unit-tasks", "all"):
        for entry in filing.queue(catalog):
            items.append(
                Item(
                    entry["id"],
                    "unit_task",
                    "단위과제 검토: below the unit-task threshold",
                    [
                        {
                            "category": a["unit_task"],
                            "confidence": a["confidence"],
                            "classifier": "unit_task",
                        }
                        for a in entry["alternatives"]
                    ],
                )
            )
    if which == "suspects":  # fits a model over the catalog: only when asked for
        from seoulrec.decide.suspects import suspects

        found = suspects(catalog)
        for entry in found["to_open"] + found["to_check"]:
            look = "looks public" if entry["declared"] == "비공개" else "looks withheld"
            nearest = "; ".join(n["title"] for n in entry["nearest_other_class"][:2])
            items.append(
                Item(
                    entry["id"],
                    "suspect",
                    f"다시 보기: {entry['declared']} but {look} "
                    f"(P(withheld) {entry['probability_withheld']:.2f}; like: {nearest})",
                )
            )
    if which in ("disclosure", "all"):
        for entry in disclosure.review_queue(catalog, policy, today):
            items.append(
                Item(entry["id"], "board", f"직권심의: {entry['class']} awaiting the board")
            )
        for entry in disclosure.due(catalog, today)["rereviews"]:
            items.append(Item(entry["id"], "rereview", f"재검토: due {entry['next_review']}"))
    return items


class SchemeScreen(ModalScreen):
    """Search the classification scheme by code or name; Enter files the record there."""

    BINDINGS = [Binding("escape", "dismiss_none", "cancel")]

    def __init__(self, categories: dict) -> None:
        super().__init__()
        self.categories = categories

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("분류체계 검색 (code or name; Enter to choose, Esc to cancel)")
            yield Input(placeholder="예: 도로, TRA", id="scheme-query")
            yield OptionList(id="scheme-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        text = text.strip().lower()
        for code, category in self.categories.items():
            if not text or text in code.lower() or text in category.name.lower():
                options.add_option(Option(f"{code}  {category.name}", id=code))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted or 0).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class DiscloseScreen(ModalScreen):
    """A disclosure class with its grounds and a reason (principle 5), as ``disclose set``."""

    BINDINGS = [Binding("escape", "dismiss_none", "cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("공개구분: public | partial | non_public  (Enter moves on, Esc cancels)")
            yield Input(placeholder="class", id="class")
            yield Input(placeholder="grounds 1-8, e.g. 5,6 (not for public)", id="grounds")
            yield Input(placeholder="reason in words", id="reason")
            yield Static("", id="problem")

    def on_mount(self) -> None:
        self.query_one("#class", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "class":
            self.query_one("#grounds", Input).focus()
            return
        if event.input.id == "grounds":
            self.query_one("#reason", Input).focus()
            return
        cls = self.query_one("#class", Input).value.strip()
        raw = self.query_one("#grounds", Input).value.replace(" ", "")
        try:
            grounds = [int(g) for g in raw.split(",") if g]
        except ValueError:
            self.query_one("#problem", Static).update(f"grounds must be numbers 1-8, not {raw!r}")
            return
        self.dismiss(
            {"class": cls, "grounds": grounds, "reason": self.query_one("#reason", Input).value}
        )

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class SearchScreen(ModalScreen):
    """``/``: search the catalog (as ``seoulrec search``); Enter on a hit opens it."""

    BINDINGS = [Binding("escape", "dismiss_none", "cancel")]

    def __init__(self, catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("카탈로그 검색 (Enter to search, then choose a record; Esc to cancel)")
            yield Input(placeholder="예: 제설", id="search-query")
            yield Static("", id="search-count")
            yield OptionList(id="search-hits")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            return
        total, hits = search(self.catalog, Query(event.value, status="all", limit=50))
        self.query_one("#search-count", Static).update(f"{total} records match")
        options = self.query_one(OptionList)
        options.clear_options()
        for hit in hits:
            options.add_option(
                Option(
                    f"{hit['id']:>6}  {hit['title'] or ''}  ({hit['department'] or ''})",
                    id=str(hit["id"]),
                )
            )
        if hits:
            options.highlighted = 0
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class Workbench(App):
    TITLE = "seoulrec review"
    CSS = """
    #meta { height: auto; max-height: 6; padding: 0 1; background: $boost; }
    #body { height: 1fr; border: round $primary; padding: 0 1; }
    #suggestions { height: auto; max-height: 7; padding: 0 1; }
    #status { height: 1; padding: 0 1; color: $warning; }
    #dialog { width: 76; height: auto; max-height: 22; border: thick $primary; background: $surface; padding: 0 1; }
    SchemeScreen, DiscloseScreen, SearchScreen { align: center middle; }
    OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [
        Binding("a", "accept", "accept"),
        *[Binding(str(n), f"choose({n})", f"#{n}", show=False) for n in range(1, 6)],
        Binding("s", "scheme", "scheme"),
        Binding("d", "disclose", "class"),
        Binding("n", "skip", "skip"),
        Binding("u", "undo", "undo"),
        Binding("slash", "search", "search"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, catalog, items: list[Item], actor: str, today: date) -> None:
        super().__init__()
        self.catalog, self.items, self.actor, self.today = catalog, items, actor, today
        self.position = 0
        self.opened: Item | None = None  # a record opened from a search, shown instead of the queue
        self.history: list[tuple[str, int, dict | None]] = []  # for undo: (what, record, before)
        self.decided = 0

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="meta")
        with VerticalScroll(id="body"):
            yield Static(id="text")
        yield Static(id="suggestions")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    @property
    def current(self) -> Item | None:
        if self.opened is not None:
            return self.opened
        return self.items[self.position] if self.position < len(self.items) else None

    def show(self) -> None:
        item = self.current
        meta = self.query_one("#meta", Static)
        text = self.query_one("#text", Static)
        suggestions = self.query_one("#suggestions", Static)
        if item is None:
            meta.update(
                f"Every queued record is done ({self.decided} decided). / searches, q quits."
            )
            text.update("")
            suggestions.update("")
            return
        record = self.catalog.get_record(item.record_id)
        chain = " → ".join(
            f"{a['type'] or ''} {a['name'] or ''}({a['position'] or ''})"
            for a in self.catalog.approvals_of(item.record_id)
            if a["kind"] == "approval"
        )
        where = (
            "opened from a search"
            if item is self.opened
            else f"{self.position + 1}/{len(self.items)}"
        )
        meta.update(
            f"[b]{_escape(record['title'] or '(no title)')}[/b]\n"
            f"#{record['id']} {_escape(record['document_number'] or '')}  {_escape(record['department'] or '')}  "
            f"{record['enforcement_date'] or ''}  {CLASS_WORDS.get(record['disclosure_class'] or '', '미지정')}\n"
            f"{_escape(chain) or 'no approval chain'}\n"
            f"[{where}] {_escape(item.why)}"
        )
        parts = [_escape(record["text"] or "(no text)")]
        for attachment in self.catalog.attachments_of(item.record_id):
            parts.append(
                f"\n[b]붙임: {_escape(attachment['name'])}[/b] ({attachment['status']})\n{_escape(attachment['text'] or '')}"
            )
        text.update("\n".join(parts))
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        lines = [
            f"{n}. {_escape(s['category'])} {_escape(s.get('name') or '')}  {confidence_text(s['confidence'])} ({s['classifier']})"
            for n, s in enumerate(item.suggestions[:5], start=1)
        ]
        suggestions.update(
            "\n".join(lines) or "no suggestion: s searches the scheme, d sets a class"
        )

    def say(self, message: str) -> None:
        self.query_one("#status", Static).update(_escape(message))

    def advance(self) -> None:
        if self.opened is not None:
            self.opened = None
        else:
            self.position += 1
        self.show()

    # -- decisions -----------------------------------------------------------------------------
    def _file(self, code: str, reason: str) -> None:
        item = self.current
        if item is None:
            return
        if item.queue == "unit_task":
            self._file_unit_task(code, reason)
            return
        try:
            before = classify.decision_of(self.catalog, item.record_id)
            result = classify.set_manual(
                self.catalog, item.record_id, code, reason, actor=self.actor
            )
        except SeoulrecError as exc:
            self.say(str(exc))
            return
        self.history.append(("classification", item.record_id, before))
        self.decided += 1
        self.say(f"#{item.record_id} filed under {result['category']} {result['name']} (u undoes)")
        self.advance()

    def _file_unit_task(self, unit_task: str, reason: str) -> None:
        item = self.current
        assert item is not None
        try:
            before = filing.filing_of(self.catalog, item.record_id)
            result = filing.accept(
                self.catalog, item.record_id, reason, unit_task=unit_task, actor=self.actor
            )
        except SeoulrecError as exc:
            self.say(str(exc))
            return
        self.history.append(("unit_task", item.record_id, before))
        self.decided += 1
        self.say(
            f"#{item.record_id} filed under {result['unit_task']} (보존기간 {result['retention']}; u undoes)"
        )
        self.advance()

    def action_accept(self) -> None:
        item = self.current
        if item is None or not item.suggestions:
            self.say("no suggestion to accept: s searches the scheme")
            return
        self.action_choose(1)

    def action_choose(self, number: int) -> None:
        item = self.current
        if item is None or number > len(item.suggestions):
            self.say(f"there is no suggestion {number}")
            return
        s = item.suggestions[number - 1]
        self._file(
            s["category"],
            f"chosen in seoulrec review: suggestion {number} of {s['classifier']} ({s['confidence']:.2f})",
        )

    def action_scheme(self) -> None:
        if self.current is None:
            return
        if self.current.queue == "unit_task":
            self.say("a unit task of your own: seoulrec classify accept ID --unit-task NAME")
            return
        _, scheme = classify.current_scheme(self.catalog)

        def chosen(code: str | None) -> None:
            if code:
                self._file(code, "chosen in seoulrec review from the scheme")

        self.push_screen(SchemeScreen(scheme.categories), chosen)

    def action_disclose(self) -> None:
        item = self.current
        if item is None:
            return

        def chosen(answer: dict | None) -> None:
            if not answer:
                return
            try:
                before = disclosure.override_of(self.catalog, item.record_id)
                disclosure.set_manual(
                    self.catalog, item.record_id, answer["class"], answer["grounds"],
                    answer["reason"], None, self.today, actor=self.actor,
                )  # fmt: skip
            except SeoulrecError as exc:
                self.say(str(exc))
                return
            self.history.append(("disclosure", item.record_id, before))
            self.decided += 1
            self.say(
                f"#{item.record_id}: {answer['class']} recorded; `disclose apply` publishes it (u undoes)"
            )
            if item.queue != "classification":
                self.advance()

        self.push_screen(DiscloseScreen(), chosen)

    def action_skip(self) -> None:
        if self.current is not None:
            self.say(f"#{self.current.record_id} skipped")
            self.advance()

    def action_undo(self) -> None:
        if not self.history:
            self.say("nothing to undo")
            return
        what, record_id, before = self.history.pop()
        try:
            if what == "classification":
                classify.restore(self.catalog, record_id, before, actor=self.actor)
            elif what == "unit_task":
                filing.restore(self.catalog, record_id, before, actor=self.actor)
            else:
                disclosure.restore_override(self.catalog, record_id, before, actor=self.actor)
        except SeoulrecError as exc:
            self.say(str(exc))
            return
        self.decided -= 1
        # Back to the record whose decision was undone.
        for index, item in enumerate(self.items):
            if item.record_id == record_id:
                self.position, self.opened = index, None
                break
        else:
            self.opened = Item(record_id, "opened", "reopened by undo")
        self.show()
        self.say(f"#{record_id}: the last {what} decision undone")

    def action_search(self) -> None:
        def chosen(record_id: int | None) -> None:
            if record_id is None:
                return
            suggestions = []
            for entry in self.items:
                if entry.record_id == record_id:
                    suggestions = entry.suggestions
            self.opened = Item(record_id, "opened", "opened from a search", suggestions)
            self.show()

        self.push_screen(SearchScreen(self.catalog), chosen)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)

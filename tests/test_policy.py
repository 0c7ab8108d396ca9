from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seoulrec.errors import ConfigError
from seoulrec.model import LEVEL_ORDER
from seoulrec.decide.policy import RecordFacts, decide, load_policy

POLICY = load_policy()
TODAY = date(2026, 11, 26)


def facts(**kw):
    base = dict(
        approval_level="division_head", approval_date=date(2025, 10, 24), disclosure_class="public"
    )
    base.update(kw)
    return RecordFacts(**base)


def test_thresholds_by_date():
    assert decide(facts(), POLICY, TODAY).original_public
    # Before 2015-03-01 only director level and above published originals.
    assert not decide(facts(approval_date=date(2014, 6, 1)), POLICY, TODAY).original_public
    assert decide(
        facts(approval_level="director", approval_date=date(2014, 6, 1)), POLICY, TODAY
    ).original_public
    before_all = decide(
        facts(approval_level="mayor", approval_date=date(2013, 10, 28)), POLICY, TODAY
    )
    assert (
        not before_all.original_public
        and "before originals were published" in before_all.withheld_because[0]
    )
    plan = load_policy(
        {
            "thresholds": [
                {"from": "2013-07-01", "level": "director"},
                {"from": "2014-01-01", "level": "division_head"},
            ]
        }
    )
    assert decide(
        facts(approval_date=date(2014, 6, 1)), plan, TODAY
    ).original_public  # the plan's dates


def test_team_lead_unresolved_and_hold_days():
    assert not decide(facts(approval_level="team_lead"), POLICY, TODAY).original_public
    unresolved = decide(facts(approval_level="unresolved"), POLICY, TODAY)
    assert (
        not unresolved.original_public and "could not be resolved" in unresolved.withheld_because[0]
    )
    held = decide(
        facts(approval_level="vice_mayor", approval_date=TODAY - timedelta(days=3)), POLICY, TODAY
    )
    assert not held.original_public and "held 7 days" in held.withheld_because[0]
    assert decide(
        facts(approval_level="vice_mayor", approval_date=TODAY - timedelta(days=7)), POLICY, TODAY
    ).original_public


def test_release_dates_board_and_the_30_year_rule():
    manual = {"class": "non_public", "grounds": [5], "reason": "내부검토 중", "until": "2026-12-31"}
    d = decide(facts(manual=manual), POLICY, TODAY)
    assert (d.disclosure_class, d.original_public, d.release_date, d.source) == (
        "non_public",
        False,
        "2026-12-31",
        "manual",
    )
    opened = decide(facts(manual=manual), POLICY, date(2027, 1, 1))
    assert opened.disclosure_class == "public" and opened.original_public
    overturned = decide(
        facts(disclosure_class="non_public", grounds=(6,), board="overturn"), POLICY, TODAY
    )
    assert overturned.disclosure_class == "public" and overturned.source == "board"
    old = decide(
        facts(
            disclosure_class="non_public",
            grounds=(2,),
            production_date=date(1994, 3, 1),
            approval_date=date(1994, 3, 1),
        ),
        POLICY,
        TODAY,
    )
    assert old.disclosure_class == "public"  # opened 2025-01-01, 30 years after the end of 1994
    young = decide(
        facts(disclosure_class="non_public", grounds=(2,), production_date=date(2020, 5, 1)),
        POLICY,
        TODAY,
    )
    assert young.opens_by_law == "2051-01-01" and young.next_review == "2025-05-01"
    reviewed = decide(
        facts(
            disclosure_class="non_public",
            grounds=(2,),
            production_date=date(2020, 5, 1),
            board="uphold",
            last_review=date(2026, 1, 10),
        ),
        POLICY,
        TODAY,
    )
    assert reviewed.next_review == "2031-01-10"


@pytest.mark.parametrize(
    "override,message",
    [
        (
            {
                "thresholds": [
                    {"from": "2015-03-01", "level": "division_head"},
                    {"from": "2013-10-29", "level": "director"},
                ]
            },
            "overlap or are out of order",
        ),
        (
            {
                "thresholds": [
                    {"from": "2015-03-01", "level": "director"},
                    {"from": "2015-03-01", "level": "division_head"},
                ]
            },
            "overlap or are out of order",
        ),
        ({"thresholds": [{"from": "2015-03-01", "level": "emperor"}]}, "unknown rank 'emperor'"),
        ({"hold_days": {"king": 3}}, "unknown rank 'king'"),
        ({"originals": {"classes": ["secret"]}}, "unknown class 'secret'"),
        ({"originals": {"classes": ["non_public"]}}, "cannot include non_public"),
        ({"thresholds": [{"from": "someday", "level": "director"}]}, "takes a date as YYYY-MM-DD"),
    ],
)
def test_bad_policies(override, message):
    with pytest.raises(ConfigError, match=message):
        load_policy(override)


def test_policy_version_changes_with_content():
    assert POLICY.version.startswith("seoul-open-city-2.0@")
    assert load_policy({"hold_days": {"mayor": 14}}).version != POLICY.version
    assert load_policy().version == POLICY.version


LEVELS = st.sampled_from(LEVEL_ORDER + ["unresolved"])
CLASSES = st.sampled_from(["public", "partial", "non_public", None])
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))
MANUAL = st.one_of(
    st.none(),
    st.builds(
        lambda c, g, until: {
            "class": c,
            "grounds": g,
            "reason": "사유",
            "until": until.isoformat() if until else None,
        },
        st.sampled_from(["public", "partial", "non_public"]),
        st.lists(st.integers(1, 8), max_size=3),
        st.one_of(st.none(), DAYS),
    ),
)
FACTS = st.builds(
    RecordFacts,
    approval_level=LEVELS,
    approval_date=st.one_of(st.none(), DAYS),
    disclosure_class=CLASSES,
    grounds=st.lists(st.integers(1, 8), max_size=3).map(tuple),
    production_date=st.one_of(st.none(), DAYS),
    manual=MANUAL,
    board=st.sampled_from([None, "uphold", "overturn"]),
)


#: Highest first, as DOMAIN 3.2 ranks them.
SENIORITY = [
    "mayor",
    "vice_mayor",
    "office_head",
    "director",
    "division_head",
    "team_lead",
    "staff",
]


@settings(max_examples=500, deadline=None)
@given(FACTS, DAYS)
def test_nothing_withheld_ever_gets_its_original_published(f, today):
    """Expectations written out from the shipped policy (DOMAIN 1), not from decide's helpers."""
    d = decide(f, POLICY, today)
    if d.original_public:
        assert d.disclosure_class != "non_public"
        assert f.approval_level != "unresolved" and f.approval_date is not None
        rank = SENIORITY.index(f.approval_level)
        if f.approval_date < date(2013, 10, 29):
            raise AssertionError("no original was published before 2013-10-29")
        elif f.approval_date < date(2015, 3, 1):
            assert rank <= SENIORITY.index("director")
        else:
            assert rank <= SENIORITY.index("division_head")
        held = 7 if f.approval_level in ("mayor", "vice_mayor") else 0
        assert f.approval_date + timedelta(days=held) <= today
    else:
        assert d.withheld_because  # every withheld original says why


@settings(max_examples=300, deadline=None)
@given(FACTS, DAYS)
def test_a_manual_decision_survives_any_number_of_applies(f, today):
    f.manual = {"class": "non_public", "grounds": [5], "reason": "검토 중", "until": None}
    f.board = None
    if f.production_date and POLICY.thirty_year_opening(f.production_date) <= today:
        return  # the law opens it regardless
    first = decide(f, POLICY, today)
    for _ in range(3):
        again = decide(f, POLICY, today)
        assert again == first
    assert (
        first.disclosure_class == "non_public"
        and not first.original_public
        and first.source == "manual"
    )

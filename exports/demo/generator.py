"""Builds the demo organisations, branches, peer mentors, activities and users, deviations included."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from exports.config.versions import save_column_config
from exports.demo.configs import hlf_config, nhf_config
from exports.geography_data import COUNTIES, MUNICIPALITIES
from exports.models import (
    Activity,
    LocalBranch,
    Membership,
    Organisation,
    OrganisationColumnConfig,
    PeerMentor,
)

OSLO = ZoneInfo("Europe/Oslo")
DEMO_PASSWORD = "demo-passord-2026"
DEFAULT_ACTIVITIES = 20000
DEFAULT_SEED = 2026
BATCH_SIZE = 2000
DEVIATION_RATE = 0.0015
UNCERTIFIED_SHARE = 0.30
MID_YEAR_CERTIFIED_SHARE = 0.06
MENTORS_PER_BRANCH_AT_LEAST = 2

T = TypeVar("T")


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """One item, drawn with exactly one call to random() so that later draws never shift."""
    return items[int(rng.random() * len(items))]


def between(rng: random.Random, low: int, high: int, step: int = 1) -> int:
    """An integer from low to high on a grid of `step`, drawn with exactly one call to random()."""
    return low + step * int(rng.random() * ((high - low) // step + 1))


def chance(rng: random.Random, probability: float) -> bool:
    """True with the given probability."""
    return rng.random() < probability


def new_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID taken from the seeded generator."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass(frozen=True)
class KindProfile:
    """The usual shape of one kind of activity: start hours, duration and participants."""

    first_hour: int
    last_hour: int
    minute_step: int
    duration: tuple[int, int, int]
    participants: tuple[int, int]
    participants_missing: float


KINDS: dict[str, KindProfile] = {
    "visit": KindProfile(10, 19, 15, (30, 120, 5), (1, 1), 0.35),
    "contact": KindProfile(9, 21, 5, (10, 60, 5), (1, 1), 0.40),
    "group": KindProfile(10, 19, 15, (45, 180, 15), (3, 15), 0.0),
    "course": KindProfile(9, 11, 15, (90, 420, 15), (5, 20), 0.0),
    "other": KindProfile(10, 14, 30, (60, 300, 30), (5, 40), 0.60),
}


@dataclass(frozen=True)
class ActivityTypeSpec:
    """One activity type of an organisation's taxonomy, with its kind, frequency and sample descriptions."""

    code: str
    kind: str
    weight: float
    descriptions: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationSpec:
    """Everything that makes one demo organisation different from the other."""

    slug: str
    name: str
    org_number: str
    branch_prefix: str
    branch_municipalities: tuple[str, ...]
    mentor_count: int
    activity_divisor: int
    activity_types: tuple[ActivityTypeSpec, ...]
    config: Callable[[], dict[str, Any]]
    certified_only: tuple[str, str] | None = None

    def activity_type(self, code: str) -> ActivityTypeSpec:
        """The type with this code."""
        return next(t for t in self.activity_types if t.code == code)

    def certified_only_type(self) -> ActivityTypeSpec:
        """The activity type that counts only when its peer mentor is certified."""
        if self.certified_only is None:
            raise ValueError(f"{self.slug} has no activity type that needs a certified peer mentor")
        return self.activity_type(self.certified_only[0])


NHF = OrganisationSpec(
    slug="nhf",
    name="Norges Handikapforbund",
    org_number="938477566",
    branch_prefix="NHF",
    branch_municipalities=(
        "0301",
        "1103",
        "1106",
        "1108",
        "1149",
        "1505",
        "1506",
        "1508",
        "1804",
        "1806",
        "1833",
        "3101",
        "3103",
        "3105",
        "3107",
        "3201",
        "3203",
        "3205",
        "3301",
        "3303",
        "3305",
        "3403",
        "3405",
        "3407",
        "3420",
        "3905",
        "3907",
        "3909",
        "4001",
        "4003",
        "4203",
        "4204",
        "4601",
        "4614",
        "4621",
        "5001",
        "5006",
        "5501",
        "5503",
        "5601",
    ),
    mentor_count=300,
    activity_divisor=1,
    activity_types=(
        ActivityTypeSpec(
            "hjemmebesok",
            "visit",
            22,
            (
                "Hjemmebesøk hos nytt medlem",
                "Samtale om hverdagen med funksjonsnedsettelse",
                "Hjemmebesøk etter ønske fra pårørende",
                "Samtale om hjelpemidler og tilrettelegging hjemme",
                "Besøk hos medlem i {sted}",
            ),
        ),
        ActivityTypeSpec(
            "sykehusbesok",
            "visit",
            8,
            (
                "Besøk på rehabiliteringsavdelingen",
                "Sykehusbesøk etter amputasjon",
                "Besøk på sykehuset etter ryggmargsskade",
                "Samtale med pasient og pårørende på sykehuset",
            ),
        ),
        ActivityTypeSpec(
            "mote_offentlig",
            "visit",
            10,
            (
                "Kaffemøte på kafé i {sted}",
                "Møte på biblioteket i {sted}",
                "Samtale på kjøpesenteret",
                "Gikk tur sammen i parken",
            ),
        ),
        ActivityTypeSpec(
            "telefon",
            "contact",
            18,
            (
                "Telefonsamtale om NAV og hjelpemidler",
                "Oppfølgingssamtale på telefon",
                "Samtale på likepersonstelefonen",
                "Samtale med pårørende på telefon",
            ),
        ),
        ActivityTypeSpec(
            "digital",
            "contact",
            8,
            (
                "Videosamtale",
                "Chat via kontakttjenesten",
                "Oppfølging på video",
                "Digital samtale om arbeidsliv",
            ),
        ),
        ActivityTypeSpec(
            "samtalegruppe",
            "group",
            12,
            (
                "Samtalegruppe for nyskadde",
                "Samtalegruppe om kroniske smerter",
                "Pårørendegruppe",
                "Samtalegruppe for unge voksne i {sted}",
            ),
        ),
        ActivityTypeSpec(
            "aktivitetsgruppe",
            "group",
            12,
            (
                "Bassengtrening",
                "Boccia i {sted}",
                "Rullestoltur langs sjøen",
                "Sittedans",
                "Kafétreff med aktivitet",
            ),
        ),
        ActivityTypeSpec(
            "likepersonskurs",
            "course",
            3,
            (
                "Grunnkurs for likepersoner, dag 1",
                "Grunnkurs for likepersoner, dag 2",
                "Oppfriskningskurs for likepersoner",
                "Kurs i samtaleteknikk",
            ),
        ),
        ActivityTypeSpec(
            "stand",
            "other",
            3,
            (
                "Stand på kjøpesenter i {sted}",
                "Informasjonsstand på sykehuset",
                "Stand på Funksjonshemmedes dag",
            ),
        ),
    ),
    config=nhf_config,
    certified_only=("sykehusbesok", "hjemmebesok"),
)

HLF = OrganisationSpec(
    slug="hlf-demo",
    name="Hørselshemmedes Likepersonsforbund (demo)",
    org_number="971234567",
    branch_prefix="HLF",
    branch_municipalities=(
        "0301",
        "1103",
        "1508",
        "1804",
        "3107",
        "3205",
        "3301",
        "3405",
        "4204",
        "4601",
        "5001",
        "5501",
    ),
    mentor_count=80,
    activity_divisor=4,
    activity_types=(
        ActivityTypeSpec(
            "besok",
            "visit",
            30,
            (
                "Besøk hos eldre med nyoppdaget hørselstap",
                "Hjemmebesøk, hjelp med høreapparatet",
                "Besøk på sykehjem i {sted}",
                "Besøk etter henvisning fra audiograf",
            ),
        ),
        ActivityTypeSpec(
            "likepersonsamtale_digital",
            "contact",
            25,
            (
                "Videosamtale om tinnitus",
                "Chat om høreapparater",
                "Digital likepersonsamtale",
                "Oppfølging på video etter CI-operasjon",
            ),
        ),
        ActivityTypeSpec(
            "horselsgruppe",
            "group",
            20,
            (
                "Samtalegruppe om tinnitus",
                "Samtalegruppe for CI-brukere",
                "Hørselstreff i {sted}",
                "Samtalegruppe om Ménières sykdom",
            ),
        ),
        ActivityTypeSpec(
            "tur_og_trim",
            "group",
            15,
            (
                "Tur og trim i {sted}",
                "Turgruppe med kaffe etterpå",
                "Trim for hørselshemmede",
                "Søndagstur i nærmiljøet",
            ),
        ),
        ActivityTypeSpec(
            "kursdag",
            "course",
            5,
            (
                "Kurs for nye likepersoner",
                "Kursdag om kommunikasjonstaktikk",
                "Kurs i hørselstekniske hjelpemidler",
            ),
        ),
        ActivityTypeSpec(
            "messe",
            "other",
            5,
            (
                "Stand på seniormesse i {sted}",
                "Hørselsmesse",
                "Informasjonsstand på Verdens hørselsdag",
            ),
        ),
    ),
    config=hlf_config,
)

ORGANISATIONS: tuple[OrganisationSpec, ...] = (NHF, HLF)

FIRST_NAMES = (
    "Anne",
    "Inger",
    "Kari",
    "Marit",
    "Ingrid",
    "Liv",
    "Eva",
    "Berit",
    "Astrid",
    "Bjørg",
    "Hilde",
    "Nina",
    "Ragnhild",
    "Solveig",
    "Randi",
    "Marianne",
    "Elisabeth",
    "Silje",
    "Ida",
    "Nora",
    "Emma",
    "Sara",
    "Ingeborg",
    "Tone",
    "Hanne",
    "Camilla",
    "Turid",
    "Aud",
    "Grete",
    "Sigrid",
    "Fatima",
    "Jan",
    "Per",
    "Bjørn",
    "Ole",
    "Lars",
    "Kjell",
    "Knut",
    "Arne",
    "Svein",
    "Hans",
    "Geir",
    "Tor",
    "Terje",
    "Morten",
    "Odd",
    "Rune",
    "Trond",
    "Erik",
    "Jon",
    "Håkon",
    "Magnus",
    "Jonas",
    "Martin",
    "Anders",
    "Espen",
    "Eirik",
    "Sindre",
    "Øystein",
    "Steinar",
    "Ivar",
    "Leif",
    "Mohammed",
    "Aleksander",
)
LAST_NAMES = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
    "Solberg",
    "Svendsen",
    "Eide",
    "Knutsen",
    "Martinsen",
    "Paulsen",
    "Bakken",
    "Mathisen",
    "Lie",
    "Amundsen",
    "Nguyen",
    "Rasmussen",
    "Lunde",
    "Solheim",
    "Berge",
    "Moe",
    "Nygård",
    "Bakke",
    "Fredriksen",
    "Holm",
    "Lien",
    "Hauge",
    "Sæther",
    "Aas",
    "Myhre",
    "Ahmed",
    "Haugland",
    "Sivertsen",
    "Sandvik",
    "Rønning",
    "Næss",
    "Vik",
    "Birkeland",
    "Ruud",
    "Strøm",
    "Myklebust",
    "Ødegård",
)

ABROAD = (
    ("SE", "Likepersonstreff i Strömstad"),
    ("ES", "Ferietur med gruppen til Alicante"),
    ("DK", "Erfaringsutveksling i København"),
)
DURATIONS_ABSURD = (5000, -30, 14400, -5)
MUNICIPALITIES_MALFORMED = ("12", "abcd", "03011", "")
MUNICIPALITIES_UNKNOWN = ("0399", "4699")
CONTROL_CHARACTER_TEXTS = (
    "Samtale om hjelpemidler\x07 og tilrettelegging",
    "Oppfølging etter\x07 henvendelse fra pårørende",
)
FORMULA_TEXTS = (
    "=SUM(A1:A3)",
    '=HYPERLINK("https://example.org";"Se notat")',
    "=1+1 deltakere møtte opp",
)

COUNTY_MUNICIPALITIES: dict[str, tuple[str, ...]] = {
    county: tuple(code for code in sorted(MUNICIPALITIES) if code[:2] == county) for county in COUNTIES
}
OTHER_COUNTY_MUNICIPALITIES: dict[str, tuple[str, ...]] = {
    county: tuple(code for code in sorted(MUNICIPALITIES) if code[:2] != county) for county in COUNTIES
}


@dataclass(frozen=True)
class DemoUser:
    """A demo login and the membership it gets."""

    username: str
    first_name: str
    last_name: str
    organisation_slug: str | None = None
    role: str | None = None
    superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("nhf-admin", "Nora", "Haugen", "nhf", Membership.Role.ADMINISTRATOR),
    DemoUser("nhf-koordinator", "Kari", "Lunde", "nhf", Membership.Role.COORDINATOR),
    DemoUser("nhf-likeperson", "Per", "Olsen", "nhf", Membership.Role.PEER_MENTOR),
    DemoUser("hlf-admin", "Hilde", "Lie", "hlf-demo", Membership.Role.ADMINISTRATOR),
    DemoUser("begge-admin", "Berit", "Aas", "nhf", Membership.Role.ADMINISTRATOR),
    DemoUser("begge-admin", "Berit", "Aas", "hlf-demo", Membership.Role.ADMINISTRATOR),
    DemoUser("sysadmin", "System", "Administrator", superuser=True),
)


@dataclass(slots=True)
class ActivityDraft:
    """An activity being generated, before it becomes a model instance."""

    id: uuid.UUID
    type_code: str
    kind: str
    mentor: PeerMentor | None
    branch: LocalBranch
    started_at: dt.datetime
    duration_minutes: int | None
    participant_count: int | None
    country_code: str
    municipality_code: str | None
    description: str
    status: str


@dataclass(frozen=True)
class OrganisationSummary:
    """What was seeded for one organisation."""

    slug: str
    name: str
    branches: int
    peer_mentors: int
    certified: int
    activities: int
    activities_by_year: dict[int, int]
    deviations: dict[str, int]


@dataclass(frozen=True)
class SeedSummary:
    """What seed_demo created, and how to log in."""

    seed: int
    today: dt.date
    organisations: tuple[OrganisationSummary, ...]
    users: tuple[DemoUser, ...]
    password: str


def reset_organisation(rng: random.Random, spec: OrganisationSpec) -> Organisation:
    """Create the organisation or keep its row (audits point to it), and delete its activities, mentors, branches."""
    values = {"name": spec.name, "org_number": spec.org_number}
    organisation, _ = Organisation.objects.update_or_create(
        slug=spec.slug, defaults=values, create_defaults={"id": new_uuid(rng), "slug": spec.slug, **values}
    )
    Activity.objects.filter(organisation=organisation).delete()
    PeerMentor.objects.filter(organisation=organisation).delete()
    LocalBranch.objects.filter(organisation=organisation).delete()
    return organisation


def build_branches(rng: random.Random, organisation: Organisation, spec: OrganisationSpec) -> list[LocalBranch]:
    """One local branch per listed municipality, named after it."""
    return [
        LocalBranch(
            id=new_uuid(rng),
            organisation=organisation,
            name=f"{spec.branch_prefix} {MUNICIPALITIES[code]}",
            county_code=code[:2],
            municipality_code=code,
        )
        for code in spec.branch_municipalities
    ]


def draw_full_name(rng: random.Random, taken: set[str]) -> str:
    """A Norwegian full name not in `taken`, sometimes with a second given name."""
    while True:
        first, second = pick(rng, FIRST_NAMES), pick(rng, FIRST_NAMES)
        use_second, last = chance(rng, 0.15), pick(rng, LAST_NAMES)
        name = f"{first} {second} {last}" if use_second and second != first else f"{first} {last}"
        if name not in taken:
            taken.add(name)
            return name


def draw_certified_on(rng: random.Random, year: int) -> dt.date | None:
    """None for uncertified mentors, a date in the middle of last year for a few, else one to six years back."""
    kind = rng.random()
    long_ago_start = dt.date(year - 6, 1, 1)
    long_ago = long_ago_start + dt.timedelta(days=between(rng, 0, (dt.date(year - 2, 12, 31) - long_ago_start).days))
    mid_year = dt.date(year - 1, 5, 15) + dt.timedelta(days=between(rng, 0, 120))
    if kind < UNCERTIFIED_SHARE:
        return None
    if kind < UNCERTIFIED_SHARE + MID_YEAR_CERTIFIED_SHARE:
        return mid_year
    return long_ago


def build_peer_mentors(
    rng: random.Random, organisation: Organisation, spec: OrganisationSpec, branches: list[LocalBranch], year: int
) -> list[PeerMentor]:
    """The organisation's peer mentors, every branch getting a few and the rest spread by a weight per branch."""
    branch_weights = list(accumulate(0.5 + 2.0 * rng.random() for _ in branches))
    taken: set[str] = set()
    mentors = []
    for index in range(spec.mentor_count):
        weighted = rng.choices(branches, cum_weights=branch_weights)[0]
        branch = branches[index % len(branches)] if index < MENTORS_PER_BRANCH_AT_LEAST * len(branches) else weighted
        mentors.append(
            PeerMentor(
                id=new_uuid(rng),
                organisation=organisation,
                local_branch=branch,
                full_name=draw_full_name(rng, taken),
                certified_on=draw_certified_on(rng, year),
            )
        )
    return mentors


def is_certified_on(mentor: PeerMentor | None, day: dt.date) -> bool:
    """Whether the mentor was certified on that day."""
    return mentor is not None and mentor.certified_on is not None and mentor.certified_on <= day


def draw_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day from first to last, most weekend days moved to the nearest weekday inside the range."""
    day = first + dt.timedelta(days=between(rng, 0, (last - first).days))
    move = chance(rng, 0.7)
    if move and day.weekday() >= 5:
        friday = day - dt.timedelta(days=day.weekday() - 4)
        monday = day + dt.timedelta(days=7 - day.weekday())
        day = friday if friday >= first else monday if monday <= last else day
    return day


def draw_start(rng: random.Random, day: dt.date, profile: KindProfile) -> dt.datetime:
    """An Oslo local start time on `day` within the kind's usual hours."""
    hour = between(rng, profile.first_hour, profile.last_hour)
    minute = between(rng, 0, 59, profile.minute_step)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=OSLO)


def draw_participants(rng: random.Random, profile: KindProfile) -> int | None:
    """A participant count within the kind's range, or None where the app leaves it empty."""
    missing = chance(rng, profile.participants_missing)
    count = between(rng, *profile.participants)
    return None if missing else count


def home_branch(mentor: PeerMentor) -> LocalBranch:
    """The demo mentor's local branch (every demo mentor has one)."""
    if mentor.local_branch is None:
        raise ValueError(f"demo mentor {mentor.pk} has no local branch")
    return mentor.local_branch


def draw_municipality(rng: random.Random, branch: LocalBranch) -> str:
    """Usually the branch's municipality, sometimes another one in the same county."""
    elsewhere = chance(rng, 0.2)
    neighbour = pick(rng, COUNTY_MUNICIPALITIES[branch.county_code])
    return neighbour if elsewhere or not branch.municipality_code else branch.municipality_code


def draw_description(rng: random.Random, activity_type: ActivityTypeSpec, municipality_code: str | None) -> str:
    """A short Norwegian description of the activity."""
    place = MUNICIPALITIES.get(municipality_code or "", "kommunen")
    return pick(rng, activity_type.descriptions).format(sted=place)


def draw_status(rng: random.Random, started_at: dt.datetime, year: int) -> str:
    """Mostly approved last year, about half still registered this year."""
    approved_share = 0.85 if started_at.astimezone(OSLO).year < year else 0.45
    return Activity.Status.APPROVED if chance(rng, approved_share) else Activity.Status.REGISTERED


def build_activities(
    rng: random.Random, spec: OrganisationSpec, mentors: list[PeerMentor], count: int, today: dt.date
) -> list[ActivityDraft]:
    """Regular activities from the first day of last year to today; certified-only types go to certified mentors."""
    first_day = dt.date(today.year - 1, 1, 1)
    mentor_weights = list(accumulate(0.3 + 2.7 * rng.random() ** 2 for _ in mentors))
    type_weights = list(accumulate(t.weight for t in spec.activity_types))
    drafts = []
    for _ in range(count):
        mentor = rng.choices(mentors, cum_weights=mentor_weights)[0]
        activity_type = rng.choices(spec.activity_types, cum_weights=type_weights)[0]
        profile = KINDS[activity_type.kind]
        day = draw_day(rng, first_day, today)
        if spec.certified_only and activity_type.code == spec.certified_only[0] and not is_certified_on(mentor, day):
            activity_type = spec.activity_type(spec.certified_only[1])
        started_at = draw_start(rng, day, profile)
        municipality = draw_municipality(rng, home_branch(mentor))
        drafts.append(
            ActivityDraft(
                id=new_uuid(rng),
                type_code=activity_type.code,
                kind=activity_type.kind,
                mentor=mentor,
                branch=home_branch(mentor),
                started_at=started_at,
                duration_minutes=between(rng, *profile.duration),
                participant_count=draw_participants(rng, profile),
                country_code="NO",
                municipality_code=municipality,
                description=draw_description(rng, activity_type, municipality),
                status=draw_status(rng, started_at, today.year),
            )
        )
    return drafts


@dataclass(frozen=True)
class DeviationContext:
    """What the deviation makers need besides the draft itself."""

    spec: OrganisationSpec
    year: int
    uncertified: tuple[PeerMentor, ...]
    certified_mid_last_year: tuple[PeerMentor, ...]


Maker = Callable[[random.Random, ActivityDraft, int, DeviationContext], None]


@dataclass(frozen=True)
class DeviationKind:
    """One kind of planted deviation: which drafts it may change, how, and how many."""

    name: str
    applies_to: Callable[[ActivityDraft], bool]
    make: Maker
    share_of_standard: float = 1.0


def boundary_instants(year: int) -> tuple[dt.datetime, ...]:
    """Starts just around midnight on new year's eve: this year, last year, and the start of last year."""
    return tuple(
        dt.datetime.fromisoformat(text)
        for text in (f"{year - 1}-12-31T23:30:00Z", f"{year - 1}-12-31T22:59:00Z", f"{year - 2}-12-31T23:15:00Z")
    )


def assign_mentor(draft: ActivityDraft, mentor: PeerMentor) -> None:
    """Give the draft to another mentor, with that mentor's branch and municipality."""
    draft.mentor = mentor
    draft.branch = home_branch(mentor)
    draft.municipality_code = draft.branch.municipality_code


def make_without_mentor(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """No peer mentor registered."""
    draft.mentor = None


def make_abroad(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """Took place outside Norway."""
    draft.country_code, draft.description = ABROAD[n % len(ABROAD)]


def make_group_few(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A group with one or two participants."""
    draft.participant_count = between(rng, 1, 2)


def make_group_participants_missing(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A group without a participant count."""
    draft.participant_count = None


def make_group_short(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A group shorter than 45 minutes."""
    draft.duration_minutes = between(rng, 15, 40, 5)


def make_course_short(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A course day shorter than 90 minutes."""
    draft.duration_minutes = between(rng, 30, 75, 15)


def make_duration_missing(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """No duration."""
    draft.duration_minutes = None


def make_duration_zero(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A duration of zero minutes."""
    draft.duration_minutes = 0


def make_duration_absurd(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A negative or days-long duration."""
    draft.duration_minutes = DURATIONS_ABSURD[n % len(DURATIONS_ABSURD)]


def make_municipality_malformed(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A municipality number of the wrong shape, or empty."""
    draft.municipality_code = MUNICIPALITIES_MALFORMED[n % len(MUNICIPALITIES_MALFORMED)]


def make_municipality_unknown(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A well-formed municipality number that does not exist."""
    draft.municipality_code = MUNICIPALITIES_UNKNOWN[n % len(MUNICIPALITIES_UNKNOWN)]


def make_municipality_other_county(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A real municipality in another county than the branch's."""
    draft.municipality_code = pick(rng, OTHER_COUNTY_MUNICIPALITIES[draft.branch.county_code])


def make_rejected(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """Rejected by the organisation."""
    draft.status = Activity.Status.REJECTED


def make_deleted(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """Deleted in the app."""
    draft.status = Activity.Status.DELETED


def make_certified_only_by_uncertified(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A certified-only activity (NHF: hospital visit) by a mentor who was never certified."""
    activity_type = ctx.spec.certified_only_type()
    assign_mentor(draft, pick(rng, ctx.uncertified))
    draft.type_code = activity_type.code
    draft.description = draw_description(rng, activity_type, draft.municipality_code)


def make_certified_only_before_certification(
    rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext
) -> None:
    """A certified-only activity last year, before the mentor's mid-year certification."""
    activity_type = ctx.spec.certified_only_type()
    mentor = pick(rng, ctx.certified_mid_last_year)
    first_day = dt.date(ctx.year - 1, 1, 2)
    certified_on = mentor.certified_on or dt.date(ctx.year - 1, 7, 1)  # every such mentor has a date
    day = first_day + dt.timedelta(days=between(rng, 0, (certified_on - first_day).days - 1))
    assign_mentor(draft, mentor)
    draft.type_code = activity_type.code
    draft.started_at = draw_start(rng, day, KINDS[activity_type.kind])
    draft.description = draw_description(rng, activity_type, draft.municipality_code)


def make_year_boundary(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """An otherwise clean, approved visit starting around midnight on new year's eve."""
    instants = boundary_instants(ctx.year)
    draft.started_at = instants[n % len(instants)]
    draft.status = Activity.Status.APPROVED
    if ctx.spec.certified_only and draft.type_code == ctx.spec.certified_only[0]:
        draft.type_code = ctx.spec.certified_only[1]


def make_control_character(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A description with a BEL control character."""
    draft.description = CONTROL_CHARACTER_TEXTS[n % len(CONTROL_CHARACTER_TEXTS)]


def make_formula_text(rng: random.Random, draft: ActivityDraft, n: int, ctx: DeviationContext) -> None:
    """A description that a spreadsheet would take for a formula."""
    draft.description = FORMULA_TEXTS[n % len(FORMULA_TEXTS)]


def any_draft(draft: ActivityDraft) -> bool:
    """Every draft qualifies."""
    return True


def is_group(draft: ActivityDraft) -> bool:
    """A conversation or activity group."""
    return draft.kind == "group"


def is_course(draft: ActivityDraft) -> bool:
    """A course day."""
    return draft.kind == "course"


def is_visit(draft: ActivityDraft) -> bool:
    """An outreach visit."""
    return draft.kind == "visit"


def deviation_kinds(ctx: DeviationContext) -> list[DeviationKind]:
    """The deviation kinds to plant in this organisation, the certification ones only where a type needs it."""
    kinds = [
        DeviationKind("without_peer_mentor", any_draft, make_without_mentor),
        DeviationKind("abroad", any_draft, make_abroad),
        DeviationKind("group_too_few_participants", is_group, make_group_few),
        DeviationKind("group_participants_missing", is_group, make_group_participants_missing),
        DeviationKind("group_too_short", is_group, make_group_short),
        DeviationKind("course_day_too_short", is_course, make_course_short),
        DeviationKind("duration_missing", any_draft, make_duration_missing),
        DeviationKind("duration_zero", any_draft, make_duration_zero),
        DeviationKind("duration_absurd", any_draft, make_duration_absurd),
        DeviationKind("municipality_malformed", any_draft, make_municipality_malformed),
        DeviationKind("municipality_unknown", any_draft, make_municipality_unknown),
        DeviationKind("municipality_in_other_county", any_draft, make_municipality_other_county),
        DeviationKind("rejected", any_draft, make_rejected),
        DeviationKind("deleted", any_draft, make_deleted),
    ]
    if ctx.spec.certified_only and ctx.uncertified:
        kinds.append(DeviationKind("certified_only_by_uncertified", is_visit, make_certified_only_by_uncertified))
    if ctx.spec.certified_only and ctx.certified_mid_last_year:
        kinds.append(
            DeviationKind("certified_only_before_certification", is_visit, make_certified_only_before_certification)
        )
    kinds += [
        DeviationKind("year_boundary", is_visit, make_year_boundary, share_of_standard=0.0),
        DeviationKind("control_character", any_draft, make_control_character, share_of_standard=0.1),
        DeviationKind("formula_text", any_draft, make_formula_text, share_of_standard=0.1),
    ]
    return kinds


def planned_count(kind: DeviationKind, per_kind: int, year: int) -> int:
    """How many drafts a kind should change: the standard number, a share of it, or one per boundary instant."""
    if kind.make is make_year_boundary:
        return len(boundary_instants(year))
    return max(1, round(per_kind * kind.share_of_standard))


def separate_same_start(drafts: list[ActivityDraft]) -> None:
    """Move starts on by an hour until no peer mentor has two activities starting at the same instant."""
    seen: set[tuple[uuid.UUID, dt.datetime]] = set()
    for draft in drafts:
        if draft.mentor is None:
            continue
        while (draft.mentor.id, draft.started_at) in seen:
            draft.started_at += dt.timedelta(hours=1)
        seen.add((draft.mentor.id, draft.started_at))


def plant_duplicates(rng: random.Random, drafts: list[ActivityDraft], used: set[int], count: int) -> int:
    """Overwrite `count` untouched drafts with exact copies (new id) of other untouched drafts."""
    pool = [i for i, draft in enumerate(drafts) if i not in used and draft.mentor is not None]
    pairs = min(count, len(pool) // 2)
    chosen = rng.sample(pool, 2 * pairs)
    for source, target in zip(chosen[:pairs], chosen[pairs:], strict=True):
        drafts[target] = replace(drafts[source], id=drafts[target].id)
    used.update(chosen)
    return pairs


def plant_co_led_groups(
    rng: random.Random, drafts: list[ActivityDraft], used: set[int], mentors: list[PeerMentor], count: int
) -> int:
    """Overwrite up to `count` untouched drafts with a second registration of an untouched group or course day,
    by another peer mentor of its branch (a co-leader who registered it too)."""
    by_branch: dict[uuid.UUID, list[PeerMentor]] = {}
    for mentor in mentors:
        by_branch.setdefault(home_branch(mentor).id, []).append(mentor)
    groups = [
        i
        for i, draft in enumerate(drafts)
        if i not in used and draft.mentor is not None and (is_group(draft) or is_course(draft))
    ]
    sources = rng.sample(groups, min(count, len(groups) // 2))
    taken = used | set(sources)
    targets = rng.sample([i for i in range(len(drafts)) if i not in taken], len(sources))
    planted = 0
    for source, target in zip(sources, targets, strict=True):
        original = drafts[source]
        leader = original.mentor.id if original.mentor is not None else None
        co_leaders = [m for m in by_branch.get(original.branch.id, []) if m.id != leader]
        if co_leaders:
            drafts[target] = replace(original, id=drafts[target].id, mentor=pick(rng, co_leaders))
            planted += 1
    used.update(sources + targets)
    return planted


def plant_deviations(
    rng: random.Random, drafts: list[ActivityDraft], spec: OrganisationSpec, mentors: list[PeerMentor], year: int
) -> dict[str, int]:
    """Change distinct drafts into every deviation kind; return how many of each were planted."""
    ctx = DeviationContext(
        spec=spec,
        year=year,
        uncertified=tuple(m for m in mentors if m.certified_on is None),
        certified_mid_last_year=tuple(
            m for m in mentors if m.certified_on is not None and m.certified_on.year == year - 1
        ),
    )
    per_kind = max(1, round(len(drafts) * DEVIATION_RATE))
    used: set[int] = set()
    planted: dict[str, int] = {}
    for kind in deviation_kinds(ctx):
        pool = [i for i, draft in enumerate(drafts) if i not in used and kind.applies_to(draft)]
        chosen = rng.sample(pool, min(planned_count(kind, per_kind, year), len(pool)))
        for n, index in enumerate(chosen):
            kind.make(rng, drafts[index], n, ctx)
        used.update(chosen)
        planted[kind.name] = len(chosen)
    separate_same_start(drafts)
    planted["duplicate"] = plant_duplicates(rng, drafts, used, per_kind)
    planted["group_registered_by_two"] = plant_co_led_groups(rng, drafts, used, mentors, per_kind)
    return planted


def to_activity(organisation: Organisation, draft: ActivityDraft) -> Activity:
    """The model instance of a draft."""
    return Activity(
        id=draft.id,
        organisation=organisation,
        local_branch=draft.branch,
        peer_mentor=draft.mentor,
        activity_type=draft.type_code,
        started_at=draft.started_at,
        duration_minutes=draft.duration_minutes,
        participant_count=draft.participant_count,
        country_code=draft.country_code,
        municipality_code=draft.municipality_code,
        description=draft.description,
        status=draft.status,
    )


def install_column_config(organisation: Organisation, spec: OrganisationSpec) -> OrganisationColumnConfig:
    """Replace the organisation's column configurations by the demo one, active (seeding activates directly)."""
    versions = OrganisationColumnConfig.objects.filter(organisation=organisation)
    versions.update(is_active=False)  # the active version refuses deletion; the seeder replaces it on purpose
    versions.delete()
    return save_column_config(organisation=organisation, document=spec.config(), active=True, comment="Demo")


def seed_organisation(
    rng: random.Random, spec: OrganisationSpec, activity_count: int, today: dt.date
) -> tuple[Organisation, OrganisationSummary]:
    """Recreate one demo organisation's branches, peer mentors, activities and column configuration."""
    organisation = reset_organisation(rng, spec)
    branches = build_branches(rng, organisation, spec)
    mentors = build_peer_mentors(rng, organisation, spec, branches, today.year)
    drafts = build_activities(rng, spec, mentors, activity_count, today)
    deviations = plant_deviations(rng, drafts, spec, mentors, today.year)
    LocalBranch.objects.bulk_create(branches, batch_size=BATCH_SIZE)
    PeerMentor.objects.bulk_create(mentors, batch_size=BATCH_SIZE)
    Activity.objects.bulk_create((to_activity(organisation, d) for d in drafts), batch_size=BATCH_SIZE)
    install_column_config(organisation, spec)
    years = Counter(d.started_at.astimezone(OSLO).year for d in drafts)
    summary = OrganisationSummary(
        slug=spec.slug,
        name=spec.name,
        branches=len(branches),
        peer_mentors=len(mentors),
        certified=sum(1 for m in mentors if m.certified_on is not None),
        activities=len(drafts),
        activities_by_year=dict(sorted(years.items())),
        deviations=deviations,
    )
    return organisation, summary


def seed_users(organisations: dict[str, Organisation]) -> tuple[DemoUser, ...]:
    """Create the demo logins that do not exist yet (with the demo password) and their memberships."""
    user_model = get_user_model()
    for demo in DEMO_USERS:
        user, created = user_model.objects.get_or_create(username=demo.username)
        if created:  # an existing user keeps its password, names and rights
            user.first_name, user.last_name = demo.first_name, demo.last_name
            user.email = f"{demo.username}@example.org"
            user.is_staff = user.is_superuser = demo.superuser
            user.set_password(DEMO_PASSWORD)
            user.save()
        if demo.organisation_slug and demo.role:
            Membership.objects.update_or_create(
                user=user, organisation=organisations[demo.organisation_slug], defaults={"role": demo.role}
            )
    return DEMO_USERS


def foreign_data() -> list[str]:
    """What the database holds that is not demo data (organisations and users by name); empty when none."""
    slugs = {spec.slug for spec in ORGANISATIONS}
    usernames = {demo.username for demo in DEMO_USERS}
    organisations = Organisation.objects.exclude(slug__in=slugs).values_list("slug", flat=True)[:5]
    users = get_user_model().objects.exclude(username__in=usernames).values_list("username", flat=True)[:5]
    return [*(f"organisation {slug}" for slug in organisations), *(f"user {name}" for name in users)]


def is_empty() -> bool:
    """Whether the database holds no organisation and no user (a fresh database)."""
    return not Organisation.objects.exists() and not get_user_model().objects.exists()


@transaction.atomic
def seed_demo(activity_count: int = DEFAULT_ACTIVITIES, seed: int = DEFAULT_SEED) -> SeedSummary:
    """Recreate all demo data in one transaction; the same seed gives the same data within a calendar year."""
    rng = random.Random(seed)
    today = timezone.localdate(timezone=OSLO)
    organisations: dict[str, Organisation] = {}
    summaries = []
    for spec in ORGANISATIONS:
        organisation, summary = seed_organisation(rng, spec, activity_count // spec.activity_divisor, today)
        organisations[spec.slug] = organisation
        summaries.append(summary)
    return SeedSummary(seed, today, tuple(summaries), seed_users(organisations), DEMO_PASSWORD)


def summary_lines(summary: SeedSummary, detailed: bool = False) -> Iterable[str]:
    """The command's report: counts per organisation and the demo logins."""
    yield f"Demo data seeded (seed {summary.seed}, today {summary.today.isoformat()}):"
    for org in summary.organisations:
        years = ", ".join(f"{year}: {count}" for year, count in org.activities_by_year.items())
        yield (
            f"  {org.name} ({org.slug}): {org.branches} branches, {org.peer_mentors} peer mentors "
            f"({org.certified} certified), {org.activities} activities ({years}), "
            f"{sum(org.deviations.values())} with planted deviations"
        )
        if detailed:
            for name, count in org.deviations.items():
                yield f"      {name}: {count}"
    yield f"Logins (password: {summary.password}):"
    for user in summary.users:
        role = "superuser, Django admin" if user.superuser else f"{user.role} of {user.organisation_slug}"
        yield f"  {user.username:<16} {role}"

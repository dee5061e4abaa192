"""Pulse / eNPS surveys answered by link: the surveys and their links, in ``surveys.json``.

An admin creates a survey (its questions; the eNPS question ``enps`` first unless left out)
and one link per employee. A link's token is 32 random bytes (``secrets.token_urlsafe``),
shown once when the survey is created and stored only as its SHA-256 digest, with the
employee's team (the group the answers are counted in) and whether it has been answered (not
when). Nobody's name or email is stored, and the answers carry a respondent id drawn at random
when they are written (:mod:`salesmetrics.web.surveys`), kept nowhere else: even someone who
kept the links cannot tell whose answers are whose. The answers go to ``survey_responses``,
where the engine's minimum group size (``min_survey_group``, complementary suppression)
decides what any view shows.

Like ``users.json``, the book is a setting of the workspace folder, rewritten whole and
atomically under the exclusive lock of ``surveys.lock``; :func:`answer` holds that lock while
the answers are written, so a link answers once even if it is submitted twice at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from salesmetrics.backends.filelock import exclusive
from salesmetrics.backends.jsonfile import write_json
from salesmetrics.errors import UserError

STORE = "surveys.json"
LOCK = "surveys.lock"
ENPS = "enps"
ENPS_TEXT = "How likely are you to recommend us as a place to work?"
_QUESTION_ID = re.compile(r"[a-z0-9_]{1,40}")
MAX_LINKS = 5000


@dataclass(frozen=True)
class Question:
    """A question answered 0–10."""

    id: str
    text: str


@dataclass(frozen=True)
class Link:
    """One employee's link: its token's digest, the team and whether it has been answered."""

    digest: str
    team: str | None
    answered: bool = False


@dataclass(frozen=True)
class Survey:
    """A survey: id, title, questions, when created, and its links."""

    id: str
    title: str
    questions: tuple[Question, ...]
    created: str
    links: tuple[Link, ...] = field(default=(), repr=False)

    @property
    def answered(self) -> int:
        """How many links have been answered."""
        return sum(1 for link in self.links if link.answered)


@dataclass(frozen=True)
class Invitation:
    """A link made for one employee (the token is shown once)."""

    label: str
    team: str | None
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _read(root: Path) -> list[Survey]:
    path = root / STORE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise UserError(f"{path}: cannot be read ({error}); restore it or remove it") from None
    return [
        Survey(
            s["id"],
            s["title"],
            tuple(Question(**q) for q in s["questions"]),
            s["created"],
            tuple(Link(**link) for link in s["links"]),
        )
        for s in data.get("surveys", [])
    ]


def _write(root: Path, surveys: list[Survey]) -> None:
    data = {"surveys": [asdict(s) for s in surveys]}
    write_json(root / STORE, data, private=True, indent=1)


def surveys(root: Path) -> list[Survey]:
    """Every survey, newest first."""
    return sorted(_read(root), key=lambda s: s.created, reverse=True)


def find(root: Path, survey_id: str) -> Survey:
    """The survey ``survey_id``; a UserError when there is none."""
    found = next((s for s in _read(root) if s.id == survey_id), None)
    if found is None:
        raise UserError(f"no survey {survey_id!r}")
    return found


def parse_questions(text: str, *, enps: bool = True) -> tuple[Question, ...]:
    """Questions from lines ``ID: text`` (the eNPS question first when ``enps``)."""
    found: list[Question] = [Question(ENPS, ENPS_TEXT)] if enps else []
    for line in text.splitlines():
        if not line.strip():
            continue
        qid, sep, words = line.partition(":")
        qid = qid.strip().lower()
        if not sep or not words.strip() or not _QUESTION_ID.fullmatch(qid):
            raise UserError(
                f"question {line.strip()!r}: write ID: text, e.g. 'workload: My workload is"
                " manageable' (the id in lower-case letters, digits and _)"
            )
        if any(q.id == qid for q in found):
            raise UserError(f"question id {qid!r} is given twice")
        found.append(Question(qid, words.strip()))
    if not found:
        raise UserError("a survey needs a question: keep the eNPS question or add one")
    return tuple(found)


def parse_people(text: str) -> list[tuple[str, str | None]]:
    """Employees from lines ``name or email, team`` (the team may be left out)."""
    people = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _, team = line.partition(",")
        people.append((label.strip(), team.strip() or None))
    if not people:
        raise UserError("list the employees to invite, one per line: name, team")
    if len(people) > MAX_LINKS:
        raise UserError(f"at most {MAX_LINKS} links per survey")
    return people


def create(
    root: Path, title: str, questions: tuple[Question, ...], people: list[tuple[str, str | None]]
) -> tuple[Survey, list[Invitation]]:
    """A new survey with one link per employee; the survey and its links' tokens (shown
    once: only their digests are kept, without the employees' names)."""
    if not title.strip():
        raise UserError("give the survey a title")
    survey_id = f"{dt.datetime.now(dt.UTC):%Y%m%d}-{secrets.token_hex(3)}"
    invitations = [Invitation(label, team, secrets.token_urlsafe(32)) for label, team in people]
    links = [Link(_digest(i.token), i.team) for i in invitations]
    secrets.SystemRandom().shuffle(links)  # the stored order says nothing of who is who
    survey = Survey(survey_id, title.strip(), questions, _now(), tuple(links))
    with exclusive(root / LOCK):
        _write(root, [*_read(root), survey])
    return survey, invitations


def opened(root: Path, token: str) -> tuple[Survey, Link]:
    """The survey and link of ``token``; a UserError for an unknown token."""
    digest = _digest(token)
    for survey in _read(root):
        for link in survey.links:
            if hmac.compare_digest(link.digest, digest):
                return survey, link
    raise UserError("this survey link is not valid; ask for a new one")


class AnsweredError(UserError):
    """A link that has been answered already (answered 410)."""


def answer(root: Path, token: str, write: Callable[[Survey, Link], None]) -> None:
    """Answer the link ``token`` once: ``write`` stores the answers, and only then is the link
    marked answered, all under the book's lock (a second answer of the link is refused)."""
    with exclusive(root / LOCK):
        survey, link = opened(root, token)
        if link.answered:
            raise AnsweredError("this survey link has been answered already; thank you")
        write(survey, link)
        done = replace(link, answered=True)
        book = _read(root)
        updated = [
            replace(s, links=tuple(done if x.digest == link.digest else x for x in s.links))
            if s.id == survey.id
            else s
            for s in book
        ]
        _write(root, updated)

"""Demo training for the demo district: two programmes, the busy year's sessions and
what followed them.

"Основи на библиотечната работа…" with four workshops and "Компютърна грамотност"
with two courses; six sessions held in the busy year (see
:mod:`methodica.activity.demo`: the current year from July, else the previous one),
spread over it and all before today, with about 190 attendances of some 150
librarians from about 68 libraries, anonymous feedback with a realistic spread and
comments, certificates for everyone who attended; an upcoming session with places
left and another one full with a waiting list (first come, first served); a session
the year before. No two sessions share the training room on the same day. The demo
reporter's staff record is linked to their account: they are enrolled in the
upcoming session and attended a past one whose survey they have not answered yet.

Written directly, like the register's demo, from a ``random.Random(SEED)``;
repeatable: a district that already has a programme is left alone.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from methodica.accounts.models import Membership, User
from methodica.activity.demo import busy_window, busy_year
from methodica.libraries.models import District, Library, StaffMember
from methodica.training.models import (
    Answer,
    Certificate,
    Course,
    Enrolment,
    Module,
    Programme,
    Question,
    Response,
    Session,
    Survey,
    SurveyTicket,
)

SEED = 5117
LIBRARIES, SEATS = 68, 35
ROOM = "Регионална библиотека „Захарий Княжески“, Стара Загора, зала 2"

BASICS = "Основи на библиотечната работа за библиотекари без професионално образование"
COMPUTERS = "Компютърна грамотност"
# (programme, course, hours, modules, outcomes)
COURSES = [
    (
        BASICS,
        "Комплектуване и опазване на фонда",
        "8",
        ["Комплектуване", "Инвентаризация и отписване"],
        "Води инвентарната книга\nПодготвя отписване на остарели издания",
    ),
    (
        BASICS,
        "Каталогизация и класификация",
        "8",
        ["Библиографско описание", "УДК на практика"],
        "Описва книга по БДС\nПоставя основен индекс по УДК",
    ),
    (
        BASICS,
        "Обслужване на читателите и справочна работа",
        "6",
        ["Читателски формуляр", "Справки и библиографски списъци"],
        "Регистрира читатели\nИзготвя тематичен списък",
    ),
    (
        BASICS,
        "Библиотечна статистика и годишният отчет",
        "6",
        ["Показатели", "Попълване на отчета в Methodica"],
        "Води дневник на посещенията\nПопълва годишния отчет",
    ),
    (
        COMPUTERS,
        "Компютър, интернет и електронна поща",
        "16",
        ["Файлове и папки", "Интернет и имейл", "Безопасност онлайн"],
        "Работи с файлове\nИзпраща имейл с прикачен файл",
    ),
    (
        COMPUTERS,
        "Автоматизирана библиотечна система и електронен каталог",
        "16",
        ["Въвеждане на записи", "Заемане", "Търсене в каталога"],
        "Въвежда запис в каталога\nРегистрира заемане",
    ),
]
# The course of each of the six sessions held in the busy year, in order; the
# last one is given online.
HELD = [0, 1, 2, 3, 4, 5]
COMMENTS = [
    "Много полезно, особено практическите задачи.",
    "Искам още такива обучения, по-често.",
    "Лекторката обясняваше ясно и търпеливо.",
    "Малко време за упражнения на компютър.",
    "Добре би било да получим материалите предварително.",
    "Научих как да попълвам отчета без грешки.",
    "Залата беше студена, иначе всичко беше чудесно.",
    "Благодаря! Ще приложа наученото още тази седмица.",
    "Да има продължение за напреднали.",
    "Полезни бяха примерите от други читалища.",
]


def load_demo_training(district: District, stdout: Any = None) -> None:
    """The demo training of ``district`` (nothing if it already has a programme)."""
    from methodica.training.surveys import ensure_default_survey

    if Programme.objects.filter(district=district).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 - demo data, repeatable by design
    now = timezone.now()
    today = timezone.localdate()
    survey = ensure_default_survey(district=district)
    trainer = User.objects.filter(username="demo-methodologist").first()
    courses = _programmes(district)
    pool = _librarians(rng, district)
    reporter_staff = _reporter_staff(district)
    held = [
        _session(
            courses[index],
            day,
            survey,
            capacity=SEATS + 5,
            online=position == len(HELD) - 1,
        )
        for position, (index, day) in enumerate(
            zip(HELD, _held_days(rng, today), strict=True)
        )
    ]
    # The year before's session, so that a person's record spans years.
    before = busy_year(today) - 1
    held_last_year = _session(
        courses[1], _weekday(datetime.date(before, 10, 15)), survey, 30
    )
    # A week apart, so that the two-day course never shares the room.
    upcoming = _session(
        courses[0], _weekday(today + datetime.timedelta(days=9)), survey, 30
    )
    full = _session(
        courses[4], _weekday(today + datetime.timedelta(days=16)), survey, 12
    )

    attendances = 0
    attended_by_session: dict[int, list[Enrolment]] = {}
    for session, group in _groups(rng, pool, held, held_last_year):
        enrolments = _enrol(rng, session, group, trainer, past=True)
        attended_by_session[session.pk] = [e for e in enrolments if e.attended]
        attendances += len(attended_by_session[session.pk])
    if reporter_staff is not None:
        _reporter_history(
            held[-1], upcoming, reporter_staff, trainer, attended_by_session
        )
    others = [s for s in pool if s != reporter_staff]
    _enrol(rng, upcoming, rng.sample(others, 18), trainer, past=False)
    _enrol(rng, full, rng.sample(others, 16), trainer, past=False)  # 12 in, 4 waiting
    pending = reporter_staff.pk if reporter_staff is not None else None
    for session in [*held, held_last_year]:
        attended = attended_by_session[session.pk]
        _feedback(rng, session, survey, attended, pending_staff=pending)
        _certificates(session, attended, trainer, now)
    if stdout is not None:
        stdout.write(
            f"Demo training: {len(held) + 3} sessions, {attendances} attendances.\n"
        )


def _weekday(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(
        days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0
    )


def _held_days(rng: random.Random, today: datetime.date) -> list[datetime.date]:
    """The six days of the sessions held: spread evenly over the busy year from
    February, each in the first half of its own stretch of the year (three weeks
    at the least, so that none shares the room with another, two-day courses
    included), and all a week or more before today, so that their feedback and
    certificates are in the past."""
    start, end = busy_window(today, first=(2, 1), margin=10)
    end = min(end, datetime.date(start.year, 12, 10))
    stretch = ((end - start).days + 1) // len(HELD)
    days = []
    for index in range(len(HELD)):
        first = start + datetime.timedelta(days=index * stretch)
        # A weekday in the stretch's first half, leaving room for a two-day course.
        day = _weekday(first + datetime.timedelta(days=rng.randint(0, stretch // 2)))
        days.append(day)
    if busy_year(today) == today.year:
        # The last one a week ago, so that its survey is still open and the demo
        # reporter, who attended it, can answer it (a Friday rather than a weekend).
        recent = today - datetime.timedelta(days=7)
        recent -= datetime.timedelta(days=max(0, recent.weekday() - 4))
        days[-1] = max(days[-1], recent)
    return days


def _programmes(district: District) -> list[Course]:
    programmes = {
        title: Programme.objects.create(
            district=district,
            title=title,
            audience=audience,
            description=description,
        )
        for title, audience, description in (
            (
                BASICS,
                "Библиотекари без библиотечно образование",
                "Четири практически семинара за основите на библиотечната работа.",
            ),
            (
                COMPUTERS,
                "Библиотекари в читалища и малки общински библиотеки",
                "Два курса: компютър и интернет; автоматизирана библиотечна система.",
            ),
        )
    }
    courses = []
    for position, (programme, title, hours, modules, outcomes) in enumerate(COURSES):
        course = Course.objects.create(
            programme=programmes[programme],
            title=title,
            hours=Decimal(hours),
            outcomes=outcomes,
            position=position,
        )
        Module.objects.bulk_create(
            Module(
                course=course, title=m, hours=Decimal(hours) / len(modules), position=i
            )
            for i, m in enumerate(modules)
        )
        courses.append(course)
    return courses


def _session(
    course: Course,
    day: datetime.date,
    survey: Survey,
    capacity: int,
    *,
    online: bool = False,
) -> Session:
    starts = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 9, 30))
    days = 2 if course.hours > 8 else 1
    ends = starts + datetime.timedelta(days=days - 1, hours=7)
    now = timezone.now()
    return Session.objects.create(
        course=course,
        starts_at=starts,
        ends_at=ends,
        place="" if online else ROOM,
        online_url="https://meet.example.org/methodica-training" if online else "",
        trainer="Елена Методиева",
        capacity=capacity,
        hours=course.hours,
        survey=survey,
        # The day after it ends, and never in the future.
        feedback_sent_at=min(ends + datetime.timedelta(days=1), now)
        if ends < now
        else None,
    )


def _librarians(rng: random.Random, district: District) -> list[StaffMember]:
    """About 150 current librarians of about 68 libraries (created when missing)."""
    libraries = list(
        Library.objects.filter(
            municipality__district=district, status=Library.Status.ACTIVE
        ).order_by("pk")
    )
    chosen = rng.sample(libraries, min(LIBRARIES, len(libraries)))
    pool: list[StaffMember] = []
    for library in chosen:
        staff = list(
            StaffMember.objects.filter(library=library, left_on__isnull=True).order_by(
                "pk"
            )
        )
        pool.extend(staff[:4])
    # The register's demo has few staff in village libraries; a training pool of
    # about 150 needs a few more people: fictitious, each with a name of their own
    # in the Bulgarian way (first name, father's name, surname).
    names = [
        "Анелия",
        "Веселина",
        "Галина",
        "Даниела",
        "Зорница",
        "Илиана",
        "Мариана",
        "Надежда",
        "Радка",
        "Снежана",
        "Таня",
        "Христина",
    ]
    fathers = [
        "Атанасова",
        "Борисова",
        "Георгиева",
        "Димитрова",
        "Иванова",
        "Костадинова",
        "Николова",
        "Пенчева",
        "Петрова",
        "Стефанова",
        "Тодорова",
        "Янкова",
    ]
    surnames = [
        "Ангелова",
        "Вълчева",
        "Гочева",
        "Динева",
        "Желева",
        "Колева",
        "Минчева",
        "Петкова",
        "Русева",
        "Стоянова",
        "Тончева",
        "Христова",
    ]
    wanted = max(0, 150 - len(pool))
    full_names = rng.sample(
        [f"{n} {f} {s}" for n in names for f in fathers for s in surnames], wanted
    )
    extra: list[StaffMember] = []
    for full_name in full_names:
        library = chosen[(len(pool) + len(extra)) % len(chosen)]
        extra.append(
            StaffMember(
                library=library,
                full_name=full_name,
                position="библиотекар",
                fte=Decimal("0.50"),
                has_library_qualification=False,
                started_on=datetime.date(2020, 9, 1),
                # Visibly demo addresses, as every demo contact is.
                email=f"librarian.{len(extra) + 1:03d}@example.org",
            )
        )
    pool.extend(StaffMember.objects.bulk_create(extra))
    return pool


def _reporter_staff(district: District) -> StaffMember | None:
    """The demo reporter's own staff record, linked to their account."""
    membership = (
        Membership.objects.filter(user__username="demo-reporter", library__isnull=False)
        .select_related("user", "library")
        .first()
    )
    if membership is None:
        return None
    staff = (
        StaffMember.objects.filter(library=membership.library).order_by("pk").first()
    )
    if staff is None:
        staff = StaffMember.objects.create(
            library=membership.library,
            full_name=membership.user.get_full_name() or membership.user.username,
            position="библиотекар",
        )
    staff.user = membership.user
    staff.save(update_fields=["user"])
    return staff


def _groups(rng, pool, held, last_year):
    """Who comes to each session: 35 each, everyone in the pool at least once and
    some twice (about 210 places for about 150 people), those without a library
    qualification first, so that they fill the first programme's workshops."""
    people = sorted(
        rng.sample(pool, len(pool)), key=lambda s: s.has_library_qualification
    )
    queue = people + rng.sample(pool, SEATS * len(held) - len(people))
    for index, session in enumerate(held):
        group: list[StaffMember] = []
        for person in queue[index * SEATS :]:
            if len(group) == SEATS:
                break
            if person not in group:
                group.append(person)
        yield session, group
    yield last_year, rng.sample(pool, 28)


def _enrol(rng, session, group, trainer, *, past: bool) -> list[Enrolment]:
    """Enrol ``group`` in the order given: first come, first served, so each asked
    after the one before (a few hours apart) and the last of them before now."""
    rows = []
    first = min(session.starts_at, timezone.now()) - datetime.timedelta(days=25)
    for position, person in enumerate(group):
        waiting = not past and position >= session.capacity
        rows.append(
            Enrolment(
                session=session,
                staff=person,
                status=Enrolment.Status.WAITING
                if waiting
                else Enrolment.Status.ENROLLED,
                enrolled_by=trainer,
                requested_at=first
                + datetime.timedelta(hours=3 * position, minutes=rng.randint(0, 90)),
                attended=(rng.random() < 0.9) if past else None,
                attendance_marked_by=trainer if past else None,
            )
        )
    return Enrolment.objects.bulk_create(rows)


def _reporter_history(past, upcoming, staff, trainer, attended_by_session) -> None:
    """The demo reporter attended the last session held and is enrolled in the next."""
    enrolment, _created = Enrolment.objects.update_or_create(
        session=past,
        staff=staff,
        defaults={
            "status": Enrolment.Status.ENROLLED,
            "attended": True,
            "enrolled_by": trainer,
            "attendance_marked_by": trainer,
            "requested_at": past.starts_at - datetime.timedelta(days=10),
        },
    )
    attended = attended_by_session[past.pk]
    if enrolment not in attended:
        attended.append(enrolment)
    Enrolment.objects.get_or_create(
        session=upcoming,
        staff=staff,
        defaults={
            "status": Enrolment.Status.ENROLLED,
            "enrolled_by": staff.user,
            "requested_at": timezone.now() - datetime.timedelta(days=2),
        },
    )


def _feedback(rng, session, survey, attended, *, pending_staff) -> None:
    """About seven in ten answered: anonymous responses (no link to the person, only
    the day), and the tickets of those who answered marked used."""
    from methodica.training.surveys import new_token

    questions = list(Question.objects.filter(survey=survey))
    answering = [e for e in attended if e.staff_id != pending_staff]
    answering = rng.sample(answering, int(len(answering) * 0.7))
    tickets = [
        SurveyTicket(
            enrolment=e,
            token_hash=new_token()[1],  # secrets, never the seeded rng
            sent_at=session.feedback_sent_at,
            used=e in answering,
        )
        for e in attended
    ]
    SurveyTicket.objects.bulk_create(tickets)
    # Answered on the day the survey was sent or within five days, never after today.
    sent = timezone.localdate(session.feedback_sent_at)
    today = timezone.localdate()
    responses = Response.objects.bulk_create(
        Response(
            session=session,
            survey=survey,
            submitted_on=min(sent + datetime.timedelta(days=rng.randint(0, 5)), today),
        )
        for _e in answering
    )
    answers = []
    for response in responses:
        for question in questions:
            if question.kind == Question.Kind.LIKERT:
                score = rng.choices([5, 4, 3, 2, 1], [48, 34, 12, 4, 2])[0]
                answers.append(
                    Answer(response=response, question=question, score=score)
                )
            elif rng.random() < 0.3:
                answers.append(
                    Answer(
                        response=response, question=question, text=rng.choice(COMMENTS)
                    )
                )
    Answer.objects.bulk_create(answers)


def _certificates(session, attended, trainer, now) -> None:
    from methodica.training.certificates import new_code

    day = timezone.localtime(session.starts_at).date()
    issued = min(session.ends_at + datetime.timedelta(days=3), now)
    Certificate.objects.bulk_create(
        Certificate(
            enrolment=e,
            code=new_code(),
            holder_name=e.staff.full_name,
            course_title=session.course.title,
            programme_title=session.course.programme.title,
            hours=session.hours,
            session_date=day,
            issued_at=issued,
            issued_by=trainer,
        )
        for e in attended
    )

"""Demo consultations and visits for the demo district: its busy year and the one
before.

About 270 consultations in the busy year (see :mod:`methodica.activity.demo`: the
current year from July, else the previous one) over every channel and topic (some
95 libraries, a few people asking for themselves), 110 the year before and, before
July, a light sprinkling in the current year up to yesterday; questions and answers
combined from a few dozen templates, questions asked from inside Methodica with
their threads (some still open), about 30 visits made in the busy year with findings
against the checklist and recommendations (some closed, some overdue) and a few
visits planned. Every consultation and visit is given by a methodologist whose scope
covers the library (the municipal methodologist only in their municipality).
Written directly, like the register's demo, from a ``random.Random(SEED)``;
repeatable: a district that already has consultations or visits is left alone.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from methodica.accounts.models import User
from methodica.activity.demo import busy_window, busy_year
from methodica.core.permissions import has_perm
from methodica.libraries.models import District, Library
from methodica.support.models import (
    ChecklistItem,
    Consultation,
    Finding,
    Message,
    Recommendation,
    Topic,
    Visit,
)

SEED = 4402
THIS_YEAR, LAST_YEAR = 270, 110
VISITS_THIS_YEAR, VISITS_LAST_YEAR, VISITS_PLANNED = 31, 12, 4

CHANNELS = [  # (channel, weight): as a regional library counts them
    (Consultation.Channel.PHONE, 44),
    (Consultation.Channel.EMAIL, 30),
    (Consultation.Channel.SOCIAL, 15),
    (Consultation.Channel.ON_SITE, 6),
    (Consultation.Channel.VIDEO, 5),
]
TOPIC_WEIGHTS = {
    "cataloguing": 14,
    "automation": 12,
    "statistics": 22,
    "legal": 12,
    "projects": 12,
    "events": 8,
    "children": 5,
    "digitisation": 5,
    "buildings": 4,
    "other": 6,
}

# (topic, question, answer); "{year}" is the year the consultation is about.
TEMPLATES: list[tuple[str, str, str]] = [
    (
        "cataloguing",
        "Как се описва многотомно издание, когато томовете са излезли в различни години?",
        "Обясних описанието на общо ниво и на ниво том; изпратих примерен запис.",
    ),
    (
        "cataloguing",
        "Кой индекс по УДК да поставим на книгите за местната история?",
        "Препоръчах 908 с определител за мястото; изпратих извадка от таблиците.",
    ),
    (
        "cataloguing",
        "Трябва ли да каталогизираме подарените книги, преди да ги заведем в инвентарната книга?",
        "Не: първо се завеждат в инвентарната книга, после се каталогизират.",
    ),
    (
        "cataloguing",
        "Как се отписват изгубени от читатели книги?",
        "Изпратих образец на акт за отписване и реда за възстановяване на стойността.",
    ),
    (
        "automation",
        "Не можем да влезем в автоматизираната система след смяната на компютъра.",
        "Помогнахме с настройките по телефона; системата работи.",
    ),
    (
        "automation",
        "Как да прехвърлим стария електронен каталог в новата система?",
        "Обяснихме експорта в ISO 2709 и предложихме да го направим заедно при посещение.",
    ),
    (
        "automation",
        "Кой модул на системата служи за регистриране на читателите?",
        "Показахме модула за обслужване по видеовръзка.",
    ),
    (
        "automation",
        "Как да отпечатаме баркодове за книгите?",
        "Изпратихме кратка инструкция и шаблон за етикети.",
    ),
    (
        "statistics",
        "Как се попълва формулярът за годишния статистически отчет за {year} г.?",
        "Разяснихме показателите за читатели и посещения; напомнихме срока.",
    ),
    (
        "statistics",
        "Броят ли се онлайн събитията в посещенията?",
        "Не: те се отчитат отделно като виртуални посещения.",
    ),
    (
        "statistics",
        "Какво да запишем като брой на библиотечните единици след инвентаризацията?",
        "Наличността в края на годината по инвентарната книга, след отписванията.",
    ),
    (
        "statistics",
        "Програмата не приема отчета: децата-читатели са повече от всички читатели.",
        "Открихме грешката в колоната; отчетът е поправен и подаден.",
    ),
    (
        "statistics",
        "Трябва ли да отчитаме заемането на периодика отделно?",
        "Да, в отделен ред; изпратих указанията на НСИ.",
    ),
    (
        "legal",
        "Какви документи са нужни за вписване в регистъра на обществените библиотеки?",
        "Изпратих списъка на документите и образец на заявлението.",
    ),
    (
        "legal",
        "Задължителна ли е инвентаризация при смяна на библиотекаря?",
        "Да, при приемане и предаване на фонда; изпратих образец на протокол.",
    ),
    (
        "legal",
        "Как да променим устава на читалището заради библиотеката?",
        "Посочих текстовете от Закона за народните читалища; насочих ги към юрист.",
    ),
    (
        "legal",
        "Може ли библиотеката да събира такса за читателска карта?",
        "Може, ако е приета от настоятелството; основното обслужване е безплатно.",
    ),
    (
        "projects",
        "Кога се отваря програмата „Българските библиотеки – съвременни центрове за четене и информираност“ за {year} г.?",
        "Изпратих обявата и сроковете; предложих да прегледам проекта.",
    ),
    (
        "projects",
        "Можем ли да кандидатстваме за нови компютри с общината като партньор?",
        "Да; обяснихме изискванията за партньорско споразумение.",
    ),
    (
        "projects",
        "Как да отчетем проекта за закупуване на книги?",
        "Изпратихме образец на финансов и съдържателен отчет.",
    ),
    (
        "events",
        "Идеи за Маратон на четенето в малка селска библиотека?",
        "Изпратихме програма от миналата година и списък с подходящи книги.",
    ),
    (
        "events",
        "Как да отбележим годишнина на местен писател?",
        "Предложихме изложба, четене и среща с краеведи; дадохме контакти.",
    ),
    (
        "events",
        "Можем ли да се включим в Националната седмица на четенето?",
        "Да; изпратихме регистрационната форма и материалите.",
    ),
    (
        "children",
        "Как да привлечем децата през лятната ваканция?",
        "Предложихме лятна читалня и игри с книги; изпратихме примерна програма.",
    ),
    (
        "children",
        "Какви книги за първокласници да закупим тази година?",
        "Изпратихме препоръчителен списък от детския отдел.",
    ),
    (
        "digitisation",
        "Как да сканираме стари снимки от фонда на читалището?",
        "Разяснихме резолюцията и формата (TIFF, 400 dpi) и описанието им.",
    ),
    (
        "digitisation",
        "Може ли регионалната библиотека да дигитализира летописната книга?",
        "Да, по програмата за краеведски фонд; уговорихме срок.",
    ),
    (
        "buildings",
        "Покривът тече над хранилището: какво да направим с мокрите книги?",
        "Разяснихме сушенето и отделянето на засегнатите книги; насочихме към общината.",
    ),
    (
        "buildings",
        "Какви рафтове да поискаме от общината за детския отдел?",
        "Изпратихме препоръки за височина и разстояние между рафтовете.",
    ),
    (
        "other",
        "Търсим библиотекар на половин щат: къде да публикуваме обявата?",
        "Предложихме сайта на регионалната библиотека и групата на библиотекарите.",
    ),
    (
        "other",
        "Кога е следващото обучение за нови библиотекари?",
        "Изпратихме графика на обученията и връзка за записване.",
    ),
    (
        "other",
        "Можем ли да получим дублетни книги от регионалната библиотека?",
        "Да; изпратихме списъка с дублети и реда за получаване.",
    ),
]

# Questions asked from inside Methodica: (topic, question, methodologist's answer or None).
REQUESTS: list[tuple[str, str, str | None]] = [
    (
        "statistics",
        "Добър ден! В отчета за посещенията не знаем дали да броим участниците в клуба по плетене. Благодаря!",
        "Броят се като посещения на събития, в отделния ред; в общите посещения също.",
    ),
    (
        "legal",
        "Настоятелството иска да намали работното време на библиотеката. Има ли минимум?",
        "Законът не определя минимум, но регистърът изисква обявено работно време; препоръчваме поне 20 часа седмично.",
    ),
    (
        "automation",
        "Електронният каталог не показва новите книги. Какво да проверим?",
        "Записите бяха със статус „в обработка“; сменете го на „наличен“ и ще се появят.",
    ),
    (
        "projects",
        "Искаме да кандидатстваме за проект за детски кът. Ще прегледате ли бюджета?",
        "Прегледахме го: добавете разходи за публичност; иначе е наред.",
    ),
    ("cataloguing", "Как да опишем местен вестник, който излиза нередовно?", None),
    (
        "digitisation",
        "Имаме стари читалищни протоколи от 1920-те. Може ли да ги сканирате?",
        None,
    ),
    ("events", "Ще изпратите ли афиш за Деня на народните будители?", None),
    (
        "buildings",
        "Общината предлага да преместим библиотеката в бившето училище. Какво да поискаме?",
        "Сух, отопляем етаж; носимоспособност на пода за хранилището; отделен вход.",
    ),
]

FINDING_NOTES = {
    Finding.Rating.GOOD: [
        "Наред.",
        "Подредено по УДК, с разделители.",
        "Без забележки.",
    ],
    Finding.Rating.ATTENTION: [
        "Част от фонда не е подредена след ремонта.",
        "Каталогът не е обновяван от две години.",
        "Отчетите се пазят, но без входящи номера.",
        "Компютърът е стар, без достъп до интернет.",
        "Работното време не е обявено на входа.",
    ],
    Finding.Rating.POOR: [
        "Влага в хранилището; книгите по долните рафтове са засегнати.",
        "Няма инвентарна книга за последните постъпления.",
        "Помещението не се отоплява през зимата.",
    ],
}
RECOMMENDATIONS = {
    "collection": "Да се подреди фондът по УДК и да се отделят остарелите издания за отписване.",
    "catalogue": "Да се въведат в електронния каталог постъпленията от последните две години.",
    "reports": "Да се води дневник за посещенията и да се архивират отчетите с входящи номера.",
    "premises": "Да се поиска от общината ремонт на покрива и отопление на читалнята.",
    "computers": "Да се кандидатства за компютър и интернет по програма на Министерството на културата.",
    "opening_hours": "Да се обяви работното време на входа и в сайта на читалището.",
}


def load_demo_support(district: District, stdout: Any = None) -> None:
    """Consultations and visits for ``district`` (nothing if it already has some)."""
    from methodica.support.services import ensure_defaults

    if (
        Consultation.objects.filter(district=district).exists()
        or Visit.objects.filter(library__municipality__district=district).exists()
    ):
        return
    ensure_defaults(district)
    rng = random.Random(SEED)  # noqa: S311 - demo data, repeatable by design
    today = timezone.localdate()
    libraries = list(
        Library.objects.filter(
            municipality__district=district, status=Library.Status.ACTIVE
        )
        .select_related("municipality")
        .order_by("pk")
    )
    if not libraries:
        return
    staff = _Staff(district, _methodologists())
    topics = {t.code: t for t in Topic.objects.filter(district=district)}
    # About 95 libraries ask in a year (of 110 that might): a core that asks often, others now and then.
    helped = rng.sample(libraries, min(110, len(libraries)))
    weights = [rng.choice([1, 1, 1, 2, 3, 6]) for _ in helped]
    made = 0
    for start, end, count in _consultation_years(today):
        rows = [
            _consultation(rng, district, helped, weights, topics, staff, start, end)
            for _ in range(count)
        ]
        made += len(Consultation.objects.bulk_create(rows))
    made += _requests(rng, district, topics, staff)
    visits = _visits(rng, district, libraries, staff, today)
    if stdout is not None:
        stdout.write(f"Demo help: {made} consultations, {visits} visits.\n")


def _consultation_years(
    today: datetime.date,
) -> list[tuple[datetime.date, datetime.date, int]]:
    """(first day, last day, how many) for each year with consultations: the busy
    year, the year before, and the current year's sprinkling (at half the busy
    year's pace) when the busy year is the previous one."""
    start, end = busy_window(today)
    years = [
        (start, end, THIS_YEAR),
        (
            datetime.date(start.year - 1, 1, 1),
            datetime.date(start.year - 1, 12, 31),
            LAST_YEAR,
        ),
    ]
    if busy_year(today) < today.year:
        first, yesterday = (
            datetime.date(today.year, 1, 1),
            today - datetime.timedelta(1),
        )
        days = (yesterday - first).days + 1
        if days > 0:
            years.append((first, yesterday, THIS_YEAR * days // 365 // 2))
    return years


def _methodologists() -> list[User]:
    names = ["demo-methodologist", "demo-admin", "demo-municipal"]
    return list(
        User.objects.filter(username__in=names)
        .prefetch_related("memberships")
        .order_by("username")
    )


class _Staff:
    """The demo methodologists, each picked only where their scope covers the
    library (the district itself for a consultation to a person)."""

    def __init__(self, district: District, users: list[User]) -> None:
        self.district, self.users = district, users
        self._cache: dict[tuple[str, int | None], list[User | None]] = {}

    def who_may(self, perm: str, library: Library | None) -> list[User | None]:
        key = (perm, library.pk if library is not None else None)
        if key not in self._cache:
            obj = library if library is not None else self.district
            self._cache[key] = [u for u in self.users if has_perm(u, perm, obj)] or [
                None
            ]
        return self._cache[key]

    def pick(self, rng: random.Random, perm: str, library: Library | None) -> Any:
        return rng.choice(self.who_may(perm, library))


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A weekday (the department works on weekdays) from ``start`` to ``end``."""
    if end < start:
        raise ValueError(f"no days from {start} to {end}")
    day = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
    if day.weekday() >= 5:
        friday = day - datetime.timedelta(days=day.weekday() - 4)
        monday = day + datetime.timedelta(days=7 - day.weekday())
        day = friday if friday >= start else monday
    return day if day <= end else start


def _consultation(rng, district, helped, weights, topics, staff, start, end):
    channel = rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]
    code = rng.choices(list(TOPIC_WEIGHTS), list(TOPIC_WEIGHTS.values()))[0]
    _code, question, answer = rng.choice([t for t in TEMPLATES if t[0] == code])
    day = _day(rng, start, end)
    person = rng.random() < 0.05
    follow_up = rng.random() < 0.07
    library = None if person else rng.choices(helped, weights)[0]
    return Consultation(
        district=district,
        library=library,
        person=rng.choice(
            [
                "Студентка по библиотекознание",
                "Читател от Казанлък",
                "Учителка от Чирпан",
            ]
        )
        if person
        else "",
        given_on=day,
        channel=channel,
        topic=topics.get(code),
        question=question.format(
            year=day.year - 1 if code == "statistics" else day.year
        ),
        answer=answer,
        minutes=rng.choice([5, 5, 10, 10, 15, 20, 30, 45, 60]),
        read_level=rng.choices([1, 2, 3, 4, 5], [20, 35, 30, 10, 5])[0],
        follow_up=follow_up,
        follow_up_done_on=(
            min(day + datetime.timedelta(days=rng.randint(2, 20)), end)
            if follow_up and rng.random() < 0.6
            else None
        ),
        owner=staff.pick(rng, "support.consultation:log", library),
    )


def _requests(rng, district, topics, staff) -> int:
    """Questions asked from inside Methodica, most by the demo reporter's library."""
    from methodica.accounts.models import Membership

    askers = list(
        Membership.objects.filter(
            user__username__in=["demo-reporter", "demo-reporter-2"],
            library__isnull=False,
        )
        .select_related("user", "library__municipality")
        .order_by("user__username", "pk")
    )
    if not askers:
        return 0
    made = 0
    now = timezone.now()
    for index, (code, question, answer) in enumerate(REQUESTS):
        asker = askers[index % len(askers)]
        asked = now - datetime.timedelta(
            days=rng.randint(1, 6) if answer is None else rng.randint(10, 300),
            hours=rng.randint(0, 8),
        )
        answerer = staff.pick(rng, "support.request:answer", asker.library)
        consultation = Consultation.objects.create(
            district=district,
            library=asker.library,
            given_on=timezone.localdate(asked),
            channel=Consultation.Channel.SYSTEM,
            topic=topics.get(code),
            question=question,
            answer=answer or "",
            minutes=rng.choice([10, 15, 20]) if answer else 0,
            origin=Consultation.Origin.REQUEST,
            status=Consultation.Status.ANSWERED if answer else Consultation.Status.OPEN,
            owner=answerer if answer or index % 2 else None,
            asked_by=asker.user,
        )
        # Answered within two days, and never later than a minute ago.
        answered = min(
            asked + datetime.timedelta(hours=rng.randint(2, 40)),
            now - datetime.timedelta(minutes=1),
        )
        Consultation.objects.filter(pk=consultation.pk).update(
            created_at=asked,
            waiting_since=asked,
            answered_at=answered if answer else None,
        )
        Message.objects.create(
            consultation=consultation, author=asker.user, body=question
        )
        if answer:
            reply = Message.objects.create(
                consultation=consultation,
                author=answerer,
                from_methodologist=True,
                body=answer,
            )
            Message.objects.filter(pk=reply.pk).update(created_at=answered)
        Message.objects.filter(
            consultation=consultation, from_methodologist=False
        ).update(created_at=asked)
        made += 1
    return made


def _visits(rng, district, libraries, staff, today) -> int:
    items = list(ChecklistItem.objects.filter(district=district, active=True))
    # Visits go to libraries that need them most: villages first, one per library.
    chosen = rng.sample(
        libraries,
        min(len(libraries), VISITS_THIS_YEAR + VISITS_LAST_YEAR + VISITS_PLANNED),
    )
    made = 0
    # Made in the busy year from February (the window is never empty: from July
    # the current year has had five months), the year before, then planned.
    busy = busy_window(today, first=(2, 1), margin=3)
    before = (
        datetime.date(busy[0].year - 1, 2, 1),
        datetime.date(busy[0].year - 1, 12, 15),
    )
    plan = (
        [(busy, Visit.Status.DONE)] * VISITS_THIS_YEAR
        + [(before, Visit.Status.DONE)] * VISITS_LAST_YEAR
        + [(None, Visit.Status.PLANNED)] * VISITS_PLANNED
    )
    # Two libraries are visited twice in the busy year: 31 visits to 29 libraries.
    chosen[1] = chosen[0]
    chosen[3] = chosen[2]
    for library, (window, status) in zip(chosen, plan, strict=False):
        if window is None:
            day = today + datetime.timedelta(days=rng.randint(3, 40))
        else:
            day = _day(rng, *window)
        visit = Visit.objects.create(
            library=library,
            planned_for=day,
            visited_on=day if status == Visit.Status.DONE else None,
            status=status,
            methodologist=staff.pick(rng, "support.visit:manage", library),
            purpose=rng.choice(
                [
                    "Методическа помощ",
                    "Проверка на фонда",
                    "Подготовка за годишния отчет",
                    "Помощ при автоматизация",
                    "Запознаване с новия библиотекар",
                ]
            ),
            met_with=rng.choice(
                [
                    "библиотекаря",
                    "председателя на читалището и библиотекаря",
                    "секретаря на читалището",
                ]
            ),
            summary="Обсъдихме състоянието на библиотеката и плана за следващата година."
            if status == Visit.Status.DONE
            else "",
        )
        made += 1
        if status != Visit.Status.DONE:
            continue
        _record(rng, visit, items, today)
    return made


def _record(rng, visit, items, today) -> None:
    findings: list[Finding] = []
    recommendations: list[Recommendation] = []
    for item in items:
        rating = rng.choices(
            [Finding.Rating.GOOD, Finding.Rating.ATTENTION, Finding.Rating.POOR],
            [60, 30, 10],
        )[0]
        findings.append(
            Finding(
                visit=visit,
                item=item,
                rating=rating,
                note=rng.choice(FINDING_NOTES[rating]),
            )
        )
        if rating != Finding.Rating.GOOD and len(recommendations) < 3:
            due = visit.visited_on + datetime.timedelta(
                days=rng.choice([30, 60, 90, 180])
            )
            closed = rng.random() < 0.7 and due - datetime.timedelta(days=10) < today
            closed_on = (
                min(due - datetime.timedelta(days=rng.randint(0, 20)), today)
                if closed
                else None
            )
            if closed_on is not None and closed_on <= visit.visited_on:
                closed_on = visit.visited_on + datetime.timedelta(days=1)
            recommendations.append(
                Recommendation(
                    visit=visit,
                    library=visit.library,
                    text=RECOMMENDATIONS.get(item.code, "Да се отстранят забележките."),
                    due_on=due,
                    status=Recommendation.Status.DONE
                    if closed
                    else rng.choice(
                        [Recommendation.Status.OPEN, Recommendation.Status.IN_PROGRESS]
                    ),
                    progress_note="Изпълнено, проверено по телефона." if closed else "",
                    closed_on=closed_on,
                    closed_by=visit.methodologist if closed else None,
                )
            )
    if not recommendations:
        recommendations.append(
            Recommendation(
                visit=visit,
                library=visit.library,
                text="Да се представи планът за дейността през следващата година.",
                due_on=visit.visited_on + datetime.timedelta(days=45),
                status=Recommendation.Status.OPEN,
            )
        )
    Finding.objects.bulk_create(findings)
    Recommendation.objects.bulk_create(recommendations)

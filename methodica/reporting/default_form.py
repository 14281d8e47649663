"""The default annual report form: ISO 2789 and the annual report of Bulgarian
public libraries, as data. An administrator copies and edits it for each year."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

# (section code, {bg, ru, en}), then its indicators:
# (code, bg, ru, en, unit, type, required)
INT, DEC, BOOL = "integer", "decimal", "boolean"

SECTIONS: list[
    tuple[str, dict[str, str], list[tuple[str, str, str, str, str, str, bool]]]
] = [
    (
        "population",
        {
            "bg": "Обслужвано население",
            "ru": "Обслуживаемое население",
            "en": "Population served",
        },
        [
            (
                "population_served",
                "Население на обслужваната територия",
                "Население обслуживаемой территории",
                "Population of the area served",
                "persons",
                INT,
                True,
            ),
        ],
    ),
    (
        "users",
        {"bg": "Потребители", "ru": "Пользователи", "en": "Users"},
        [
            (
                "users_total",
                "Регистрирани потребители – общо",
                "Зарегистрированные пользователи – всего",
                "Registered users, total",
                "persons",
                INT,
                True,
            ),
            (
                "users_children",
                "в т.ч. деца до 14 г.",
                "в т.ч. дети до 14 лет",
                "of whom children under 14",
                "persons",
                INT,
                True,
            ),
        ],
    ),
    (
        "visits",
        {"bg": "Посещения", "ru": "Посещения", "en": "Visits"},
        [
            (
                "visits_physical",
                "Посещения в библиотеката",
                "Посещения библиотеки",
                "Physical visits",
                "visits",
                INT,
                True,
            ),
            (
                "visits_virtual",
                "Виртуални посещения",
                "Виртуальные посещения",
                "Virtual visits",
                "visits",
                INT,
                False,
            ),
            (
                "visits_total",
                "Посещения – общо",
                "Посещения – всего",
                "Visits, total",
                "visits",
                INT,
                False,
            ),
        ],
    ),
    (
        "loans",
        {"bg": "Заемане", "ru": "Книговыдача", "en": "Loans"},
        [
            (
                "loans_total",
                "Заети библиотечни документи – общо",
                "Выдано документов – всего",
                "Loans, total",
                "items",
                INT,
                True,
            ),
            (
                "loans_children",
                "в т.ч. на деца",
                "в т.ч. детям",
                "of which to children",
                "items",
                INT,
                True,
            ),
            ("loans_books", "Книги", "Книги", "Books", "items", INT, True),
            (
                "loans_periodicals",
                "Периодични издания",
                "Периодические издания",
                "Periodicals",
                "items",
                INT,
                True,
            ),
            (
                "loans_other",
                "Други документи",
                "Другие документы",
                "Other documents",
                "items",
                INT,
                True,
            ),
            (
                "ill_received",
                "Междубиблиотечно заемане – получени",
                "МБА – получено",
                "Interlibrary loans received",
                "items",
                INT,
                False,
            ),
            (
                "ill_provided",
                "Междубиблиотечно заемане – предоставени",
                "МБА – предоставлено",
                "Interlibrary loans provided",
                "items",
                INT,
                False,
            ),
        ],
    ),
    (
        "collection",
        {"bg": "Библиотечен фонд", "ru": "Библиотечный фонд", "en": "Collection"},
        [
            (
                "collection_start",
                "Фонд в началото на годината",
                "Фонд на начало года",
                "Collection at the start of the year",
                "items",
                INT,
                True,
            ),
            (
                "collection_end",
                "Фонд в края на годината – общо",
                "Фонд на конец года – всего",
                "Collection at the end of the year, total",
                "items",
                INT,
                True,
            ),
            ("collection_books", "Книги", "Книги", "Books", "items", INT, True),
            (
                "collection_periodicals",
                "Периодични издания",
                "Периодические издания",
                "Periodicals",
                "items",
                INT,
                True,
            ),
            (
                "collection_other",
                "Други документи",
                "Другие документы",
                "Other documents",
                "items",
                INT,
                True,
            ),
            (
                "collection_local_history",
                "в т.ч. краеведски фонд",
                "в т.ч. краеведческий фонд",
                "of which local history",
                "items",
                INT,
                False,
            ),
        ],
    ),
    (
        "acquisitions",
        {
            "bg": "Набавяне и отчисляване",
            "ru": "Поступление и выбытие",
            "en": "Acquisitions and withdrawals",
        },
        [
            (
                "acquired_total",
                "Новопостъпления – общо",
                "Поступило – всего",
                "Acquisitions, total",
                "items",
                INT,
                True,
            ),
            (
                "acquired_purchase",
                "чрез покупка",
                "путём покупки",
                "by purchase",
                "items",
                INT,
                True,
            ),
            (
                "acquired_donation",
                "чрез дарение",
                "в дар",
                "by donation",
                "items",
                INT,
                True,
            ),
            (
                "withdrawn",
                "Отчислени документи",
                "Выбыло документов",
                "Items withdrawn",
                "items",
                INT,
                True,
            ),
        ],
    ),
    (
        "service",
        {"bg": "Обслужване", "ru": "Обслуживание", "en": "Service"},
        [
            (
                "hours_per_week",
                "Работно време за потребители (часа седмично)",
                "Часы работы для пользователей в неделю",
                "Opening hours per week",
                "hours",
                DEC,
                True,
            ),
            (
                "computers_users",
                "Компютри за потребители",
                "Компьютеры для пользователей",
                "Computers for users",
                "computers",
                INT,
                True,
            ),
            (
                "internet_users",
                "Интернет достъп за потребители",
                "Доступ в интернет для пользователей",
                "Internet access for users",
                "",
                BOOL,
                True,
            ),
            (
                "events_count",
                "Културни и образователни прояви",
                "Культурные и просветительские мероприятия",
                "Events",
                "events",
                INT,
                True,
            ),
            (
                "events_attendance",
                "Посетители на проявите",
                "Посетители мероприятий",
                "Event attendance",
                "persons",
                INT,
                False,
            ),
        ],
    ),
    (
        "staff",
        {"bg": "Персонал", "ru": "Персонал", "en": "Staff"},
        [
            (
                "staff_fte",
                "Библиотечен персонал (щатни бройки)",
                "Библиотечный персонал (ставки)",
                "Library staff (FTE)",
                "FTE",
                DEC,
                True,
            ),
            (
                "staff_qualified_fte",
                "в т.ч. с библиотечно образование",
                "в т.ч. с библиотечным образованием",
                "of whom with a library qualification",
                "FTE",
                DEC,
                True,
            ),
        ],
    ),
    (
        "finance",
        {"bg": "Финанси", "ru": "Финансы", "en": "Finance"},
        [
            (
                "income_total",
                "Приходи – общо",
                "Доходы – всего",
                "Income, total",
                "BGN",
                DEC,
                True,
            ),
            (
                "expenditure_total",
                "Разходи – общо",
                "Расходы – всего",
                "Expenditure, total",
                "BGN",
                DEC,
                True,
            ),
            (
                "expenditure_staff",
                "за персонал",
                "на персонал",
                "on staff",
                "BGN",
                DEC,
                True,
            ),
            (
                "expenditure_acquisitions",
                "за набавяне",
                "на комплектование",
                "on acquisitions",
                "BGN",
                DEC,
                True,
            ),
            ("expenditure_other", "други", "прочие", "other", "BGN", DEC, True),
        ],
    ),
]

# Indicators computed from others (formulas.py): read-only in the form and template.
FORMULAS: dict[str, str] = {
    "visits_total": "visits_physical + visits_virtual",
}

# (code, expression, severity, {bg, ru, en})
RULES: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "children_users_within_total",
        "users_children <= users_total",
        "hard",
        {
            "bg": "Потребителите деца не може да са повече от всички потребители.",
            "ru": "Пользователей-детей не может быть больше, чем всех пользователей.",
            "en": "Child users cannot be more than all users.",
        },
    ),
    (
        "children_loans_within_total",
        "loans_children <= loans_total",
        "hard",
        {
            "bg": "Заеманията за деца не може да са повече от всички заемания.",
            "ru": "Выдача детям не может превышать всю выдачу.",
            "en": "Loans to children cannot exceed all loans.",
        },
    ),
    (
        "loans_add_up",
        "loans_books + loans_periodicals + loans_other = loans_total",
        "hard",
        {
            "bg": "Книги, периодика и други документи трябва да дават общото заемане.",
            "ru": "Книги, периодика и другие документы должны давать всю выдачу.",
            "en": "Books, periodicals and other items must add up to the loans total.",
        },
    ),
    (
        "collection_adds_up",
        "collection_books + collection_periodicals + collection_other = collection_end",
        "hard",
        {
            "bg": "Видовете документи трябва да дават общия фонд в края на годината.",
            "ru": "Виды документов должны давать весь фонд на конец года.",
            "en": "The kinds of items must add up to the collection at the end of the year.",
        },
    ),
    (
        "local_history_within_collection",
        "collection_local_history <= collection_end",
        "hard",
        {
            "bg": "Краеведският фонд е част от фонда и не може да е по-голям от него.",
            "ru": "Краеведческий фонд – часть фонда и не может быть больше него.",
            "en": "The local-history collection is part of the collection.",
        },
    ),
    (
        "acquisitions_within_total",
        "acquired_purchase + acquired_donation <= acquired_total",
        "hard",
        {
            "bg": "Покупките и даренията не може да са повече от всички новопостъпления.",
            "ru": "Покупки и дары не могут превышать всё поступление.",
            "en": "Purchases and donations cannot exceed all acquisitions.",
        },
    ),
    (
        "qualified_staff_within_staff",
        "staff_qualified_fte <= staff_fte",
        "hard",
        {
            "bg": "Персоналът с библиотечно образование е част от целия персонал.",
            "ru": "Персонал с библиотечным образованием – часть всего персонала.",
            "en": "Qualified staff are part of all staff.",
        },
    ),
    (
        "hours_possible",
        "hours_per_week <= 84",
        "hard",
        {
            "bg": "Една библиотека не може да работи повече от 84 часа седмично.",
            "ru": "Библиотека не может работать больше 84 часов в неделю.",
            "en": "A library cannot open more than 84 hours a week.",
        },
    ),
    (
        "stock_needs_staff",
        "not collection_end > 0 or staff_fte > 0",
        "hard",
        {
            "bg": "Библиотека с фонд трябва да има персонал.",
            "ru": "У библиотеки с фондом должен быть персонал.",
            "en": "A library with a collection must have staff.",
        },
    ),
    (
        "expenditure_adds_up",
        "expenditure_staff + expenditure_acquisitions + expenditure_other = expenditure_total",
        "hard",
        {
            "bg": "Разходите по видове трябва да дават общите разходи.",
            "ru": "Расходы по видам должны давать все расходы.",
            "en": "Expenditure by kind must add up to the total.",
        },
    ),
    (
        "stock_balance",
        "collection_end = collection_start + acquired_total - withdrawn",
        "soft",
        {
            "bg": "Фондът в края не е равен на началния + новопостъпленията − отчислените.",
            "ru": "Фонд на конец не равен фонду на начало + поступление − выбытие.",
            "en": "Closing stock is not opening stock + acquisitions − withdrawals.",
        },
    ),
    (
        "stock_carried_over",
        "collection_start = prev(collection_end)",
        "soft",
        {
            "bg": "Фондът в началото на годината не е равен на фонда в края на миналата година.",
            "ru": "Фонд на начало года не равен фонду на конец прошлого года.",
            "en": "Opening stock is not last year's closing stock.",
        },
    ),
]


def build(*, district: Any, year: int) -> Any:
    """Create the default form for ``year`` (no checks: callers check and audit)."""
    from methodica.reporting.models import Indicator, ReportForm, Rule, Section

    form = ReportForm.objects.create(
        district=district,
        year=year,
        title=_("Annual report of a public library"),
        state=ReportForm.State.PUBLISHED,
    )
    for section_position, (code, names, indicators) in enumerate(SECTIONS):
        section = Section.objects.create(
            form=form, code=code, names=names, position=section_position
        )
        Indicator.objects.bulk_create(
            Indicator(
                form=form,
                section=section,
                code=i_code,
                names={"bg": bg, "ru": ru, "en": en},
                unit=unit,
                value_type=kind,
                required=required,
                formula=FORMULAS.get(i_code, ""),
                position=position,
            )
            for position, (i_code, bg, ru, en, unit, kind, required) in enumerate(
                indicators
            )
        )
    Rule.objects.bulk_create(
        Rule(
            form=form,
            code=code,
            expression=expression,
            severity=severity,
            messages=messages,
        )
        for code, expression, severity, messages in RULES
    )
    return form

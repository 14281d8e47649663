"""The default consultation topics and visit checklist, in Bulgarian, Russian, English.

Seeded for a district by :func:`methodica.support.services.ensure_defaults`; the
district then edits its own copy.
"""

from __future__ import annotations

TOPICS: list[tuple[str, dict[str, str]]] = [
    (
        "cataloguing",
        {"bg": "Каталогизация", "ru": "Каталогизация", "en": "Cataloguing"},
    ),
    ("automation", {"bg": "Автоматизация", "ru": "Автоматизация", "en": "Automation"}),
    (
        "statistics",
        {
            "bg": "Статистика и отчети",
            "ru": "Статистика и отчёты",
            "en": "Statistics and reports",
        },
    ),
    (
        "legal",
        {
            "bg": "Нормативна уредба и устав",
            "ru": "Нормативная база и устав",
            "en": "Legal and statutory",
        },
    ),
    (
        "projects",
        {
            "bg": "Проекти и финансиране",
            "ru": "Проекты и финансирование",
            "en": "Projects and funding",
        },
    ),
    ("events", {"bg": "Събития", "ru": "Мероприятия", "en": "Events"}),
    (
        "children",
        {"bg": "Деца и младежи", "ru": "Дети и молодёжь", "en": "Children and youth"},
    ),
    ("digitisation", {"bg": "Дигитализация", "ru": "Оцифровка", "en": "Digitisation"}),
    (
        "buildings",
        {
            "bg": "Сграда и оборудване",
            "ru": "Здание и оборудование",
            "en": "Buildings and equipment",
        },
    ),
    ("other", {"bg": "Друго", "ru": "Другое", "en": "Other"}),
]

CHECKLIST: list[tuple[str, dict[str, str]]] = [
    (
        "collection",
        {
            "bg": "Състояние и подреждане на фонда",
            "ru": "Состояние и расстановка фонда",
            "en": "Collection state and arrangement",
        },
    ),
    ("catalogue", {"bg": "Каталог", "ru": "Каталог", "en": "Catalogue"}),
    ("reports", {"bg": "Отчети", "ru": "Отчёты", "en": "Reports"}),
    ("premises", {"bg": "Помещения", "ru": "Помещения", "en": "Premises"}),
    ("computers", {"bg": "Компютри", "ru": "Компьютеры", "en": "Computers"}),
    (
        "opening_hours",
        {"bg": "Работно време", "ru": "Часы работы", "en": "Opening hours"},
    ),
]

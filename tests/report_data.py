"""A consistent year of a small chitalishte library, for report tests."""

from __future__ import annotations

# A consistent year of a small chitalishte library: every hard rule holds.
GOOD = {
    "population_served": "850",
    "users_total": "210",
    "users_children": "60",
    "visits_physical": "2400",
    "visits_virtual": "300",
    "loans_total": "5200",
    "loans_children": "1500",
    "loans_books": "4700",
    "loans_periodicals": "400",
    "loans_other": "100",
    "collection_start": "12000",
    "collection_end": "12100",
    "collection_books": "11500",
    "collection_periodicals": "500",
    "collection_other": "100",
    "collection_local_history": "300",
    "acquired_total": "150",
    "acquired_purchase": "90",
    "acquired_donation": "60",
    "withdrawn": "50",
    "hours_per_week": "30",
    "computers_users": "2",
    "internet_users": "да",
    "events_count": "24",
    "events_attendance": "900",
    "staff_fte": "1",
    "staff_qualified_fte": "0",
    "income_total": "21000",
    "expenditure_total": "20500",
    "expenditure_staff": "17000",
    "expenditure_acquisitions": "2500",
    "expenditure_other": "1000",
}


def cells(overrides: dict[str, str] | None = None, marks: dict[str, str] | None = None):
    values = {**GOOD, **(overrides or {})}
    marks = marks or {}
    return {code: (text, marks.get(code, "")) for code, text in values.items()}

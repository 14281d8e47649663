"""Designing report forms: copy a year's form to the next, edit its sections,
indicators and rules, and publish it (the campaign's thresholds: thresholds.py).

Every change raises the form's ``version`` and is audited. A form whose campaign is
open or closed has reports, and may then change only in ways that keep them valid
(docs/decisions/0005-form-versions.md):

* safe: names, definitions, unit text, order, ``replaces``, a new optional
  indicator, new or edited or deactivated rules;
* refused: removing or re-coding an indicator that holds values, changing its type
  or its formula, removing a choice that is used, making it required (or adding a
  required one) while submitted or accepted reports lack it, removing a rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils.translation import gettext as _

from methodica.core.audit import audit, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.libraries.models import District
from methodica.reporting.expressions import ExpressionError, parse
from methodica.reporting.formulas import FormulaError, ordered_formulas
from methodica.reporting.models import (
    Campaign,
    Indicator,
    Report,
    ReportForm,
    ReportValue,
    Rule,
    Section,
)

DESIGN = "reporting.form:design"
LANGUAGES = ("bg", "ru", "en")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED = {"and", "or", "not", "abs", "min", "max", "if", "prev", "revision"}
INDICATOR_FIELDS = [
    "section",
    "code",
    "names",
    "definitions",
    "unit",
    "value_type",
    "choices",
    "required",
    "formula",
    "replaces",
]
RULE_FIELDS = ["code", "expression", "severity", "messages", "active"]


# --- shared checks --------------------------------------------------------------


def _lock(form: ReportForm) -> ReportForm:
    """The form, locked, and its reports too: a save or a submission locks its
    report, so a design change waits for those under way and those that follow
    see the changed form. Without it, a new required indicator could slip past a
    report being submitted at the same moment (decision 0005's checks)."""
    locked = ReportForm.objects.select_for_update().get(pk=form.pk)
    list(
        Report.objects.select_for_update(of=("self",))
        .filter(campaign__form_id=locked.pk)
        .values_list("pk", flat=True)
    )
    return locked


def has_reports(form: ReportForm) -> bool:
    """A form with a campaign (open or closed) has reports to keep valid."""
    return Campaign.objects.filter(form_id=form.pk).exists()


def _raise_version(form: ReportForm) -> None:
    ReportForm.objects.filter(pk=form.pk).update(version=F("version") + 1)
    form.refresh_from_db(fields=["version"])


def _filled(indicator: Indicator) -> Any:
    """The report values of ``indicator`` that hold something."""
    return ReportValue.objects.filter(indicator=indicator).filter(
        Q(number__isnull=False) | ~Q(text="") | ~Q(mark="")
    )


def _done_without(indicator: Indicator | None, form: ReportForm) -> int:
    """Submitted or accepted reports that have no value for ``indicator``."""
    done = Report.objects.filter(
        campaign__form=form,
        status__in=[Report.Status.SUBMITTED, Report.Status.ACCEPTED],
    )
    if indicator is not None and indicator.pk:
        done = done.exclude(
            pk__in=_filled(indicator).values("report_id"),
        )
    return done.count()


def _check_code(code: str, field: str = "code") -> None:
    if not CODE.match(code) or code in RESERVED:
        raise DomainError(
            _(
                "A code is up to 40 small Latin letters, digits and underscores, "
                "starting with a letter, and not a word of the rule language."
            ),
            field=field,
        )


def _names(texts: Mapping[str, str], *, required: bool, field: str) -> dict[str, str]:
    clean = {lang: (texts.get(lang) or "").strip() for lang in LANGUAGES}
    clean = {lang: text for lang, text in clean.items() if text}
    if required and "bg" not in clean:
        raise DomainError(_("Give at least the Bulgarian text."), field=field)
    return clean


def _users_of(
    form: ReportForm, code: str, *, skip: Indicator | None = None
) -> list[str]:
    """The rules and formulas of ``form`` that read indicator ``code``."""
    users = []
    for rule in form.rules.all():
        try:
            if code in parse(rule.expression).codes():
                users.append(rule.code)
        except ExpressionError:
            continue
    for other in form.indicators.exclude(formula="").exclude(
        pk=skip.pk if skip else None
    ):
        try:
            if code in parse(other.formula).codes():
                users.append(other.code)
        except ExpressionError:
            continue
    return users


# --- the form ---------------------------------------------------------------------


@transaction.atomic
def copy_form(*, actor: Any, form: ReportForm, year: int) -> ReportForm:
    """A draft of ``year``'s form, copied from ``form``: its sections, its indicators
    (each ``replaces`` the one it was copied from, so time series stay continuous)
    and its rules."""
    require_perm(actor, DESIGN, form)
    # One copy at a time per district, so a double click cannot reach the
    # one-form-a-year constraint as an error page.
    District.objects.select_for_update().filter(pk=form.district_id).first()
    if ReportForm.objects.filter(district_id=form.district_id, year=year).exists():
        raise DomainError(
            _("There is already a form for %(year)s.") % {"year": year}, field="year"
        )
    copy = ReportForm.objects.create(
        district_id=form.district_id,
        year=year,
        title=form.title,
        state=ReportForm.State.DRAFT,
        based_on=form,
    )
    sections = {}
    for section in form.sections.all():
        sections[section.pk] = Section.objects.create(
            form=copy, code=section.code, names=section.names, position=section.position
        )
    Indicator.objects.bulk_create(
        Indicator(
            form=copy,
            section=sections[i.section_id],
            code=i.code,
            names=i.names,
            definitions=i.definitions,
            unit=i.unit,
            value_type=i.value_type,
            choices=i.choices,
            required=i.required,
            formula=i.formula,
            replaces=i,
            position=i.position,
        )
        for i in form.indicators.all()
    )
    Rule.objects.bulk_create(
        Rule(
            form=copy,
            code=r.code,
            expression=r.expression,
            severity=r.severity,
            messages=r.messages,
            active=r.active,
        )
        for r in form.rules.all()
    )
    audit(
        actor=actor,
        action="report_form.copied",
        obj=copy,
        changes={
            "year": {"before": form.year, "after": year},
            "based_on": {"before": None, "after": {"id": form.pk, "repr": str(form)}},
        },
    )
    return copy


@transaction.atomic
def publish_form(*, actor: Any, form: ReportForm) -> ReportForm:
    """A draft form goes into use: a campaign can then be opened on it."""
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    if locked.state != ReportForm.State.DRAFT:
        raise DomainError(_("This form is already in use."))
    indicators = list(locked.indicators.all())
    if not indicators:
        raise DomainError(_("Add at least one indicator before publishing."))
    try:
        ordered_formulas(indicators)
    except FormulaError as exc:
        raise DomainError(exc.message) from None
    locked.state = ReportForm.State.PUBLISHED
    locked.save(update_fields=["state"])
    _raise_version(locked)
    audit(
        actor=actor,
        action="report_form.published",
        obj=locked,
        changes={
            "state": {"before": ReportForm.State.DRAFT, "after": locked.state},
            "version": {"before": locked.version - 1, "after": locked.version},
        },
    )
    return locked


def form_for_campaign(*, actor: Any, district: District, year: int) -> ReportForm:
    """The form a new campaign for ``year`` uses: the year's published form if the
    administrator designed one, else a fresh default form."""
    form = ReportForm.objects.filter(district=district, year=year).first()
    if form is None:
        from methodica.reporting.services import create_default_form

        return create_default_form(actor=actor, district=district, year=year)
    if form.state == ReportForm.State.DRAFT:
        raise DomainError(
            _("The form for %(year)s is still being prepared. Publish it first.")
            % {"year": year}
        )
    return form


# --- sections ---------------------------------------------------------------------


@transaction.atomic
def save_section(
    *,
    actor: Any,
    form: ReportForm,
    code: str,
    names: Mapping[str, str],
    section: Section | None = None,
) -> Section:
    """Add a section, or rename one (its code, its names): always safe."""
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    _check_code(code)
    clean = _names(names, required=True, field="name_bg")
    taken = locked.sections.filter(code=code).exclude(
        pk=section.pk if section else None
    )
    if taken.exists():
        raise DomainError(
            _("Another section has the code %(code)s.") % {"code": code}, field="code"
        )
    if section is None:
        position = locked.sections.aggregate(top=Max("position"))["top"]
        section = Section.objects.create(
            form=locked,
            code=code,
            names=clean,
            position=0 if position is None else position + 1,
        )
        changes = {
            f"{code}.{name}": {"before": None, "after": value}
            for name, value in snapshot(section, ["code", "names"]).items()
        }
    else:
        before = snapshot(section, ["code", "names"])
        section.code, section.names = code, clean
        section.save(update_fields=["code", "names"])
        changes = _named(before, diff(before, snapshot(section, ["code", "names"])))
    _changed(actor, locked, "report_form.section_saved", changes)
    return section


@transaction.atomic
def remove_section(*, actor: Any, section: Section) -> None:
    """Remove an empty section."""
    form = section.form
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    if section.indicators.exists():
        raise DomainError(
            _("Move or remove the indicators of this section first."),
        )
    code = section.code
    section.delete()
    _changed(
        actor,
        locked,
        "report_form.section_removed",
        {"section": {"before": code, "after": None}},
    )


@transaction.atomic
def move_section(*, actor: Any, section: Section, step: int) -> None:
    """Move a section one place up (``step=-1``) or down (``1``): always safe."""
    form = section.form
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    before = section.position
    if not _move(list(locked.sections.all()), section.pk, step):
        return  # already at the edge: no change, no new version
    section.refresh_from_db(fields=["position"])
    _changed(
        actor,
        locked,
        "report_form.section_moved",
        {f"{section.code}.position": {"before": before, "after": section.position}},
    )


def _move(items: Sequence[Section | Indicator], pk: int, step: int) -> bool:
    """Renumber ``items`` in order with ``pk`` moved by ``step`` places; False when
    it is already first or last, and nothing changes."""
    ordered = list(items)
    index = next(i for i, item in enumerate(ordered) if item.pk == pk)
    target = max(0, min(len(ordered) - 1, index + step))
    if target == index:
        return False
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return True


def _named(before: Mapping[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Changed fields named after the object's code before the change:
    ``loans_total.names``, so the history says which indicator or rule changed."""
    return {f"{before['code']}.{name}": change for name, change in changes.items()}


def _changed(
    actor: Any, form: ReportForm, action: str, changes: dict[str, Any]
) -> None:
    """Raise the form's version and audit one design change."""
    _raise_version(form)
    audit(
        actor=actor,
        action=action,
        obj=form,
        changes=changes
        | {"version": {"before": form.version - 1, "after": form.version}},
    )


# --- indicators -------------------------------------------------------------------


def _clean_indicator(form: ReportForm, data: Mapping[str, Any]) -> dict[str, Any]:
    code = (data.get("code") or "").strip()
    _check_code(code)
    value_type = data.get("value_type") or Indicator.ValueType.INTEGER
    if value_type not in Indicator.ValueType.values:
        raise DomainError(_("Choose a type."), field="value_type")
    choices = [str(c).strip() for c in data.get("choices") or [] if str(c).strip()]
    if value_type == Indicator.ValueType.CHOICE and not choices:
        raise DomainError(_("List the answers to choose from."), field="choices")
    if len(set(choices)) != len(choices):
        raise DomainError(_("An answer is listed twice."), field="choices")
    section = data.get("section")
    if section is None or section.form_id != form.pk:
        raise DomainError(_("Choose a section of this form."), field="section")
    replaces = data.get("replaces")
    if replaces is not None and (
        replaces.form.district_id != form.district_id or replaces.form.year >= form.year
    ):
        raise DomainError(
            _("An indicator can only continue one of an earlier year's form."),
            field="replaces",
        )
    return {
        "section": section,
        "code": code,
        "names": _names(data.get("names") or {}, required=True, field="name_bg"),
        "definitions": _names(
            data.get("definitions") or {}, required=False, field="definition_bg"
        ),
        "unit": (data.get("unit") or "").strip()[:20],
        "value_type": value_type,
        "choices": choices if value_type == Indicator.ValueType.CHOICE else [],
        "required": bool(data.get("required")),
        "formula": (data.get("formula") or "").strip(),
        "replaces": replaces,
    }


def _breaking_indicator_change(
    form: ReportForm, indicator: Indicator, clean: Mapping[str, Any]
) -> str | None:
    """Why this change of an indicator would break the form's reports, if it would."""
    filled = _filled(indicator)
    count = filled.values("report_id").distinct().count()
    code = indicator.code
    if count and clean["code"] != code:
        return _(
            "%(code)s has values in %(count)s reports, so its code cannot change. "
            "Next year's form can have a new indicator that replaces it."
        ) % {"code": code, "count": count}
    if count and clean["value_type"] != indicator.value_type:
        return _(
            "%(code)s has values in %(count)s reports, so its type cannot change."
        ) % {"code": code, "count": count}
    if count and clean["formula"] != indicator.formula:
        return _(
            "%(code)s has values in %(count)s reports, so its formula cannot change: "
            "the values already given would no longer agree with it."
        ) % {"code": code, "count": count}
    removed = set(indicator.choices) - set(clean["choices"])
    used = sorted(set(filled.filter(text__in=removed).values_list("text", flat=True)))
    if used:
        return _(
            "The answers %(answers)s of %(code)s are used in reports and cannot be "
            "removed."
        ) % {"answers": ", ".join(f"“{a}”" for a in used), "code": code}
    if clean["required"] and not indicator.required and not clean["formula"]:
        missing = _done_without(indicator, form)
        if missing:
            return _(
                "%(count)s submitted or accepted reports have no value for %(code)s, "
                "so it cannot become required."
            ) % {"code": code, "count": missing}
    return None


_NUMBERS = frozenset(
    {
        Indicator.ValueType.INTEGER,
        Indicator.ValueType.DECIMAL,
        Indicator.ValueType.BOOLEAN,
    }
)


def _check_rules_still_read(
    form: ReportForm, indicator: Indicator | None, clean: Mapping[str, Any]
) -> None:
    """A rule compares numbers: an indicator it reads cannot turn into text or a
    choice, or the rule would silently stop applying to every report."""
    if indicator is None or indicator.value_type not in _NUMBERS:
        return
    if clean["value_type"] in _NUMBERS:
        return
    rules = [
        code
        for code in _users_of(form, indicator.code, skip=indicator)
        if form.rules.filter(code=code).exists()
    ]
    if rules:
        raise DomainError(
            _(
                "The checks %(rules)s compare %(code)s as a number: change or "
                "deactivate them before it becomes text or a choice."
            )
            % {"rules": ", ".join(rules), "code": indicator.code},
            field="value_type",
        )


def _check_formulas(
    form: ReportForm, indicator: Indicator | None, clean: Mapping[str, Any]
) -> None:
    """The form's formulas with this change: they parse, read known numeric codes and
    form no circle."""
    candidate = Indicator(
        code=clean["code"], value_type=clean["value_type"], formula=clean["formula"]
    )
    others = form.indicators.exclude(pk=indicator.pk if indicator else None)
    try:
        ordered_formulas([*others, candidate])
    except FormulaError as exc:
        raise DomainError(exc.message, field="formula") from None


@transaction.atomic
def save_indicator(
    *,
    actor: Any,
    form: ReportForm,
    data: Mapping[str, Any],
    indicator: Indicator | None = None,
) -> Indicator:
    """Add an indicator or change one; ``data`` holds the fields of INDICATOR_FIELDS
    (``names`` and ``definitions`` by language). A change that would break the
    form's reports is refused with what would break, and nothing is saved."""
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    clean = _clean_indicator(locked, data)
    duplicate = locked.indicators.filter(code=clean["code"]).exclude(
        pk=indicator.pk if indicator else None
    )
    if duplicate.exists():
        raise DomainError(
            _("Another indicator has the code %(code)s.") % {"code": clean["code"]},
            field="code",
        )
    if indicator is not None and clean["code"] != indicator.code:
        users = _users_of(locked, indicator.code, skip=indicator)
        if users:
            raise DomainError(
                _("%(code)s is used by %(users)s: change them first.")
                % {"code": indicator.code, "users": ", ".join(users)},
                field="code",
            )
    _check_formulas(locked, indicator, clean)
    _check_rules_still_read(locked, indicator, clean)
    if has_reports(locked):
        reason = (
            _breaking_indicator_change(locked, indicator, clean)
            if indicator is not None
            else _breaking_addition(locked, clean)
        )
        if reason:
            raise DomainError(reason)
    if indicator is None:
        return _add_indicator(actor, locked, clean)
    before = snapshot(indicator, INDICATOR_FIELDS)
    for name, value in clean.items():
        setattr(indicator, name, value)
    indicator.save(update_fields=INDICATOR_FIELDS)
    changes = diff(before, snapshot(indicator, INDICATOR_FIELDS))
    if changes:
        _changed(
            actor, locked, "report_form.indicator_changed", _named(before, changes)
        )
    return indicator


def _breaking_addition(form: ReportForm, clean: Mapping[str, Any]) -> str | None:
    if clean["required"] and not clean["formula"]:
        missing = _done_without(None, form)
        if missing:
            return _(
                "%(count)s reports are already submitted or accepted without this "
                "indicator: add it as optional."
            ) % {"count": missing}
    return None


def _add_indicator(actor: Any, form: ReportForm, clean: Mapping[str, Any]) -> Indicator:
    section = clean["section"]
    top = section.indicators.aggregate(top=Max("position"))["top"]
    indicator = Indicator.objects.create(
        form=form, position=0 if top is None else top + 1, **clean
    )
    changes = {
        f"{indicator.code}.{name}": {"before": None, "after": value}
        for name, value in snapshot(indicator, INDICATOR_FIELDS).items()
        if value not in (None, "", [], {})
    }
    _changed(actor, form, "report_form.indicator_added", changes)
    return indicator


@transaction.atomic
def remove_indicator(*, actor: Any, indicator: Indicator) -> None:
    """Remove an indicator that no report has answered and no rule or formula reads."""
    form = indicator.form
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    count = _filled(indicator).values("report_id").distinct().count()
    if count:
        raise DomainError(
            _(
                "%(code)s has values in %(count)s reports and cannot be removed. "
                "Leave it out of next year's form instead."
            )
            % {"code": indicator.code, "count": count}
        )
    users = _users_of(locked, indicator.code, skip=indicator)
    if users:
        raise DomainError(
            _("%(code)s is used by %(users)s: change them first.")
            % {"code": indicator.code, "users": ", ".join(users)}
        )
    later = list(indicator.replaced_by.values_list("form__year", flat=True))
    if later:
        raise DomainError(
            _("The form of %(years)s continues %(code)s: it cannot be removed.")
            % {"years": ", ".join(map(str, later)), "code": indicator.code}
        )
    code = indicator.code
    ReportValue.objects.filter(indicator=indicator).delete()  # empty cells only
    indicator.delete()
    _changed(
        actor,
        locked,
        "report_form.indicator_removed",
        {"indicator": {"before": code, "after": None}},
    )


@transaction.atomic
def move_indicator(*, actor: Any, indicator: Indicator, step: int) -> None:
    """Move an indicator one place up (``step=-1``) or down (``1``) in its section."""
    form = indicator.form
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    before = indicator.position
    if not _move(list(indicator.section.indicators.all()), indicator.pk, step):
        return  # already at the edge: no change, no new version
    indicator.refresh_from_db(fields=["position"])
    _changed(
        actor,
        locked,
        "report_form.indicator_moved",
        {f"{indicator.code}.position": {"before": before, "after": indicator.position}},
    )


# --- rules ------------------------------------------------------------------------


@transaction.atomic
def save_rule(
    *,
    actor: Any,
    form: ReportForm,
    code: str,
    expression: str,
    severity: str,
    messages: Mapping[str, str],
    active: bool = True,
    rule: Rule | None = None,
) -> Rule:
    """Add or change a rule: always safe for the reports. An expression that does not
    parse is refused with the parser's message, which says where."""
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    code = code.strip()
    if not re.fullmatch(r"[a-z0-9_-]{1,60}", code):
        raise DomainError(
            _("A rule code is up to 60 small Latin letters, digits, - and _."),
            field="code",
        )
    if severity not in Rule.Severity.values:
        raise DomainError(
            _("Choose whether the rule blocks or warns."), field="severity"
        )
    problem = rule_problem(locked, expression)
    if problem:
        raise DomainError(problem, field="expression")
    if locked.rules.filter(code=code).exclude(pk=rule.pk if rule else None).exists():
        raise DomainError(
            _("Another rule has the code %(code)s.") % {"code": code}, field="code"
        )
    if rule is not None and rule.code != code and _justified(locked, rule.code):
        raise DomainError(
            _(
                "Reporters have explained warnings of %(code)s; its code must stay so "
                "that their explanations stay with it."
            )
            % {"code": rule.code},
            field="code",
        )
    values = {
        "code": code,
        "expression": expression.strip(),
        "severity": severity,
        "messages": _names(messages, required=False, field="message_bg"),
        "active": active,
    }
    if rule is None:
        rule = Rule.objects.create(form=locked, **values)
        changes = {
            f"{code}.{name}": {"before": None, "after": value}
            for name, value in snapshot(rule, RULE_FIELDS).items()
        }
        _changed(actor, locked, "rule.created", changes)
        return rule
    before = snapshot(rule, RULE_FIELDS)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save(update_fields=RULE_FIELDS)
    changes = diff(before, snapshot(rule, RULE_FIELDS))
    if changes:
        _changed(actor, locked, "rule.changed", _named(before, changes))
    return rule


def rule_problem(form: ReportForm, expression: str) -> str | None:
    """Why ``expression`` cannot be a rule of ``form`` (the parser's message, with the
    position), or None when it can."""
    known = set(form.indicators.values_list("code", flat=True))
    try:
        parse(expression, known=known, expect="boolean")
    except ExpressionError as exc:
        return exc.message
    return None


def _justified(form: ReportForm, code: str) -> bool:
    from methodica.reporting.models import Justification

    return Justification.objects.filter(
        report__campaign__form=form, rule_code=code
    ).exists()


@transaction.atomic
def remove_rule(*, actor: Any, rule: Rule) -> None:
    """Remove a rule of a form without reports; on one with reports, deactivate it."""
    form = rule.form
    require_perm(actor, DESIGN, form)
    locked = _lock(form)
    if has_reports(locked):
        raise DomainError(
            _("This form has reports: deactivate the rule instead of removing it.")
        )
    code, expression = rule.code, rule.expression
    rule.delete()
    _changed(
        actor, locked, "rule.removed", {code: {"before": expression, "after": None}}
    )

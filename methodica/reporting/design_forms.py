"""The form designer's input forms: they parse, the services in design.py decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from methodica.reporting.models import Indicator, ReportForm, Rule, Section

LANGUAGE_LABELS = {"bg": _("Bulgarian"), "ru": _("Russian"), "en": _("English")}


def _by_language(cleaned: dict[str, Any], prefix: str) -> dict[str, str]:
    return {lang: cleaned.get(f"{prefix}_{lang}") or "" for lang in LANGUAGE_LABELS}


def _initial(texts: dict[str, str], prefix: str) -> dict[str, str]:
    return {f"{prefix}_{lang}": texts.get(lang, "") for lang in LANGUAGE_LABELS}


class CopyForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Copy the form of"), queryset=ReportForm.objects.none()
    )
    year = forms.IntegerField(label=_("To the year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, forms_of_district: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = forms_of_district
        field.label_from_instance = lambda form: str(form.year)
        latest = forms_of_district.first()
        if latest is not None:
            self.fields["source"].initial = latest.pk
            self.fields["year"].initial = latest.year + 1


class SectionForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name_bg = forms.CharField(label=_("Name in Bulgarian"), max_length=200)
    name_ru = forms.CharField(
        label=_("Name in Russian"), max_length=200, required=False
    )
    name_en = forms.CharField(
        label=_("Name in English"), max_length=200, required=False
    )

    @classmethod
    def for_section(cls, section: Section | None, data: Any = None) -> SectionForm:
        initial = {}
        if section is not None:
            initial = {"code": section.code, **_initial(section.names, "name")}
        return cls(data, initial=initial)

    def names(self) -> dict[str, str]:
        return _by_language(self.cleaned_data, "name")


class IndicatorForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none()
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Small Latin letters, digits and _; rules and formulas use it."),
    )
    name_bg = forms.CharField(label=_("Name in Bulgarian"), max_length=300)
    name_ru = forms.CharField(
        label=_("Name in Russian"), max_length=300, required=False
    )
    name_en = forms.CharField(
        label=_("Name in English"), max_length=300, required=False
    )
    definition_bg = forms.CharField(
        label=_("Definition in Bulgarian"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    definition_ru = forms.CharField(
        label=_("Definition in Russian"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    definition_en = forms.CharField(
        label=_("Definition in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    value_type = forms.ChoiceField(label=_("Type"), choices=Indicator.ValueType.choices)
    choices = forms.CharField(
        label=_("Answers to choose from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the type “choice”: one answer a line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    formula = forms.CharField(
        label=_("Formula"),
        max_length=500,
        required=False,
        help_text=_(
            "Leave empty for a value the library gives. A formula computes it from "
            "other indicators, e.g. visits_physical + visits_virtual."
        ),
    )
    replaces = forms.ModelChoiceField(
        label=_("Continues the indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("The indicator of an earlier year's form this one continues."),
    )

    def __init__(self, *args: Any, form: ReportForm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        section = self.fields["section"]
        assert isinstance(section, forms.ModelChoiceField)
        section.queryset = form.sections.all()
        replaces = self.fields["replaces"]
        assert isinstance(replaces, forms.ModelChoiceField)
        replaces.queryset = (
            Indicator.objects.filter(
                form__district_id=form.district_id, form__year__lt=form.year
            )
            .select_related("form")
            .order_by("-form__year", "code")
        )
        replaces.label_from_instance = lambda i: f"{i.form.year}: {i.code}"

    @classmethod
    def for_indicator(
        cls,
        form: ReportForm,
        indicator: Indicator | None,
        data: Any = None,
        section: Section | None = None,
    ) -> IndicatorForm:
        initial: dict[str, Any] = {"section": section, "required": False}
        if indicator is not None:
            initial = {
                "section": indicator.section_id,
                "code": indicator.code,
                **_initial(indicator.names, "name"),
                **_initial(indicator.definitions or {}, "definition"),
                "unit": indicator.unit,
                "value_type": indicator.value_type,
                "choices": "\n".join(indicator.choices or []),
                "required": indicator.required,
                "formula": indicator.formula,
                "replaces": indicator.replaces_id,
            }
        return cls(data, initial=initial, form=form)

    def data_for_service(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        return {
            "section": cleaned["section"],
            "code": cleaned["code"],
            "names": _by_language(cleaned, "name"),
            "definitions": _by_language(cleaned, "definition"),
            "unit": cleaned["unit"],
            "value_type": cleaned["value_type"],
            "choices": (cleaned["choices"] or "").splitlines(),
            "required": cleaned["required"],
            "formula": cleaned["formula"],
            "replaces": cleaned["replaces"],
        }


class RuleForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    expression = forms.CharField(
        label=_("Condition"),
        max_length=1000,
        help_text=_(
            "What must hold, e.g. loans_children <= loans_total. "
            "prev(code) is last year's value."
        ),
    )
    severity = forms.ChoiceField(
        label=_("When it fails"), choices=Rule.Severity.choices
    )
    message_bg = forms.CharField(
        label=_("Message in Bulgarian"), max_length=500, required=False
    )
    message_ru = forms.CharField(
        label=_("Message in Russian"), max_length=500, required=False
    )
    message_en = forms.CharField(
        label=_("Message in English"), max_length=500, required=False
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: Rule | None, data: Any = None) -> RuleForm:
        initial: dict[str, Any] = {"active": True, "severity": Rule.Severity.HARD}
        if rule is not None:
            initial = {
                "code": rule.code,
                "expression": rule.expression,
                "severity": rule.severity,
                **_initial(rule.messages, "message"),
                "active": rule.active,
            }
        return cls(data, initial=initial)

    def messages(self) -> dict[str, str]:
        return _by_language(self.cleaned_data, "message")


class ThresholdsForm(forms.Form):
    change_percent = forms.DecimalField(
        label=_("A change from last year warns above (%)"),
        min_value=Decimal(5),
        max_value=Decimal(999),
        decimal_places=0,
    )
    peer_threshold = forms.DecimalField(
        label=_("A ratio far from comparable libraries warns above the score"),
        min_value=Decimal(1),
        max_value=Decimal(20),
        decimal_places=1,
        help_text=_("The modified z-score; 3.5 is the usual choice."),
    )

"""Input forms of the feedback surveys and certificates: they parse, the services
in surveys.py and certificates.py decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from methodica.training.models import Programme, Question, Survey
from methodica.training.surveys import MAX_TEXT, SCORES, QuestionInput

LIKERT_LABELS = {
    1: _("1 – strongly disagree"),
    2: _("2 – disagree"),
    3: _("3 – neither agree nor disagree"),
    4: _("4 – agree"),
    5: _("5 – strongly agree"),
}


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        initial=True,
        help_text=_("Answers of an anonymous survey can never be traced to a person."),
    )
    is_default = forms.BooleanField(
        label=_("The district's default survey"),
        required=False,
        help_text=_("Sessions without a survey of their own use it."),
    )

    @classmethod
    def for_survey(cls, survey: Survey | None, data: Any = None) -> SurveyForm:
        initial = {"anonymous": True}
        if survey is not None:
            initial = {
                "title": survey.title,
                "anonymous": survey.anonymous,
                "is_default": survey.is_default,
            }
        return cls(data, initial=initial)


class QuestionForm(forms.Form):
    question_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Question.Kind.choices, initial=Question.Kind.LIKERT
    )
    text_bg = forms.CharField(label=_("Question in Bulgarian"), max_length=500)
    text_ru = forms.CharField(
        label=_("Question in Russian"), max_length=500, required=False
    )
    text_en = forms.CharField(
        label=_("Question in English"), max_length=500, required=False
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    position = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=999, required=False
    )

    def item(self, *, position: int) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            pk=data.get("question_id"),
            kind=data["kind"],
            texts={lang: data.get(f"text_{lang}") or "" for lang in ("bg", "ru", "en")},
            required=bool(data.get("required")),
            position=position,
        )


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True)


def question_formset(survey: Survey | None, data: Any = None) -> Any:
    initial = []
    if survey is not None:
        for question in survey.questions.all():
            initial.append(
                {
                    "question_id": question.pk,
                    "kind": question.kind,
                    "required": question.required,
                    "position": question.position,
                    **{
                        f"text_{lang}": question.texts.get(lang, "")
                        for lang in ("bg", "ru", "en")
                    },
                }
            )
    return QuestionFormSet(data, initial=initial, prefix="questions")


def question_items(formset: Any) -> list[QuestionInput]:
    """The questions of a valid formset; untouched empty rows are left out, and a
    row ticked for removal needs only its question's id."""
    items = []
    for index, form in enumerate(formset.forms, start=1):
        data = form.cleaned_data
        if not data.get("question_id") and not form.has_changed():
            continue
        if formset.can_delete and data.get("DELETE"):
            if data.get("question_id"):
                items.append(
                    QuestionInput(
                        pk=data["question_id"], kind="", texts={}, delete=True
                    )
                )
            continue
        items.append(form.item(position=data.get("position") or index))
    return items


class AnswerForm(forms.Form):
    """The survey itself: a radio group per Likert item, a text box per text item."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            name = f"q{question.pk}"
            if question.kind == Question.Kind.LIKERT:
                # A CharField, not a ChoiceField: the service checks the score and
                # says what is wrong, once.
                self.fields[name] = forms.CharField(
                    label=question.text,
                    widget=forms.RadioSelect(
                        choices=[(str(s), LIKERT_LABELS[s]) for s in SCORES]
                    ),
                    required=False,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
                    required=False,
                )
            self.fields[name].is_required_item = question.required
            self.fields[name].is_likert = question.kind == Question.Kind.LIKERT
        self.questions = questions

    def answers(self) -> dict[int, Any]:
        """The raw answers by question id: the service checks them."""
        return {q.pk: self.data.get(f"q{q.pk}", "") for q in self.questions}


class CompareFilter(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, required=False
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All programmes"),
    )

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("As printed on the certificate, for example ABCD-EFGH-JKLM."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

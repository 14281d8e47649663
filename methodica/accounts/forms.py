from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from methodica.accounts.throttle import client_ip, is_locked_out
from methodica.core.permissions import Role
from methodica.libraries.models import Library, Municipality


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts. Wait %(minutes)s minutes and try again, "
            "or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = self.cleaned_data.get("username")
        if username and is_locked_out(username, client_ip(self.request)):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
        return super().clean()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, initial=Role.REPORTER
    )
    library = forms.ModelChoiceField(
        label=_("Library"),
        queryset=Library.objects.none(),
        required=False,
        help_text=_("For a reporter: the library they report for."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        required=False,
        help_text=_("Leave both empty to give the role in the whole district."),
    )

    def __init__(
        self, *args: Any, libraries: Any, municipalities: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries
        self.fields["municipality"].queryset = municipalities

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("library") and data.get("municipality"):
            raise forms.ValidationError(
                _("Choose a library or a municipality, not both.")
            )
        if data.get("role") == Role.REPORTER and not data.get("library"):
            self.add_error("library", _("A reporter is invited for one library."))
        return data


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data

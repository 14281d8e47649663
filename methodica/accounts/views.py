from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from methodica.accounts import services
from methodica.accounts.forms import AcceptInvitationForm, InvitationForm, LoginForm
from methodica.accounts.models import Invitation
from methodica.core.audit import audit
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm, scope_q
from methodica.libraries.models import District, Library, Municipality


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit(actor=form.user, action="user.password_reset", obj=form.user)
        return response


def _invitable_scope(request: HttpRequest) -> tuple:
    libraries = Library.objects.filter(
        scope_q(request.user, "accounts.user:invite")
    ).order_by("name")
    municipalities = Municipality.objects.filter(
        scope_q(
            request.user,
            "accounts.user:invite",
            district="district_id",
            municipality="id",
            library="libraries__id",
        )
    ).distinct()
    return libraries, municipalities


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "accounts.user:invite"):
        raise PermissionDenied
    libraries, municipalities = _invitable_scope(request)
    form = InvitationForm(
        request.POST or None, libraries=libraries, municipalities=municipalities
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = (
            data["library"]
            or data["municipality"]
            or District.objects.home_of(request.user)
        )
        try:
            services.invite_user(
                actor=request.user,
                email=data["email"],
                role=data["role"],
                scope=scope,
                accept_url_builder=lambda token: request.build_absolute_uri(
                    reverse("accounts:accept_invitation", args=[token])
                ),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied:
            form.add_error(None, _("You may not invite users there."))
        else:
            messages.success(
                request,
                _("The invitation was sent to %(email)s.") % {"email": data["email"]},
            )
            return redirect("accounts:invitations")
    sent = Invitation.objects.select_related("library", "municipality", "district")
    if not request.user.is_superuser:
        sent = sent.filter(invited_by=request.user)
    return render(
        request, "accounts/invitations.html", {"form": form, "invitations": sent[:100]}
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        return render(request, "accounts/invitation_invalid.html", status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(
                token=token,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(
                request,
                user,
                backend="methodica.accounts.backends.ThrottledModelBackend",
            )
            messages.success(request, _("Welcome to Methodica."))
            return redirect("core:home")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"form": form, "invitation": invitation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    token = None
    if request.method == "POST":
        token = services.issue_api_token(actor=request.user)
    return render(request, "accounts/api_token.html", {"token": token})

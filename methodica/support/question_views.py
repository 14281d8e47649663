"""Questions from libraries: asking, the methodologists' queue, the threads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from methodica.core.errors import DomainError
from methodica.core.permissions import get_object_for_user, has_perm, require_perm
from methodica.support import services
from methodica.support.forms import AnswerForm, AskForm, ReplyForm
from methodica.support.models import Consultation
from methodica.support.views import PAGE_SIZE, form_error, seeded_district_or_404


def _url_for(request: HttpRequest) -> Any:
    return lambda pk: request.build_absolute_uri(reverse("support:question", args=[pk]))


def _questions(user: Any) -> Any:
    return (
        Consultation.objects.visible_to(user)
        .filter(origin=Consultation.Origin.REQUEST)
        .select_related("library__municipality", "owner", "topic", "asked_by")
        .defer("library__municipality__boundary")
    )


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "support.request:ask")
    district = seeded_district_or_404(request.user)
    form = AskForm(
        request.POST or None,
        user=request.user,
        district=district,
        initial={"library": request.GET.get("library")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            question = services.ask_question(
                actor=request.user,
                library=form.cleaned_data["library"],
                topic=form.cleaned_data["topic"],
                question=form.cleaned_data["question"],
                url_for=_url_for(request),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("Your question was sent. You will be told by email.")
            )
            return redirect("support:question", pk=question.pk)
    return render(request, "support/ask.html", {"form": form, "active_nav": "help"})


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The open questions, longest waiting first, with their owner and age."""
    require_perm(request.user, "support.request:answer")
    mine = request.GET.get("mine") == "1"
    questions = _questions(request.user).filter(status=Consultation.Status.OPEN)
    if mine:
        questions = questions.filter(owner=request.user)
    page = Paginator(questions.order_by("waiting_since", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "support/queue.html",
        {"page": page, "mine": mine, "active_nav": "help"},
    )


@login_required
@require_GET
def my_questions(request: HttpRequest) -> HttpResponse:
    """The threads of the user's libraries, newest activity first."""
    require_perm(request.user, "support.request:ask")
    page = Paginator(
        _questions(request.user).order_by("-updated_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request, "support/my_questions.html", {"page": page, "active_nav": "help"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, pk: int) -> HttpResponse:
    """A thread: the messages, and the answer or reply form."""
    user = request.user
    thread = get_object_for_user(
        user,
        Consultation.objects.select_related(
            "library__municipality", "owner", "topic", "asked_by"
        ),
        "support.consultation:view",
        pk=pk,
        origin=Consultation.Origin.REQUEST,
    )
    answers = has_perm(user, "support.request:answer", thread)
    replies = has_perm(user, "support.request:ask", thread.library)
    form = None
    if answers:
        form = AnswerForm(request.POST or None, prefix="answer")
    elif replies:
        form = ReplyForm(request.POST or None, prefix="reply")
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                _post(request, thread, form, answers)
            except DomainError as exc:
                form_error(form, exc)
            else:
                return redirect("support:question", pk=pk)
    return render(
        request,
        "support/question.html",
        {
            "thread": thread,
            "thread_messages": thread.messages.select_related("author"),
            "form": form,
            "answers": answers,
            "active_nav": "help",
        },
    )


def _post(request: HttpRequest, thread: Consultation, form: Any, answers: bool) -> None:
    data = form.cleaned_data
    if answers:
        services.answer_question(
            actor=request.user,
            consultation=thread,
            body=data["body"],
            minutes=data["minutes"],
            read_level=data["read_level"],
            url_for=_url_for(request),
        )
        messages.success(request, _("The answer was sent to the library."))
    else:
        services.reply_to_question(
            actor=request.user,
            consultation=thread,
            body=data["body"],
            url_for=_url_for(request),
        )
        messages.success(request, _("Your message was sent."))


@login_required
@require_POST
def take(request: HttpRequest, pk: int) -> HttpResponse:
    thread = get_object_for_user(
        request.user,
        Consultation.objects.select_related("library__municipality"),
        "support.request:answer",
        pk=pk,
    )
    try:
        services.take_question(actor=request.user, consultation=thread)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The question is yours now."))
    return redirect("support:question", pk=pk)

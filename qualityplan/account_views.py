"""A person's own account: the locked-login page, password change, password reset by email.

Password reset is for installations without single sign-on (PASSWORD_RESET_ENABLED):
the email goes out in the language the person chose, and the answer never says
whether an address belongs to anyone. Every change is in the security log.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from .forms import DesignsystemetFormMixin
from .models import SecurityEvent
from .security import security_event_record
from .selectors import language_for_user

Kind = SecurityEvent.Kind


@login_not_required
def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The login page again, saying the login is locked for a while. It reads the same
    whether or not the username exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed logins with this username from this address. Logging in is "
        "paused for %(minutes)s minutes. Wait and try again, or ask the quality office "
        "to unlock it."
    ) % {"minutes": minutes}
    form = LoginForm(request)
    context = {"form": form, "locked_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


class LoginForm(DesignsystemetFormMixin, AuthenticationForm):
    """The login form in Designsystemet's look."""


class _PasswordChangeForm(DesignsystemetFormMixin, PasswordChangeForm):
    pass


class _SetPasswordForm(DesignsystemetFormMixin, SetPasswordForm):
    pass


@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    form = _PasswordChangeForm(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        security_event_record(kind=Kind.PASSWORD_CHANGE, request=request, user=user)
        messages.success(request, _("Your password is changed."))
        return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


class _PasswordResetForm(DesignsystemetFormMixin, PasswordResetForm):
    """Sends the link in the language each person chose, not the asker's browser's."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(language_for_user(user=context["user"])):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


def _reset_enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404("Password reset is off: logins go through single sign-on.")
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)


class _ResetView(auth_views.PasswordResetView):
    form_class = _PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # Links point at the address the installation is reached on, not the Host header.
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "site_name": settings.MUNICIPALITY_NAME,
        }
        security_event_record(
            kind=Kind.PASSWORD_RESET_REQUEST,
            request=self.request,
            detail=_masked_email(form.cleaned_data["email"]),
        )
        return super().form_valid(form)


class _ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = _SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_record(kind=Kind.PASSWORD_RESET, request=self.request, user=form.user)
        return response


def _masked_email(email: str) -> str:
    """The address asked for, its name part shortened: enough to match, not to harvest."""
    name, _at, domain = email.partition("@")
    return f"{name[:2]}…@{domain}" if domain else "…"


password_reset = _reset_enabled(_ResetView.as_view())
password_reset_done = _reset_enabled(
    auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
)
password_reset_confirm = _reset_enabled(_ResetConfirmView.as_view())
password_reset_complete = _reset_enabled(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_complete.html"
    )
)

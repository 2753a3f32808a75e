"""Forms of the survey builder, the answering page, imports and follow-up."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_email
from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from measures.models import Indicator, Measure
from qualityplan.forms import DesignsystemetFormMixin
from qualityplan.models import Goal, OrgUnit
from qualityplan.validators import no_national_identity_number
from staircase.models import Criterion, FrameworkVersion, Perspective

from . import bank
from .models import FREE_TEXT_MAX, Question, Section, Survey, SurveyLink
from .results import scale_labels, yes_no_labels

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SurveyForm(DesignsystemetFormMixin, forms.ModelForm):
    units = forms.ModelMultipleChoiceField(
        label=_("Units it runs at"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each unit gets its own link and poster."),
    )

    class Meta:
        model = Survey
        fields = [
            "owner",
            "title_nb",
            "title_sv",
            "title_en",
            "intro_nb",
            "intro_sv",
            "intro_en",
            "audience",
            "starts_on",
            "ends_on",
            "min_group_size",
            "daily_cap",
            "uses_codes",
            "previous",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "intro_nb": forms.Textarea(attrs={"rows": 3}),
            "intro_sv": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owners, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].empty_label = None
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda unit: (
            f"{unit.parent.name} › {unit.name}" if unit.parent_id else unit.name
        )
        self.fields["previous"].queryset = Survey.objects.filter(owner__in=owners)
        if self.instance.pk:
            self.fields["previous"].queryset = self.fields["previous"].queryset.exclude(
                pk=self.instance.pk
            )
            self.initial.setdefault(
                "units", list(self.instance.links.values_list("org_unit_id", flat=True))
            )


class SectionForm(DesignsystemetFormMixin, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title_nb", "title_sv", "title_en"]


def _option_lines(text: str) -> list[tuple[str, str, str]]:
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")] + ["", ""]
        nb, sv, en = parts[:3]
        options.append((nb, sv or nb, en or nb))
    return options


class QuestionForm(DesignsystemetFormMixin, forms.ModelForm):
    options_text = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=4000,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For choice questions: one choice per line, written “Norwegian | Swedish | English”."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "section",
            "kind",
            "text_nb",
            "text_sv",
            "text_en",
            "required",
            "number_min",
            "number_max",
            "indicator",
            "criteria",
            "perspective",
        ]
        widgets = {"criteria": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = survey.sections.all()
        self.fields["section"].empty_label = None
        self.fields["indicator"].queryset = Indicator.objects.filter(
            source=Indicator.Source.SURVEY, measure__goal__plan__owner=survey.owner
        ).select_related("measure")
        latest = Subquery(
            FrameworkVersion.objects.filter(framework=OuterRef("framework_id"))
            .order_by("-number")
            .values("pk")[:1]
        )
        versions = FrameworkVersion.objects.annotate(latest=latest).filter(pk=F("latest"))
        self.fields["criteria"].queryset = Criterion.objects.filter(
            area__version__in=versions
        ).select_related("area__version__framework")
        self.fields["criteria"].label_from_instance = lambda c: (
            f"{c.area.version.framework.name} › {c.area.position}. {c.area.name} › "
            f"{c.step}: {c.text[:90]}"
        )
        self.fields["criteria"].help_text = _(
            "The question's results are shown as evidence on these criteria in the units' "
            "self-assessments."
        )
        self.fields["perspective"].queryset = Perspective.objects.filter(
            version__in=versions
        ).select_related("version__framework")
        self.fields["perspective"].label_from_instance = lambda p: (
            f"{p.version.framework.name} › {p.name}"
        )
        if self.instance.pk and not self.is_bound:
            self.initial["options_text"] = "\n".join(
                f"{o.text_nb} | {o.text_sv} | {o.text_en}" for o in self.instance.options.all()
            )

    def options(self) -> list[tuple[str, str, str]]:
        return _option_lines(self.cleaned_data.get("options_text", ""))


class BankForm(DesignsystemetFormMixin, forms.Form):
    section = forms.ModelChoiceField(label=_("Into the section"), queryset=Section.objects.none())
    keys = forms.MultipleChoiceField(
        label=_("Questions"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, survey: Survey, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = survey.sections.all()
        self.fields["section"].empty_label = None
        self.fields["keys"].choices = [
            (entry.key, getattr(entry, language if language in ("nb", "sv") else "en"))
            for entry in bank.bank_for(survey.audience)
        ]


class CodesForm(DesignsystemetFormMixin, forms.Form):
    link = forms.ModelChoiceField(label=_("Unit"), queryset=SurveyLink.objects.none())
    emails = forms.CharField(
        label=_("Email addresses"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line (or separated by commas). Each gets its own code. The addresses "
            "are not kept."
        ),
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].queryset = survey.links.select_related("org_unit")
        self.fields["link"].empty_label = None
        self.fields["link"].label_from_instance = lambda link: link.org_unit.name

    def clean_emails(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(",", "\n").replace(";", "\n")
        emails = [line.strip() for line in raw.splitlines() if line.strip()]
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                bad.append(email)
        if bad:
            raise forms.ValidationError(
                _("Not an email address: %(address)s") % {"address": bad[0]}
            )
        if len(emails) > 2000:
            raise forms.ValidationError(_("At most 2 000 addresses at a time."))
        return emails


# --- The answering page ------------------------------------------------------------


class AnswerForm(forms.Form):
    """A respondent's form: a field per question, in the language they picked.

    No autofill: a shared tablet must not offer the last person's answers.
    """

    stamp = forms.CharField(widget=forms.HiddenInput)
    # The honeypot: hidden from people (CSS and aria-hidden), filled by bots.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, survey: Survey, questions, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        if survey.uses_codes:
            self.fields["code"] = forms.CharField(
                label=_("Your one-time code"),
                max_length=20,
                widget=forms.TextInput(
                    attrs={"autocomplete": "off", "autocapitalize": "characters"}
                ),
            )
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question, language)

    def _field(self, question: Question, language: str) -> forms.Field:
        label = question.text_in("text", language)
        common = {"label": label, "required": question.required}
        kind = Question.Kind
        if question.kind == kind.SCALE:
            return forms.ChoiceField(
                choices=list(scale_labels().items()), widget=forms.RadioSelect, **common
            )
        if question.kind == kind.YES_NO:
            return forms.ChoiceField(
                choices=list(yes_no_labels().items()), widget=forms.RadioSelect, **common
            )
        choices = [(str(o.pk), o.text_in("text", language)) for o in question.options.all()]
        if question.kind == kind.SINGLE:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if question.kind == kind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if question.kind == kind.NUMBER:
            return forms.IntegerField(
                min_value=question.number_min,
                max_value=question.number_max,
                widget=forms.NumberInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
                **common,
            )
        return forms.CharField(
            max_length=FREE_TEXT_MAX,
            validators=[no_national_identity_number],
            widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
            **common,
        )

    def values(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def rows(self):
        """(section, [(question, bound field)]) in order, for the template."""
        sections: list = []
        for question in self.questions:
            if not sections or sections[-1][0].pk != question.section_id:
                sections.append((question.section, []))
            sections[-1][1].append((question, self[f"q{question.pk}"]))
        return sections


# --- Imports and follow-up -----------------------------------------------------------


class ImportUploadForm(DesignsystemetFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "One row per respondent, one column per question, as exported from the other tool."
        ),
    )
    answered_on = forms.DateField(label=_("Answered (date)"), widget=DATE)


class FollowUpForm(DesignsystemetFormMixin, forms.Form):
    question = forms.ModelChoiceField(
        label=_("Result followed up"), queryset=Question.objects.none(), required=False
    )
    measure = forms.ModelChoiceField(
        label=_("An existing measure"), queryset=Measure.objects.none(), required=False
    )
    goal = forms.ModelChoiceField(
        label=_("Or a new measure under the goal"), queryset=Goal.objects.none(), required=False
    )
    title = forms.CharField(
        label=_("The new measure"),
        required=False,
        max_length=1000,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, survey: Survey, goals, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = survey.questions.exclude(kind=Question.Kind.TEXT)
        self.fields["question"].label_from_instance = lambda q: q.text
        self.fields["measure"].queryset = measures
        self.fields["goal"].queryset = goals
        self.fields["measure"].label_from_instance = lambda m: (
            f"{m.goal.number}.{m.position} {m.title}"
        )
        self.fields["goal"].label_from_instance = lambda g: f"{g.plan.title}: {g}"

    def clean(self):
        data = super().clean()
        if not data.get("measure") and not (data.get("goal") and data.get("title")):
            raise forms.ValidationError(
                _("Choose an existing measure, or a goal and a title for a new one.")
            )
        return data

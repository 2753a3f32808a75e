from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from qualityplan.forms import DesignsystemetFormMixin
from qualityplan.validators import no_national_identity_number

from .models import Framework, FrameworkVersion, QualityArea, SelfAssessment
from .selectors import AssessmentPage
from .services import AreaInput


class FrameworkImportForm(DesignsystemetFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Framework sheet"),
        help_text=_(
            "An Excel workbook (.xlsx) or a CSV file with the columns area, step (1–7) and "
            "criterion, and optionally perspective. Write the area on its first row only if "
            "you like; blank lines and a title row above the header are fine."
        ),
    )
    name = forms.CharField(
        label=_("Name of the framework"),
        max_length=200,
        required=False,
        validators=[no_national_identity_number],
        help_text=_(
            "Leave it empty to take the name from the sheet's title row. A framework that "
            "already has this name gets a new version."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv,.txt"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PLAN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file we accept is %(max)s."),
                code="too_big",
                params={"size": filesizeformat(upload.size), "max": filesizeformat(limit)},
            )
        return upload


class FrameworkRuleForm(DesignsystemetFormMixin, forms.ModelForm):
    class Meta:
        model = Framework
        fields = ["required_step", "certificate_years"]


class RoundForm(DesignsystemetFormMixin, forms.Form):
    version = forms.ModelChoiceField(
        label=_("Framework"), queryset=FrameworkVersion.objects.none(), empty_label=None
    )
    owner = forms.ModelChoiceField(label=_("For the units under"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        versions = FrameworkVersion.objects.select_related("framework").order_by(
            "framework__name", "-number"
        )
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = lambda v: f"{v.framework.name} (v{v.number})"
        self.fields["owner"].queryset = owners
        self.fields["year"].initial = date.today().year
        self.fields["deadline"].initial = date(date.today().year, 11, 30)


class StartForm(DesignsystemetFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Who assesses"), choices=SelfAssessment.Kind.choices, initial="unit"
    )
    team_name = forms.CharField(
        label=_("Team"),
        max_length=100,
        required=False,
        validators=[no_national_identity_number],
        help_text=_("Only for a team's own self-assessment."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == SelfAssessment.Kind.TEAM and not data.get("team_name", "").strip():
            self.add_error("team_name", _("Name the team that assesses."))
        return data


class AssessmentForm(DesignsystemetFormMixin, forms.Form):
    """Every area of a self-assessment on one page: criteria met, perspectives, evidence."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=4000,
        required=False,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the unit has learned this year, in a few sentences."),
    )

    def __init__(self, *args, page: AssessmentPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = [view.area for view in page.areas]
        perspective_choices = [(p.pk, p.name) for p in page.perspectives]
        for view in page.areas:
            pk = view.area.pk
            choices = [(c.pk, c.text) for step in view.steps for c in step.criteria]
            self.fields[f"met_{pk}"] = forms.TypedMultipleChoiceField(
                choices=choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
            )
            self.fields[f"perspectives_{pk}"] = forms.TypedMultipleChoiceField(
                label=_("Perspectives considered"),
                choices=perspective_choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"evidence_{pk}"] = forms.CharField(
                label=_("Evidence"),
                max_length=4000,
                required=False,
                validators=[no_national_identity_number],
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_(
                    "How you know the criteria are met: what you did, saw, measured or asked."
                ),
            )
            if not self.is_bound:
                self.initial[f"met_{pk}"] = sorted(view.met)
                self.initial[f"perspectives_{pk}"] = sorted(view.perspectives)
                self.initial[f"evidence_{pk}"] = view.row.evidence
        if not self.is_bound:
            self.initial["summary"] = page.assessment.summary
            self.initial["revision"] = page.assessment.revision

    def area_inputs(self) -> dict[int, AreaInput]:
        data = self.cleaned_data
        return {
            area.pk: AreaInput(
                met=frozenset(data[f"met_{area.pk}"]),
                perspectives=frozenset(data[f"perspectives_{area.pk}"]),
                evidence=data[f"evidence_{area.pk}"].strip(),
            )
            for area in self.areas
        }

    def met_by_area(self) -> dict[int, set[int]]:
        """The ticks as sent, for showing the page again after an error."""
        met = {}
        for area in self.areas:
            values = self.data.getlist(f"met_{area.pk}")
            met[area.pk] = {int(v) for v in values if v.isdigit()}
        return met

    def field_for(self, kind: str, area: QualityArea):
        return self[f"{kind}_{area.pk}"]


class DecisionForm(DesignsystemetFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvidenceForm(DesignsystemetFormMixin, forms.Form):
    file = forms.FileField(label=_("Attach a file"))


class ReviewerForm(DesignsystemetFormMixin, forms.Form):
    """Appoint a reviewer: an existing account, or a new one for someone from outside."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    username = forms.CharField(
        label=_("Reviewer's username"),
        max_length=150,
        help_text=_(
            "An existing account, or a new one for a reviewer from outside the municipality: "
            "then give their name and email address too."
        ),
    )
    full_name = forms.CharField(
        label=_("Name"), max_length=150, required=False, validators=[no_national_identity_number]
    )
    email = forms.EmailField(label=_("Email address"), required=False)
    access_until = forms.DateField(
        label=_("Access until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("After this day the reviewer no longer sees the unit's self-assessment."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        username = data.get("username", "").strip()
        incomplete = not data.get("full_name") or not data.get("email")
        if username and incomplete and not User.objects.filter(username=username).exists():
            raise forms.ValidationError(
                _("There is no account “%(name)s”. Give a name and email address to create one.")
                % {"name": username}
            )
        if data.get("access_until") and data["access_until"] < date.today():
            self.add_error("access_until", _("Choose a day from today on."))
        return data


class ReviewForm(DesignsystemetFormMixin, forms.Form):
    """The reviewers' step and justification per area, and their report."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    report = forms.CharField(
        label=_("Review report"),
        max_length=8000,
        required=False,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you saw, what the unit does well and what it should work on next."),
    )

    def __init__(self, *args, areas, rows, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas
        steps = [("", _("Not set")), ("0", _("Not on the first step"))]
        steps += [(str(step), _("Step %(step)d") % {"step": step}) for step in range(1, 8)]
        for area in areas:
            self.fields[f"step_{area.pk}"] = forms.TypedChoiceField(
                label=_("Step"),
                choices=steps,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.Select(attrs={"class": "ds-input ds-select"}),
            )
            self.fields[f"justification_{area.pk}"] = forms.CharField(
                label=_("Justification"),
                max_length=2000,
                required=False,
                validators=[no_national_identity_number],
                widget=forms.Textarea(attrs={"rows": 3, "class": "ds-input"}),
            )
            row = rows.get(area.pk)
            if row is not None and not self.is_bound:
                self.initial[f"step_{area.pk}"] = "" if row.step is None else str(row.step)
                self.initial[f"justification_{area.pk}"] = row.justification
        if not self.is_bound:
            self.initial.update(report=review.report, revision=review.revision)

    def verdicts(self):
        from .reviews import AreaVerdict

        data = self.cleaned_data
        return {
            area.pk: AreaVerdict(
                step=data[f"step_{area.pk}"], justification=data[f"justification_{area.pk}"].strip()
            )
            for area in self.areas
        }

    def pair(self, area):
        return self[f"step_{area.pk}"], self[f"justification_{area.pk}"]


class NewMeasureForm(DesignsystemetFormMixin, forms.Form):
    area = forms.ModelChoiceField(label=_("Quality area"), queryset=None, empty_label=None)
    goal = forms.ModelChoiceField(label=_("Goal in the quality plan"), queryset=None)
    title = forms.CharField(
        label=_("Measure"),
        max_length=1000,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    role = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=None,
        empty_label=None,
        help_text=_(
            "Measures in the plan are followed up by role: every unit of the plan where "
            "someone holds this role reports its status."
        ),
    )

    def __init__(self, *args, areas, goals, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["goal"].queryset = goals
        self.fields["goal"].label_from_instance = lambda g: (
            f"{g.plan.title} – {g.number}. {g.title}"[:160]
        )
        self.fields["role"].queryset = roles


class LinkMeasureForm(DesignsystemetFormMixin, forms.Form):
    area = forms.ModelChoiceField(label=_("Quality area"), queryset=None, empty_label=None)
    measure = forms.ModelChoiceField(label=_("Measure in the quality plan"), queryset=None)

    def __init__(self, *args, areas, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["measure"].queryset = measures
        self.fields["measure"].label_from_instance = lambda m: (
            f"{m.goal.number}.{m.position} {m.title}"[:160]
        )


class NetworkForm(DesignsystemetFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, validators=[no_national_identity_number]
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    framework = forms.ModelChoiceField(
        label=_("Framework"), queryset=Framework.objects.all(), empty_label=None
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units


class MeetingForm(DesignsystemetFormMixin, forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        max_length=1000,
        required=False,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=8000,
        validators=[no_national_identity_number],
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas worked on"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = areas

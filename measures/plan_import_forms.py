from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from qualityplan.fields import free_text_form_field
from qualityplan.forms import DesignsystemetFormMixin, show_unit_paths
from qualityplan.models import OrgUnit, QualityPlan


class PlanImportForm(DesignsystemetFormMixin, forms.Form):
    """The upload: the file, and what the plan made from it is called and who owns it."""

    file = forms.FileField(
        label=_("Plan table"),
        help_text=_(
            "A TSV or CSV file (separated by tab, semicolon or comma) or an Excel workbook "
            "(.xlsx), with goals, sub-goals, measures and one column per year."
        ),
    )
    title = free_text_form_field(
        QualityPlan._meta.get_field("title"),
        label=_("Title of the plan"),
        required=False,
        help_text=_(
            "Leave it empty to take the title from the file, such as “Kvalitetsplan 2021–2024”."
        ),
    )
    owner = forms.ModelChoiceField(
        label=_("Owning org unit"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    frequency = forms.ChoiceField(
        label=_("Reporting frequency"),
        choices=QualityPlan.Frequency.choices,
        initial=QualityPlan.Frequency.TERTIAL,
    )

    def __init__(self, *args, owner_choices: QuerySet[OrgUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices
        self.fields["file"].widget.attrs["accept"] = ".tsv,.csv,.txt,.xlsx"
        show_unit_paths(self.fields["owner"])
        root = next(
            (
                unit
                for unit in self.fields["owner"].queryset
                if unit.kind == OrgUnit.Kind.DEPARTMENT
            ),
            None,
        )
        if root is not None:
            self.fields["owner"].initial = root.pk

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

    def add_file_error(self, error) -> None:
        """An error found in the file's content, tied to the file input like any other."""
        self.add_error("file", error)
        described = [f"{self['file'].auto_id}_error", f"{self['file'].auto_id}_helptext"]
        self.fields["file"].widget.attrs["aria-describedby"] = " ".join(described)

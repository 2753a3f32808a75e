from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .forms import DesignsystemetFormMixin
from .models import Role
from .municipality import LOGO_MAX_BYTES


class MunicipalityForm(DesignsystemetFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the municipality"),
        max_length=200,
        help_text=_("As it is shown in the header and on the report cover, e.g. “Bodø kommune”."),
    )
    department = forms.CharField(
        label=_("Top unit"),
        max_length=200,
        help_text=_("The department or service area that runs its quality work here."),
    )
    language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        help_text=_("For new users and emails until a person chooses their own."),
    )
    logo = forms.FileField(
        label=_("Logo for the report cover"),
        required=False,
        help_text=_("A PNG or SVG image of at most 512 KB. Leave it empty to keep the current."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].widget.attrs["accept"] = ".png,.svg,image/png,image/svg+xml"

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload and upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is too large: at most 512 KB."))
        return upload


class TableUploadForm(DesignsystemetFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV file (separated by semicolon, comma or tab; UTF-8 or Windows-1252) or an "
            "Excel workbook (.xlsx)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.tsv,.txt,.xlsx"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PLAN_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class OrgUnitForm(DesignsystemetFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Placed under"), queryset=None, required=False)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A deactivated unit keeps its history but is left out of new periods."),
    )

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class AssignForm(DesignsystemetFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email address of the person"))
    name = forms.CharField(
        label=_("Name"), max_length=300, required=False, help_text=_("For a new person only.")
    )
    role = forms.ModelChoiceField(label=_("Role"), queryset=None)
    valid_from = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    replace = forms.BooleanField(
        label=_("Ends the role for whoever holds it now (the day before)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles


class RoleForm(DesignsystemetFormMixin, forms.ModelForm):
    class Meta:
        model = Role
        fields = [
            "code", "name", "name_sv", "name_en", "description", "scope", "reports_status",
            "manages_plan", "approves_reports",
        ]  # fmt: skip
        labels = {"name": _("Name in Norwegian")}

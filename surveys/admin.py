"""The office builds surveys on its own pages; the admin lists them for the system
administrator. Responses, answers and codes are deliberately not in the admin: no
page lists single respondents' answers."""

from django.contrib import admin

from .models import Question, Section, Survey, SurveyLink


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class LinkInline(admin.TabularInline):
    model = SurveyLink
    extra = 0
    readonly_fields = ["token"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title_nb", "audience", "starts_on", "ends_on", "status", "min_group_size"]
    list_filter = ["status", "audience"]
    inlines = [SectionInline, LinkInline]
    exclude = ["import_mapping", "version"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text_nb", "kind", "survey", "section", "position"]
    list_filter = ["kind"]
    list_select_related = ["survey", "section"]

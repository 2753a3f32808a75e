from django.contrib import admin

from . import models


class CriterionInline(admin.TabularInline):
    model = models.Criterion
    extra = 0


@admin.register(models.Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "required_step", "certificate_years"]


@admin.register(models.FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ["framework", "number", "created_at"]
    list_select_related = ["framework"]


@admin.register(models.QualityArea)
class QualityAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "version"]
    list_select_related = ["version__framework"]
    inlines = [CriterionInline]


@admin.register(models.AssessmentRound)
class AssessmentRoundAdmin(admin.ModelAdmin):
    list_display = ["framework_version", "owner", "year", "deadline"]
    list_select_related = ["framework_version__framework", "owner"]


@admin.register(models.SelfAssessment)
class SelfAssessmentAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "year", "kind", "team_name", "status"]
    list_filter = ["status", "year", "kind"]
    list_select_related = ["org_unit"]
    raw_id_fields = ["round", "framework_version", "org_unit", "copied_from", "updated_by"]


@admin.register(models.ExternalReview)
class ExternalReviewAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "round", "status"]
    list_select_related = ["org_unit", "round__framework_version__framework", "round__owner"]
    raw_id_fields = ["round", "org_unit", "completed_by"]


@admin.register(models.ReviewerAssignment)
class ReviewerAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "review", "access_until"]
    list_select_related = ["user", "review__org_unit", "review__round"]
    raw_id_fields = ["review", "user", "appointed_by"]


@admin.register(models.Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "framework", "issued_on", "valid_until", "sequence"]
    list_select_related = ["org_unit", "framework"]
    raw_id_fields = ["review", "org_unit", "issued_by"]


@admin.register(models.LearningNetwork)
class LearningNetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "framework"]
    list_select_related = ["framework"]

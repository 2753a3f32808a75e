from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _deviations_changed(sender, **kwargs) -> None:
    from qualityplan.dataversion import deviations_changed

    deviations_changed()


class DeviationsConfig(AppConfig):
    name = "deviations"
    verbose_name = _("Deviations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Deviation, DeviationCategory

        # The dashboards keep the deviation statistics under a stamp these move
        # (qualityplan/dataversion.py). Deviations are not deleted by the app; a
        # receiver on their delete would make Django load every row of a bulk delete,
        # so the demo's bulk writes move the stamp themselves.
        post_save.connect(_deviations_changed, sender=Deviation, dispatch_uid="figures-deviation")
        for signal in (post_save, post_delete):
            signal.connect(
                _deviations_changed,
                sender=DeviationCategory,
                dispatch_uid=f"figures-category-{signal is post_save}",
            )

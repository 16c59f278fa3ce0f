from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = _("BackCare content and results")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deployment checks)

"""BackCare URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from pwa import views as pwa_views

from quiz.health import healthz

# Under /api/ these answer in JSON like the rest of the API; pages keep HTML (quiz/api.py).
handler400 = "quiz.api.bad_request"
handler403 = "quiz.api.permission_denied"
handler404 = "quiz.api.not_found"
handler500 = "quiz.api.server_error"

admin.site.site_header = _("BackCare administration")
admin.site.site_title = _("BackCare admin")

urlpatterns = [
    path("", include("quiz.urls")),
    path("api/", include("quiz.api_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    # For load balancers: no auth, nothing sensitive (quiz/health.py).
    path("healthz", healthz, name="healthz"),
    # django-pwa's manifest view (our templates/manifest.json), revalidated on every fetch
    # so a changed name or icon is never stuck in a phone's HTTP cache.
    path("manifest.json", cache_control(no_cache=True)(pwa_views.manifest), name="manifest"),
    # django-pwa's own routes; the ones above shadow its manifest, worker and offline page.
    path("", include("pwa.urls")),
]

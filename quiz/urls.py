"""Page routes. Included before django-pwa's, so `/serviceworker.js` and `/offline/` are ours."""

from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.check, name="check"),
    path("result/", views.result, name="result"),
    path("history/", views.history, name="history"),
    path("emergency/", views.emergency, name="emergency"),
    path("offline/", views.offline, name="offline"),
    path("tips/", views.tips, name="tips"),
    path("tips/<slug:category_key>/", views.tip_category, name="tip-category"),
    path("tips/<slug:category_key>/<slug:tip_key>/", views.tip_detail, name="tip"),
    path("serviceworker.js", views.service_worker, name="serviceworker"),
    # The JavaScript catalogue is precached by the worker so gettext() works offline.
    path(
        "jsi18n/",
        cache_control(no_cache=True)(JavaScriptCatalog.as_view(packages=["quiz"])),
        name="javascript-catalog",
    ),
]

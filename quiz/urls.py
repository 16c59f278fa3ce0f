"""Page routes. Included before django-pwa's, so `/serviceworker.js` and `/offline/` are ours."""

from django.urls import path

from . import i18n, views

urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.check, name="check"),
    path("result/", views.result, name="result"),
    path("history/", views.history, name="history"),
    path("emergency/", views.emergency, name="emergency"),
    path("offline/", views.offline, name="offline"),
    # Not under tips/: a category key could be any slug.
    path("offline/tips/", views.tips_shell, name="tips-shell"),
    path("tips/", views.tips, name="tips"),
    path("tips/<slug:category_key>/", views.tip_category, name="tip-category"),
    path("tips/<slug:category_key>/<slug:tip_key>/", views.tip_detail, name="tip"),
    path("serviceworker.js", views.service_worker, name="serviceworker"),
    # The JavaScript catalogue of each language, at a URL naming its bytes: cached for a
    # year and precached by the worker, so gettext() works offline (quiz/i18n.py).
    path("jsi18n/<slug:language>/<slug:digest>.js", i18n.javascript_catalogue, name="javascript-catalog"),
]

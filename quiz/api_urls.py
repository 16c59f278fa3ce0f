"""API routes, mounted under /api/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api

urlpatterns = [
    path("content/", api.CurrentContentView.as_view(), name="api-content"),
    path("content/<int:number>/", api.ContentVersionView.as_view(), name="api-content-version"),
    path("devices/", api.DeviceRegisterView.as_view(), name="api-devices"),
    path("devices/me/", api.DeviceMeView.as_view(), name="api-device-me"),
    path("results/", api.ResultsView.as_view(), name="api-results"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a separate file: no inline script, so a strict CSP holds.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

"""The OpenAPI schema and its docs page, which work with no internet."""

import re

from django.contrib.staticfiles import finders


def test_it_describes_every_api_operation_in_an_openapi_3_schema(client, db):
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/content/",
        "/api/content/{number}/",
        "/api/devices/",
        "/api/devices/me/",
        "/api/results/",
    } <= set(schema["paths"])
    sync = schema["paths"]["/api/results/"]["post"]
    assert {"200", "400", "401", "413", "429", "503"} <= set(sync["responses"])
    assert "304" in schema["paths"]["/api/content/"]["get"]["responses"]
    assert schema["components"]["securitySchemes"]["deviceToken"]["in"] == "header"


def test_it_serves_the_docs_page_from_local_assets_without_inline_script(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources
    assert all(src.startswith("/") for src in sources), sources
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> would break a strict CSP"
    assert not re.search(r'(?:href|src)="https?://', html)
    for src in sources:
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/").split("?")[0]), src
    script = client.get(next(src for src in sources if "script" in src and not src.startswith("/static/")))
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content

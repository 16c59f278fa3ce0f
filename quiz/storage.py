"""Static files storage for production: hashed names, compressed copies, module imports."""

import rjsmin  # type: ignore[import-untyped]  # no stubs; one function, jsmin(str) -> str
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Our own modules (static/js), not the admin's or DRF's files.
OWN_SCRIPTS = "js/"


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, also rewriting ES module imports, and
    serving our scripts without their comments.

    The PWA's scripts are plain ES modules that import each other (`import { score } from
    "./scoring.js"`). Without the rewrite, `app.3f2a….js` would still import the unhashed
    `scoring.js`, which WhiteNoise serves with a short cache lifetime and which the service
    worker's precache list (built from hashed names) does not hold — so the app would break
    offline and could mix old and new modules after an update.

    The sources keep their comments for whoever reads them; a phone has no use for them,
    and they were a third of the offline precache's script bytes once compressed
    (docs/BENCHMARKS.md). rjsmin strips comments and spaces only (no renaming), as each
    script is read for hashing, so the hash is of what is served.
    """

    support_js_module_import_aggregation = True

    def post_process(self, paths, dry_run=False, **options):
        without_comments = {
            name: (_ScriptsWithoutComments(storage), path) if _is_own_script(name) else (storage, path)
            for name, (storage, path) in paths.items()
        }
        yield from super().post_process(without_comments, dry_run, **options)


def _is_own_script(name: str) -> bool:
    return name.startswith(OWN_SCRIPTS) and name.endswith(".js")


class _ScriptsWithoutComments:
    """A finder's storage whose files open without their comments (for our scripts only)."""

    def __init__(self, storage):
        self._storage = storage

    def open(self, path, mode="rb"):
        with self._storage.open(path, mode) as source:
            script = source.read().decode("utf-8")
        return ContentFile(rjsmin.jsmin(script).encode("utf-8"), name=path)

    def __getattr__(self, name):
        return getattr(self._storage, name)

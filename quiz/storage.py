"""Static files storage for production: hashed names, compressed copies, module imports."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, also rewriting ES module imports.

    The PWA's scripts are plain ES modules that import each other (`import { score } from
    "./scoring.js"`). Without the rewrite, `app.3f2a….js` would still import the unhashed
    `scoring.js`, which WhiteNoise serves with a short cache lifetime and which the service
    worker's precache list (built from hashed names) does not hold — so the app would break
    offline and could mix old and new modules after an update.
    """

    support_js_module_import_aggregation = True

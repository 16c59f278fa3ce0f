"""The Content-Security-Policy a browser enforces, read from the header.

The policy names `default-src 'self'` once and lets the other fetch directives fall back
to it (CSP Level 3), rather than spelling `'self'` six more times on every response (about
115 bytes on each page the service worker precaches). Tests assert what is enforced: a
directive's own sources when it is present, else those it falls back to.
"""

# Each fetch directive and the one a browser uses when it is absent (CSP Level 3, §6.8).
FALLBACK = {
    "script-src-elem": "script-src",
    "style-src-elem": "style-src",
    "script-src": "default-src",
    "style-src": "default-src",
    "font-src": "default-src",
    "connect-src": "default-src",
    "img-src": "default-src",
    "manifest-src": "default-src",
    "worker-src": "child-src",
    "child-src": "script-src",
}


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def enforced(header: str, name: str) -> list[str] | None:
    """The sources `name` allows under the policy `header` (None: no restriction)."""
    found = directives(header)
    while name not in found:
        if name not in FALLBACK:
            return None
        name = FALLBACK[name]
    return found[name]

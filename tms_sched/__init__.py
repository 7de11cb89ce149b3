"""tms-sched: a planner for transcranial magnetic stimulation (TMS) clinics."""

from __future__ import annotations

from functools import lru_cache

__version__ = "0.1.0"

DISTRIBUTION = "tms-sched"


@lru_cache(maxsize=1)
def project_urls() -> dict[str, str]:
    """The addresses the installed package declares (``[project.urls]`` in pyproject.toml).

    The project names no address of its own until it is published at one, so this is
    usually empty: output that would link to the project (SARIF's ``informationUri``
    and each rule's ``helpUri``) then leaves the link out rather than name a page that
    does not exist. Keys are as written there (``Homepage``, ``Documentation``).
    """
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        entries = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:  # run from a source tree without installing
        return {}
    out: dict[str, str] = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip() and url.strip():
            out.setdefault(label.strip(), url.strip())
    return out


def project_url() -> str | None:
    """The project's home page (``Homepage``), or None when the package declares none."""
    return project_urls().get("Homepage")


def docs_url() -> str | None:
    """The address of the folder holding the Markdown guides of docs/ (``Documentation``),
    such as a repository's ``docs`` folder at a branch; None when the package declares none."""
    url = project_urls().get("Documentation")
    return url.rstrip("/") if url else None

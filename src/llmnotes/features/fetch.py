"""Ask the arXiv or Crossref API about a paper, keeping each answer in the project's cache to work offline later."""

from __future__ import annotations

import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from .. import __version__
from ..engine.cache import CACHE_DIR, ensure_cache_folder
from .metadata import ArxivId, Fields, MalformedAnswer, UnknownPaper, from_arxiv_atom, from_crossref_json

ARXIV_API = "https://export.arxiv.org/api/query"
CROSSREF_API = "https://api.crossref.org"
TIMEOUT = 10.0  # seconds without an answer before giving up
USER_AGENT = f"llmnotes/{__version__} (paper notes; python-urllib)"


class FetchError(Exception):
    """The paper's facts could not be had: `unknown` when the service says it has no such paper."""

    def __init__(self, message: str, unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.unknown = unknown


def arxiv_fields(paper: ArxivId, root: Path) -> Fields:
    """The paper's fields from the arXiv API (LLMNOTES_ARXIV_API overrides its address), or from the cache."""
    base = os.environ.get("LLMNOTES_ARXIV_API") or ARXIV_API
    url = f"{base}?{urlencode({'id_list': paper.id, 'max_results': 1})}"
    name = "arxiv-" + paper.id.replace("/", "_") + ".xml"
    return _fields(url, root, name, lambda data: from_arxiv_atom(data, paper), "arXiv")


def crossref_fields(doi: str, root: Path) -> Fields:
    """The work's fields from Crossref's REST API (LLMNOTES_CROSSREF_API overrides its address), or from the cache."""
    base = (os.environ.get("LLMNOTES_CROSSREF_API") or CROSSREF_API).rstrip("/")
    url = f"{base}/works/{quote(doi, safe='')}"
    name = "crossref-" + quote(doi.lower(), safe="") + ".json"  # DOIs are case-insensitive
    return _fields(url, root, name, lambda data: from_crossref_json(data, doi), "Crossref")


def _fields(url: str, root: Path, name: str, read: Callable[[bytes], Fields], service: str) -> Fields:
    cached = root / CACHE_DIR / "papers" / name
    try:
        return read(cached.read_bytes())
    except (OSError, MalformedAnswer, UnknownPaper):  # not cached yet, or a damaged file: ask again
        pass
    data = _get(url, service)
    try:
        fields = read(data)
    except UnknownPaper as error:
        raise FetchError(str(error), unknown=True) from None
    except MalformedAnswer as error:
        raise FetchError(f"{service} sent an answer llmnotes cannot read ({error})") from None
    _keep(cached, data)
    return fields


def _get(url: str, service: str) -> bytes:
    host = urlsplit(url).netloc or url
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer: bytes = response.read()
            return answer
    except urllib.error.HTTPError as error:
        if error.code == 404 and service == "Crossref":  # how Crossref says that it has no such DOI
            raise FetchError("Crossref has no work with this DOI", unknown=True) from None
        raise FetchError(f"{service} ({host}) answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise FetchError(f"{service} ({host}) did not answer within {TIMEOUT:g} s") from None
        reason = getattr(error.reason, "strerror", None) or str(error.reason)
        raise FetchError(f"cannot reach {service} ({host}): {reason}") from None
    except TimeoutError:
        raise FetchError(f"{service} ({host}) did not answer within {TIMEOUT:g} s") from None
    except (OSError, http.client.HTTPException) as error:  # the connection broke while the answer came
        raise FetchError(f"the connection to {service} ({host}) broke: {error}") from None
    except ValueError:  # e.g. LLMNOTES_ARXIV_API without http://
        raise FetchError(
            f"{url} is not a URL llmnotes can ask (check LLMNOTES_ARXIV_API and LLMNOTES_CROSSREF_API)"
        ) from None


def _keep(path: Path, data: bytes) -> None:
    """Cache an answer; a cache that cannot be written only means asking again next time."""
    try:
        ensure_cache_folder(path.parents[2])
        path.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".answer-", dir=path.parent)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        pass

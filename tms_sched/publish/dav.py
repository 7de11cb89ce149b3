"""A small WebDAV/CalDAV client over the standard library's HTTP client.

Only what publishing needs: PROPFIND, REPORT, MKCALENDAR, PUT and DELETE on one server,
over one kept-alive connection, with Basic authentication and conditional requests. Every
failure a user can meet (a wrong address or password, a server down, an untrusted
certificate) becomes a ``PublishError`` with a sentence saying what to do; the password
never appears in one.
"""

from __future__ import annotations

import base64
import http.client
import netrc
import os
import socket
import ssl
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from ..errors import TmsError

PASSWORD_VARIABLE = "TMS_SCHED_CALDAV_PASSWORD"
TIMEOUT = 30.0
"""Seconds to wait for the server to answer one request."""

NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}


class PublishError(TmsError):
    """Publishing stopped: the server cannot be reached, refused a request or answered oddly."""


@dataclass(frozen=True)
class Credentials:
    user: str | None
    password: str | None = field(default=None, repr=False)
    source: str = ""
    """Where the password came from, for messages: the variable's name or the netrc file."""


def find_credentials(url: str, user: str | None, environ: dict[str, str] | None = None,
                     netrc_path: Path | None = None) -> Credentials:
    """The user and password for ``url``: the password from TMS_SCHED_CALDAV_PASSWORD, else
    from ~/.netrc's entry for the host (whose login is the user when --user is not given)."""
    environ = os.environ if environ is None else environ
    password = environ.get(PASSWORD_VARIABLE)
    if password:
        return Credentials(user, password, PASSWORD_VARIABLE)
    path = netrc_path if netrc_path is not None else Path(os.path.expanduser("~")) / ".netrc"
    if not path.is_file():
        return Credentials(user)
    try:
        entry = netrc.netrc(str(path)).authenticators(urlsplit(url).hostname or "")
    except netrc.NetrcParseError as exc:
        line = f":{exc.lineno}" if exc.lineno else ""
        raise PublishError(f"{path}{line}: {exc.msg}; fix the file or set {PASSWORD_VARIABLE}") from None
    except OSError as exc:
        raise PublishError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if entry is None:
        return Credentials(user)
    login, _, secret = entry
    if user is not None and login and login != user:
        return Credentials(user)  # that entry is someone else's
    return Credentials(user or login or None, secret or None, str(path))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class DavClient:
    """Requests to one CalDAV server; paths are the server's (``/coordinator/chair-A/``)."""

    def __init__(self, url: str, credentials: Credentials, timeout: float = TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PublishError(f"--url {url}: give the address of a CalDAV collection, "
                               "starting with https:// (or http:// for a server on this machine)")
        if parts.username or parts.password:
            raise PublishError(f"--url: leave the user and password out of the address; give the user with "
                               f"--user and the password in {PASSWORD_VARIABLE} or ~/.netrc")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.base_path = (parts.path or "/") if (parts.path or "/").endswith("/") else parts.path + "/"
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.credentials = credentials
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self._auth: str | None = None
        if credentials.user is not None and credentials.password is not None:
            token = f"{credentials.user}:{credentials.password}".encode("utf-8")
            self._auth = "Basic " + base64.b64encode(token).decode("ascii")

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}" if self.port else self.host

    def url(self, path: str) -> str:
        return self.origin + path

    def child(self, name: str, collection: bool = False) -> str:
        """The path of ``name`` (a collection's or a resource's) below the base path."""
        return self.base_path + quote(name, safe="") + ("/" if collection else "")

    # -- the connection --

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self.scheme == "https":
                context = ssl.create_default_context()
                self._connection = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                               context=context)
            else:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> Response:
        """One request; a dropped kept-alive connection is reopened once."""
        sent = {k.replace("_", "-"): v for k, v in headers.items()}
        if self._auth:
            sent["Authorization"] = self._auth
        if body is not None:
            sent.setdefault("Content-Length", str(len(body)))
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers=sent)
                raw = connection.getresponse()
                data = raw.read()
                response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
                if raw.will_close:
                    self.close()
                break
            except ssl.SSLCertVerificationError as exc:
                self.close()
                raise PublishError(f"{self.url(path)}: the server's TLS certificate is not trusted "
                                   f"({exc.verify_message or exc.reason}); check the address, or install the "
                                   "certificate of the authority that signed it") from None
            except ssl.SSLError as exc:
                self.close()
                raise PublishError(f"{self.url(path)}: the TLS connection failed ({exc.reason or exc}); "
                                   "check that the address speaks https on that port") from None
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise PublishError(f"{self.url(path)}: the server closed the connection without an "
                                       "answer; try again, or check the server's log") from None
            except socket.gaierror:
                self.close()
                raise PublishError(f"--url: cannot find the host {self.host}; check the address "
                                   "and the network connection") from None
            except TimeoutError:
                self.close()
                raise PublishError(f"{self.where}: no answer within {self.timeout:.0f} seconds; check that "
                                   "the server is up and the address right, then try again") from None
            except OSError as exc:
                self.close()
                raise PublishError(f"{self.where}: cannot connect ({exc.strerror or exc}); check that the "
                                   "server is running and the address and port are right") from None
        if response.status == 401:
            who = f"user {self.credentials.user}" if self.credentials.user else "no user"
            hint = (f"check --user and the password in {self.credentials.source}" if self.credentials.password
                    else f"give --user and the password in {PASSWORD_VARIABLE} or ~/.netrc")
            raise PublishError(f"{self.url(path)}: the server refused {who} (401 Unauthorized); {hint}")
        if response.status == 403:
            raise PublishError(f"{self.url(path)}: {method} is forbidden for "
                               f"{self.credentials.user or 'this user'} (403); check --url and --user, or ask the "
                               "server's administrator for access to that collection")
        if 300 <= response.status < 400 and response.header("location"):
            target = urljoin(self.url(path), response.header("location") or "")
            raise PublishError(f"{self.url(path)}: the server sends {method} elsewhere ({response.status}, to "
                               f"{target}); give the address it names as --url")
        if 500 <= response.status:
            raise PublishError(f"{self.url(path)}: the server failed on {method} ({response.status} "
                               f"{_reason(response)}); see the server's log, then try again")
        return response

    # -- WebDAV --

    def propfind(self, path: str, props: str, depth: str) -> list[tuple[str, ET.Element]]:
        """(href path, prop element) per resource answered with 200; [] for a missing ``path``."""
        body = (f'<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:" '
                f'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>{props}</D:prop></D:propfind>').encode("utf-8")
        response = self.request("PROPFIND", path, body, Depth=depth, Content_Type="application/xml; charset=utf-8")
        if response.status == 404:
            return []
        return self._multistatus(path, "PROPFIND", response)

    def report(self, path: str, body: bytes) -> list[tuple[str, ET.Element]]:
        response = self.request("REPORT", path, body, Depth="1", Content_Type="application/xml; charset=utf-8")
        return self._multistatus(path, "REPORT", response)

    def _multistatus(self, path: str, method: str, response: Response) -> list[tuple[str, ET.Element]]:
        if response.status != 207:
            raise PublishError(f"{self.url(path)}: {method} answered {response.status} {_reason(response)}, "
                               "not a WebDAV listing; check that --url is the address of a CalDAV collection")
        try:
            root = ET.fromstring(response.body)
        except ET.ParseError:
            raise PublishError(f"{self.url(path)}: the server's {method} answer is not XML; check that --url "
                               "is the address of a CalDAV collection") from None
        out = []
        for item in root.iterfind("D:response", NS):
            href = item.findtext("D:href", default="", namespaces=NS)
            for propstat in item.iterfind("D:propstat", NS):
                status = propstat.findtext("D:status", default="", namespaces=NS)
                prop = propstat.find("D:prop", NS)
                if prop is not None and " 200 " in f"{status} ":
                    out.append((unquote(urlsplit(urljoin(self.url(path), href)).path), prop))
        return out


def _reason(response: Response) -> str:
    return {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
            412: "Precondition Failed", 415: "Unsupported Media Type", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 507: "Insufficient Storage"}.get(response.status, "")

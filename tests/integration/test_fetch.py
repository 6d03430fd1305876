"""fetch_page against a real HTTP server on 127.0.0.1, plus DNS answers faked in-process.

Nothing here leaves the machine: ``connections`` records every socket connect and refuses any
address that is not loopback, so a test that would reach the network fails instead.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address

import pytest

from pressroom.errors import FetchFailed, FetchRefused
from pressroom.sources import fetch_page
from pressroom.sources.fetch import ALLOW_HOSTS_ENV

pytestmark = pytest.mark.integration

PAGE = "<!DOCTYPE html><html lang='en'><head><title>Hello</title></head><body>Hi</body></html>"
SIX_MB = 6 * 1024 * 1024
LOOPBACK = ["127.0.0.1"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    slow_release: threading.Event

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        routes: dict[str, Callable[[], None]] = {
            "/page": lambda: self._send(200, "text/html; charset=utf-8", PAGE.encode()),
            "/text": lambda: self._send(200, "text/plain", b"Title\n\nBody"),
            "/redirect": lambda: self._redirect("/page"),
            "/redirect-metadata": lambda: self._redirect(
                "http://169.254.169.254/latest/meta-data/"
            ),
            "/redirect-private": lambda: self._redirect("http://10.0.0.1/"),
            "/redirect-file": lambda: self._redirect("file:///etc/passwd"),
            "/big": lambda: self._send(200, "text/html", b"x" * SIX_MB),
            "/big-chunked": self._send_chunked_big,
            "/pdf": lambda: self._send(200, "application/pdf", b"%PDF-1.7"),
            "/octet": lambda: self._send(200, "application/octet-stream", b"\x00\x01"),
            "/missing": lambda: self._send(404, "text/html", b"<h1>Not found</h1>"),
            "/unavailable": lambda: self._send(503, "text/html", b"<h1>Down</h1>"),
            "/slow": self._send_slowly,
            "/drip": self._drip,
            "/hang-up": self._hang_up,
        }
        if self.path.startswith("/loop/"):
            self._redirect(f"/loop/{int(self.path.rsplit('/', 1)[1]) + 1}")
        else:
            routes.get(self.path, lambda: self._send(404, "text/plain", b"?"))()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self._write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def _send_chunked_big(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"y" * 65536
        for _ in range(SIX_MB // len(chunk)):
            if not self._write(b"%x\r\n%s\r\n" % (len(chunk), chunk)):
                return
        self._write(b"0\r\n\r\n")

    def _send_slowly(self) -> None:
        self.slow_release.wait(timeout=10)
        self._send(200, "text/html", PAGE.encode())

    def _drip(self) -> None:
        """One small chunk every 50 ms, each well within any read timeout; 4 s at most."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(80):
            if self.slow_release.wait(timeout=0.05) or not self._write(b"1\r\nz\r\n"):
                return
        self._write(b"0\r\n\r\n")

    def _hang_up(self) -> None:
        self.close_connection = True

    def _write(self, data: bytes) -> bool:
        """Write, tolerating a client that hung up (which is what a size cap does)."""
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Base URL of a loopback HTTP server on an ephemeral port, shut down after the module."""
    slow_release = threading.Event()
    handler = type("Handler", (_Handler,), {"slow_release": slow_release})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        slow_release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address a socket tried to connect to; anything but loopback is refused unsent."""
    attempted: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def recording_connect(sock: socket.socket, address: tuple[str, int]) -> None:
        attempted.append((address[0], address[1]))
        if not ip_address(address[0]).is_loopback:
            raise ConnectionRefusedError(f"test refuses to leave the machine ({address[0]})")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    monkeypatch.delenv(ALLOW_HOSTS_ENV, raising=False)
    return attempted


class FakeDns:
    """Answers for ``*.test`` names, in order: each lookup takes the next, the last one sticks."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def getaddrinfo(self, host: str, port: int | None) -> list[tuple]:  # type: ignore[type-arg]
        self.lookups.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        queue = self.answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))
            for address in addresses
        ]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """Fake DNS for ``*.test`` names; every other name goes to the real resolver."""
    fake = FakeDns()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(host).endswith(".test"):
            return fake.getaddrinfo(host, port)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


def test_fetches_an_html_page(server: str) -> None:
    page = fetch_page(f"{server}/page", allow_hosts=LOOPBACK)
    assert page.status == 200
    assert page.content_type == "text/html; charset=utf-8"
    assert page.body == PAGE.encode()
    assert page.url == page.final_url == f"{server}/page"


def test_fetches_a_text_page(server: str) -> None:
    assert fetch_page(f"{server}/text", allow_hosts=LOOPBACK).body == b"Title\n\nBody"


def test_sends_a_pressroom_user_agent(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = _Handler.do_GET

    def recording_get(handler: _Handler) -> None:
        seen.append(handler.headers["User-Agent"])
        original(handler)

    monkeypatch.setattr(_Handler, "do_GET", recording_get)
    fetch_page(f"{server}/page", allow_hosts=LOOPBACK)
    assert seen == ["Pressroom/0.1 (+content pipeline)"]


def test_follows_a_redirect_to_an_allow_listed_path(server: str) -> None:
    page = fetch_page(f"{server}/redirect", allow_hosts=LOOPBACK)
    assert page.url == f"{server}/redirect"
    assert page.final_url == f"{server}/page"
    assert page.body == PAGE.encode()


@pytest.mark.parametrize(
    ("path", "refused_address"),
    [("/redirect-metadata", "169.254.169.254"), ("/redirect-private", "10.0.0.1")],
)
def test_refuses_a_redirect_to_a_private_address_before_connecting(
    server: str, connections: list[tuple[str, int]], path: str, refused_address: str
) -> None:
    with pytest.raises(FetchRefused) as refused:
        fetch_page(f"{server}{path}", allow_hosts=LOOPBACK)
    assert refused_address in str(refused.value)
    assert f"redirected from {server}{path}" in str(refused.value)
    assert {host for host, _port in connections} == {"127.0.0.1"}


def test_refuses_a_redirect_to_a_file_url(server: str) -> None:
    with pytest.raises(FetchRefused, match="scheme 'file'"):
        fetch_page(f"{server}/redirect-file", allow_hosts=LOOPBACK)


def test_refuses_more_than_five_redirects(server: str, connections: list[tuple[str, int]]) -> None:
    with pytest.raises(FetchRefused, match="more than 5 redirects"):
        fetch_page(f"{server}/loop/0", allow_hosts=LOOPBACK)
    assert len(connections) == 6


@pytest.mark.parametrize(
    ("path", "why"), [("/big", "it declares 6291456"), ("/big-chunked", "it is larger")]
)
def test_refuses_a_body_over_the_size_cap(server: str, path: str, why: str) -> None:
    with pytest.raises(FetchRefused, match=f"limited to 5000000 bytes and {why}"):
        fetch_page(f"{server}{path}", allow_hosts=LOOPBACK)


def test_size_cap_is_configurable(server: str) -> None:
    with pytest.raises(FetchRefused, match="limited to 10 bytes"):
        fetch_page(f"{server}/text", allow_hosts=LOOPBACK, max_bytes=10)


@pytest.mark.parametrize(
    ("path", "media_type"), [("/pdf", "application/pdf"), ("/octet", "application/octet-stream")]
)
def test_refuses_a_content_type_that_is_not_a_page(server: str, path: str, media_type: str) -> None:
    with pytest.raises(FetchRefused, match=f"content type is {media_type}"):
        fetch_page(f"{server}{path}", allow_hosts=LOOPBACK)


def test_http_404_is_a_permanent_failure(server: str) -> None:
    with pytest.raises(FetchFailed, match="HTTP 404 Not Found") as failed:
        fetch_page(f"{server}/missing", allow_hosts=LOOPBACK)
    assert failed.value.transient is False


def test_http_503_is_a_transient_failure(server: str) -> None:
    with pytest.raises(FetchFailed, match="HTTP 503") as failed:
        fetch_page(f"{server}/unavailable", allow_hosts=LOOPBACK)
    assert failed.value.transient is True


def test_read_timeout_is_a_transient_failure(server: str) -> None:
    with pytest.raises(FetchFailed, match="timed out while waiting for data") as failed:
        fetch_page(f"{server}/slow", allow_hosts=LOOPBACK, read_timeout=0.2)
    assert failed.value.transient is True


def test_a_dripping_server_is_cut_off_at_the_total_deadline(server: str) -> None:
    with pytest.raises(FetchFailed, match="did not finish in time") as failure:
        fetch_page(f"{server}/drip", allow_hosts=LOOPBACK, read_timeout=1, total_timeout=0.5)
    assert failure.value.transient


def test_server_hanging_up_is_a_transient_failure(server: str) -> None:
    with pytest.raises(FetchFailed, match="disconnected without sending a response") as failed:
        fetch_page(f"{server}/hang-up", allow_hosts=LOOPBACK)
    assert failed.value.transient is True


def test_unknown_host_name_is_a_permanent_failure(dns: FakeDns) -> None:
    with pytest.raises(FetchFailed, match="host name nowhere.test does not resolve") as failed:
        fetch_page("http://nowhere.test/", allow_hosts=[])
    assert failed.value.transient is False


def test_refused_connection_is_a_transient_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(FetchFailed, match="could not connect") as failed:
        fetch_page(f"http://127.0.0.1:{closed_port}/", allow_hosts=LOOPBACK)
    assert failed.value.transient is True


def test_loopback_server_is_refused_without_an_allow_list(
    server: str, connections: list[tuple[str, int]]
) -> None:
    with pytest.raises(FetchRefused, match=ALLOW_HOSTS_ENV):
        fetch_page(f"{server}/page")
    assert connections == []


def test_allow_list_is_read_from_the_environment(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, "127.0.0.1")
    assert fetch_page(f"{server}/page").body == PAGE.encode()


def test_name_resolving_to_loopback_is_refused(
    dns: FakeDns, connections: list[tuple[str, int]]
) -> None:
    dns.answers["loopback.test"] = [["127.0.0.1"]]
    with pytest.raises(FetchRefused, match=r"127\.0\.0\.1 is not public \(127\.0\.0\.0/8 is Loop"):
        fetch_page("http://loopback.test/", allow_hosts=[])
    assert connections == []


def test_name_resolving_to_public_and_private_is_refused(
    dns: FakeDns, connections: list[tuple[str, int]]
) -> None:
    dns.answers["mixed.test"] = [["93.184.215.14", "10.0.0.1"]]
    with pytest.raises(FetchRefused, match="both permitted and denied"):
        fetch_page("http://mixed.test/", allow_hosts=[])
    assert connections == []


def test_connection_goes_to_the_address_that_was_validated(
    dns: FakeDns, connections: list[tuple[str, int]]
) -> None:
    """DNS rebinding: the name answers public first and loopback afterwards.

    A client that checked the name and then let the HTTP library resolve it again would connect
    to 127.0.0.1. The fetch must look the name up once and connect to the public answer (which
    the ``connections`` fixture refuses, so the fetch fails without leaving the machine).
    """
    dns.answers["rebind.test"] = [["93.184.215.14"], ["127.0.0.1"]]
    with pytest.raises(FetchFailed, match="could not connect"):
        fetch_page("http://rebind.test/", allow_hosts=[])
    assert dns.lookups == ["rebind.test"]
    assert connections == [("93.184.215.14", 80)]


def test_allow_listed_name_is_fetched_through_its_resolved_address(
    server: str, dns: FakeDns, connections: list[tuple[str, int]]
) -> None:
    dns.answers["intranet.test"] = [["127.0.0.1"]]
    port = int(server.rsplit(":", 1)[1])
    page = fetch_page(f"http://intranet.test:{port}/page", allow_hosts=["intranet.test"])
    assert page.body == PAGE.encode()
    assert connections == [("127.0.0.1", port)]


def test_allow_listed_name_that_moves_to_another_private_address_is_refused(
    server: str, dns: FakeDns, connections: list[tuple[str, int]]
) -> None:
    """The allow-list holds the addresses the name had when the policy was built, not the name."""
    dns.answers["intranet.test"] = [["127.0.0.1"], ["10.0.0.1"]]
    port = int(server.rsplit(":", 1)[1])
    with pytest.raises(FetchRefused, match=r"10\.0\.0\.1 is not public"):
        fetch_page(f"http://intranet.test:{port}/page", allow_hosts=["intranet.test"])
    assert dns.lookups == ["intranet.test", "intranet.test"]  # policy build, then connection
    assert connections == []

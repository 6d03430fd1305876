"""Fetching a source page without letting a URL reach somewhere it should not.

Every connection goes through ssrfguard, which resolves a name once, checks every address it
gets back and connects to the address it checked, so a DNS record that changes between the
check and the connection changes nothing. Redirects are followed here, one hop at a time, so
that each hop gets a policy built for its own host.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

import httpx
from ssrfguard import (
    BlockedAddressError,
    BlockedURLError,
    Policy,
    ProxyUnsupportedError,
    SSRFGuardError,
)
from ssrfguard.httpx import Client

from pressroom.errors import ConfigError, FetchFailed, FetchRefused
from pressroom.models import FetchedPage

ALLOW_HOSTS_ENV = "PRESSROOM_FETCH_ALLOW_HOSTS"
MAX_REDIRECTS = 5
DEFAULT_PORTS = frozenset({80, 443})
ALL_PORTS = frozenset(range(1, 65536))
ACCEPTED_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
HEADERS = {
    "User-Agent": "Pressroom/0.1 (+content pipeline)",
    "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8",
}

_HOSTNAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")
_ALLOW_HINT = f"add the host to {ALLOW_HOSTS_ENV} if this is intended"


def fetch_page(
    url: str,
    *,
    allow_hosts: Sequence[str] | None = None,
    max_bytes: int = 5_000_000,
    connect_timeout: float = 5,
    read_timeout: float = 15,
    total_timeout: float = 60,
) -> FetchedPage:
    """Fetch an http(s) page, following at most five redirects, each one checked.

    ``allow_hosts=None`` reads ``PRESSROOM_FETCH_ALLOW_HOSTS``; an empty list allows nothing
    private. ``read_timeout`` bounds each read; ``total_timeout`` the whole download, so a
    server that drips one byte at a time cannot hold a fetch for long.

    Raises:
        FetchRefused: the URL, an address, a redirect, the size or the content type is refused.
        FetchFailed: DNS, connection, timeout or an HTTP error status.
    """
    hosts = configured_allow_hosts() if allow_hosts is None else normalise_hosts(allow_hosts)
    timeout = httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout)
    deadline = time.monotonic() + total_timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        with _guarded_response(current, url, hosts, timeout) as response:
            if response.next_request is None:
                return _page_from(response, url, max_bytes, deadline)
            current = str(response.next_request.url)
    raise FetchRefused(f"refused to fetch {url}: more than {MAX_REDIRECTS} redirects")


def fetch_policy(url: str, allow_hosts: Iterable[str] | None = None) -> Policy:
    """The policy for one request to ``url``.

    Every allow-listed host's addresses are reachable (a name is resolved now, once); the URL's
    own host, when allow-listed, is reachable on any port, and every other host on 80 and 443.
    """
    hosts = configured_allow_hosts() if allow_hosts is None else normalise_hosts(allow_hosts)
    networks = tuple(network for host in hosts for network in _networks_of(host))
    ports = ALL_PORTS if _host_of(url) in hosts else DEFAULT_PORTS
    return Policy(allowed_networks=networks, allowed_ports=ports, max_redirects=MAX_REDIRECTS)


def configured_allow_hosts() -> frozenset[str]:
    """The hosts listed in ``PRESSROOM_FETCH_ALLOW_HOSTS`` (comma-separated; empty by default)."""
    return normalise_hosts(os.environ.get(ALLOW_HOSTS_ENV, ""))


def normalise_hosts(hosts: str | Iterable[str]) -> frozenset[str]:
    """Lower-case names and canonical IP addresses, blanks dropped; a string is split on commas.

    Raises:
        ConfigError: an entry is neither a host name nor an IP address.
    """
    entries = hosts.split(",") if isinstance(hosts, str) else hosts
    normalised = set()
    for entry in entries:
        host = _normalise_host(entry.strip())
        if not host:
            continue
        if not (_is_ip_address(host) or _HOSTNAME.match(host)):
            raise ConfigError(
                f"{ALLOW_HOSTS_ENV} entry {entry.strip()!r} is not a host name or an IP address "
                "(write hosts only: no scheme, port, path or wildcard)"
            )
        normalised.add(host)
    return frozenset(normalised)


def _normalise_host(host: str) -> str:
    host = host.lower().rstrip(".").removeprefix("[").removesuffix("]")
    return str(ip_address(host)) if _is_ip_address(host) else host


def _is_ip_address(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _host_of(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return _normalise_host(host) if host else None


def _networks_of(host: str) -> set[IPv4Network | IPv6Network]:
    """One-address networks for an allow-listed host; a name that does not resolve has none."""
    if _is_ip_address(host):
        return {ip_network(host)}
    try:
        answers = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return set()
    return {ip_network(str(sockaddr[0]).split("%")[0]) for *_, sockaddr in answers}


@contextmanager
def _guarded_response(
    url: str, original_url: str, hosts: frozenset[str], timeout: httpx.Timeout
) -> Iterator[httpx.Response]:
    """Open ``url`` under its own policy, translating every failure into a SourceError.

    The URL is checked as written before httpx sees it: httpx rewrites some URLs it cannot
    send (``file:///etc/passwd`` becomes ``/etc/passwd``), which would make the refusal unclear.
    """
    try:
        policy = fetch_policy(url, hosts)
        policy.check_url(url)
        with (
            Client(policy=policy, headers=HEADERS, timeout=timeout) as client,
            client.stream("GET", url) as response,
        ):
            yield response
    except SSRFGuardError as refused:
        raise FetchRefused(_refusal_message(url, original_url, refused)) from refused
    except httpx.TimeoutException as timed_out:
        raise FetchFailed(_timeout_message(url, timed_out), transient=True) from timed_out
    except httpx.ConnectError as failed:
        raise _connect_failure(url, failed) from failed
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as malformed:
        raise FetchRefused(f"refused to fetch {url}: malformed URL ({malformed})") from malformed
    except httpx.HTTPError as failed:
        message = f"could not fetch {url}: {str(failed) or type(failed).__name__}"
        raise FetchFailed(message, transient=True) from failed


def _page_from(
    response: httpx.Response, original_url: str, max_bytes: int, deadline: float
) -> FetchedPage:
    url = str(response.url)
    if not response.is_success:
        status = response.status_code
        raise FetchFailed(
            f"could not fetch {url}: the server answered HTTP {status} {response.reason_phrase}",
            transient=status >= 500 or status == httpx.codes.TOO_MANY_REQUESTS,
        )
    content_type = response.headers.get("content-type", "")
    _check_content_type(url, content_type)
    _check_declared_length(url, response.headers.get("content-length"), max_bytes)
    return FetchedPage(
        url=original_url,
        final_url=url,
        status=response.status_code,
        content_type=content_type,
        body=_read_capped(response, max_bytes, deadline),
    )


def _check_content_type(url: str, content_type: str) -> None:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in ACCEPTED_CONTENT_TYPES:
        accepted = ", ".join(sorted(ACCEPTED_CONTENT_TYPES))
        raise FetchRefused(
            f"refused to fetch {url}: its content type is {media_type or 'not given'}, "
            f"and Pressroom reads only {accepted}"
        )


def _check_declared_length(url: str, content_length: str | None, max_bytes: int) -> None:
    if content_length and content_length.strip().isdigit() and int(content_length) > max_bytes:
        raise FetchRefused(_too_large_message(url, max_bytes, f"it declares {content_length}"))


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    """Read the (decoded) body, stopping past ``max_bytes`` or past the deadline."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchRefused(_too_large_message(str(response.url), max_bytes, "it is larger"))
        if time.monotonic() > deadline:
            raise FetchFailed(
                f"could not fetch {response.url}: the download did not finish in time",
                transient=True,
            )
    return bytes(body)


def _too_large_message(url: str, max_bytes: int, why: str) -> str:
    return f"refused to fetch {url}: the page is limited to {max_bytes} bytes and {why}"


def _refusal_message(url: str, original_url: str, refused: SSRFGuardError) -> str:
    where = url if url == original_url else f"{url} (redirected from {original_url})"
    blocked = refused.__cause__ if isinstance(refused.__cause__, BlockedAddressError) else refused
    if isinstance(blocked, BlockedAddressError):
        return (
            f"refused to fetch {where}: the address {blocked.address} is not public "
            f"({blocked.reason}); {_ALLOW_HINT}"
        )
    if isinstance(blocked, BlockedURLError) and "allowed_ports" in blocked.reason:
        return (
            f"refused to fetch {where}: {blocked.reason}; other ports are reachable only on "
            f"hosts listed in {ALLOW_HOSTS_ENV}"
        )
    if isinstance(blocked, ProxyUnsupportedError):
        return (
            f"refused to fetch {where}: a proxy is configured ({blocked.proxy}), and Pressroom "
            "connects directly so that it can check every address; unset HTTP_PROXY, "
            "HTTPS_PROXY and ALL_PROXY, or set NO_PROXY=*"
        )
    reason = blocked.reason if isinstance(blocked, BlockedURLError) else str(blocked)
    return f"refused to fetch {where}: {reason}"


def _timeout_message(url: str, timed_out: httpx.TimeoutException) -> str:
    phase = "connecting" if isinstance(timed_out, httpx.ConnectTimeout) else "waiting for data"
    return f"could not fetch {url}: timed out while {phase}"


def _connect_failure(url: str, failed: httpx.ConnectError) -> FetchFailed:
    unresolved = _dns_error(failed)
    if unresolved is not None:
        return FetchFailed(
            f"could not fetch {url}: the host name {_host_of(url)} does not resolve ({failed})",
            transient=unresolved.errno == socket.EAI_AGAIN,
        )
    return FetchFailed(f"could not fetch {url}: could not connect ({failed})", transient=True)


def _dns_error(error: BaseException) -> socket.gaierror | None:
    """The resolver error behind ``error``, when a name lookup is what failed."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None

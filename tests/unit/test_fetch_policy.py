"""The fetch policy: what a source URL may reach, decided without touching the network."""

from __future__ import annotations

import socket

import pytest
from ssrfguard import BlockedAddressError, BlockedURLError, SSRFGuardError

from pressroom.errors import ConfigError, FetchRefused
from pressroom.sources import fetch_page, fetch_policy
from pressroom.sources.fetch import ALL_PORTS, ALLOW_HOSTS_ENV, DEFAULT_PORTS

REFUSED_URLS = [
    "http://127.0.0.1/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "file:///etc/passwd",
    "ftp://example.com/",
    "gopher://example.com/",
    "http://user:secret@example.com/",
    "http://example.com@127.0.0.1/",
]


@pytest.fixture(autouse=True)
def no_name_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail any DNS lookup a test did not ask for, and record the ones made."""
    looked_up: list[str] = []

    def refuse(host: str, *_args: object, **_kwargs: object) -> list[object]:
        looked_up.append(host)
        raise socket.gaierror(socket.EAI_NONAME, f"no lookups in unit tests ({host})")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.delenv(ALLOW_HOSTS_ENV, raising=False)
    return looked_up


def resolving(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """Make ``socket.getaddrinfo`` answer the given names with the given addresses."""

    def fake_getaddrinfo(host: str, port: int | None, *_args: object, **_kwargs: object):
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port or 0),
            )
            for address in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_default_policy_refuses(url: str) -> None:
    with pytest.raises(SSRFGuardError):
        fetch_policy(url, allow_hosts=[]).check_url(url)


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_fetch_page_refuses_without_any_lookup(url: str, no_name_lookups: list[str]) -> None:
    with pytest.raises(FetchRefused, match="refused to fetch"):
        fetch_page(url, allow_hosts=[])
    assert no_name_lookups == []


def test_default_policy_accepts_public_origins_on_web_ports() -> None:
    for url in ("http://93.184.215.14/", "https://example.com/page", "http://[2606:4700::1]/"):
        fetch_policy(url, allow_hosts=[]).check_url(url)


def test_default_policy_refuses_other_ports() -> None:
    policy = fetch_policy("http://93.184.215.14:8080/", allow_hosts=[])
    assert policy.allowed_ports == DEFAULT_PORTS
    with pytest.raises(BlockedURLError, match="port 8080"):
        policy.check_url("http://93.184.215.14:8080/")


def test_refusal_message_says_why_and_what_to_do() -> None:
    with pytest.raises(FetchRefused) as refused:
        fetch_page("http://127.0.0.1/", allow_hosts=[])
    message = str(refused.value)
    assert "http://127.0.0.1/" in message
    assert "127.0.0.1" in message and "Loopback" in message
    assert ALLOW_HOSTS_ENV in message


def test_metadata_refusal_names_the_metadata_endpoint() -> None:
    with pytest.raises(FetchRefused, match="Cloud metadata"):
        fetch_page("http://169.254.169.254/latest/meta-data/", allow_hosts=[])


def test_configured_proxy_is_refused_with_a_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    with pytest.raises(FetchRefused, match=r"a proxy is configured .* NO_PROXY=\*"):
        fetch_page("https://example.com/", allow_hosts=[])


@pytest.mark.parametrize("url", ["not a url", "http://", "http://[::1", "//example.com/"])
def test_malformed_url_is_refused(url: str) -> None:
    with pytest.raises(FetchRefused):
        fetch_page(url, allow_hosts=[])


def test_allow_listed_address_is_reachable_on_any_port() -> None:
    policy = fetch_policy("http://10.0.0.5:8080/", allow_hosts=["10.0.0.5"])
    policy.check_url("http://10.0.0.5:8080/")
    assert policy.allowed_ports == ALL_PORTS


def test_allow_list_widens_only_the_listed_address() -> None:
    policy = fetch_policy("http://10.0.0.6/", allow_hosts=["10.0.0.5"])
    with pytest.raises(BlockedURLError, match="10.0.0.0/8"):
        policy.check_url("http://10.0.0.6/")
    with pytest.raises(BlockedAddressError):
        policy.check_address("127.0.0.1")
    assert policy.allowed_ports == DEFAULT_PORTS


def test_allow_list_widens_ports_only_for_the_listed_host() -> None:
    policy = fetch_policy("http://93.184.215.14:8080/", allow_hosts=["10.0.0.5"])
    with pytest.raises(BlockedURLError, match="port 8080"):
        policy.check_url("http://93.184.215.14:8080/")


def test_allow_listed_ipv6_literal() -> None:
    policy = fetch_policy("http://[::1]:8000/", allow_hosts=["[::1]"])
    policy.check_url("http://[::1]:8000/")
    with pytest.raises(BlockedAddressError):
        policy.check_address("::2")


def test_allow_listed_name_permits_its_resolved_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    resolving(monkeypatch, {"intranet.test": ["10.1.2.3", "fd12::3"]})
    policy = fetch_policy("http://intranet.test:8443/", allow_hosts=["Intranet.Test."])
    policy.check_url("http://intranet.test:8443/")
    policy.check_address("10.1.2.3")
    policy.check_address("fd12::3")
    with pytest.raises(BlockedAddressError):
        policy.check_address("10.1.2.4")


def test_allow_listed_name_that_does_not_resolve_permits_nothing() -> None:
    policy = fetch_policy("http://gone.test/", allow_hosts=["gone.test"])
    assert policy.allowed_networks == ()


def test_allow_list_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_HOSTS_ENV, " 10.0.0.5 , ,192.168.1.20")
    fetch_policy("http://10.0.0.5:81/").check_url("http://10.0.0.5:81/")
    fetch_policy("http://192.168.1.20/").check_url("http://192.168.1.20/")
    with pytest.raises(BlockedURLError):
        fetch_policy("http://10.0.0.6/").check_url("http://10.0.0.6/")


def test_empty_environment_allows_nothing_private() -> None:
    policy = fetch_policy("http://10.0.0.5/")
    assert policy.allowed_networks == ()
    with pytest.raises(BlockedURLError):
        policy.check_url("http://10.0.0.5/")


@pytest.mark.parametrize("entry", ["http://10.0.0.5", "10.0.0.5:8080", "*.example.com", "a b"])
def test_malformed_allow_list_entry_is_a_config_error(entry: str) -> None:
    with pytest.raises(ConfigError, match=ALLOW_HOSTS_ENV):
        fetch_policy("http://10.0.0.5/", allow_hosts=[entry])

"""`python3 dev.py demo [ADDRESS]`: it serves where it says, and the links in its emails lead
there (SITE_URL); running it again adds no second set of orders (tests/orders/test_seed_demo.py
and below)."""

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

import dev
from orders.models import Order
from tests.lifecycle.test_quotes import sent_quote

ROOT = Path(__file__).resolve().parents[1]
SHOW_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SITE_URL); print(s.ALLOWED_HOSTS)"
)


@pytest.mark.parametrize(
    ("argument", "address", "site_url"),
    [
        ("8007", ("127.0.0.1", 8007), "http://127.0.0.1:8007"),
        ("localhost:8007", ("localhost", 8007), "http://localhost:8007"),
        ("[::1]:8007", ("::1", 8007), "http://[::1]:8007"),
        ("0.0.0.0:8007", ("0.0.0.0", 8007), f"http://{socket.gethostname()}:8007"),  # noqa: S104
    ],
)
def test_the_demo_serves_on_the_address_given_and_links_to_it(argument, address, site_url):
    assert dev.demo_address(argument) == address
    assert dev.demo_site_url(*address) == site_url


@pytest.mark.parametrize("argument", ["", "localhost", "127.0.0.1:http", "127.0.0.1:70000"])
def test_a_bad_address_is_refused_saying_what_to_give(argument):
    with pytest.raises(SystemExit, match="The address must be PORT or HOST:PORT"):
        dev.demo_address(argument)


def test_with_no_address_the_demo_takes_the_next_free_port(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        busy = taken.getsockname()[1]
        monkeypatch.setattr(dev, "DEMO_PORT", busy)

        host, port = dev.demo_address(None)

    assert host == "127.0.0.1"
    assert busy < port < busy + 100


def test_the_demo_server_gets_its_own_address_as_site_url_and_allowed_host(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("ALLOWED_HOSTS", raising=False)
    env = dev.demo_environment("localhost", 8007)

    shown = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "backoffice.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()

    assert shown[0] == "http://localhost:8007"
    assert "localhost" in shown[1]


@pytest.mark.django_db
def test_an_emailed_quote_links_to_the_demo_address(
    settings, monkeypatch, client, manager, merchant, mailoutbox, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    monkeypatch.delenv("SITE_URL", raising=False)
    settings.SITE_URL = dev.demo_environment("127.0.0.1", 8007)["SITE_URL"]
    client.force_login(manager)

    sent_quote(client, merchant, django_capture_on_commit_callbacks)

    (email,) = mailoutbox
    assert re.search(r"http://127\.0\.0\.1:8007/q/\S+/", email.body)


@pytest.mark.django_db
def test_seeding_the_demo_twice_keeps_one_set_of_orders():
    call_command("seed_demo", "--orders", "30", verbosity=0)
    call_command("seed_demo", "--orders", "30", verbosity=0)
    assert Order.objects.count() == 30

    call_command("seed_demo", "--orders", "5", "--add", verbosity=0)
    assert Order.objects.count() == 35

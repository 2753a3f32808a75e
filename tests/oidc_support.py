"""Starting the test OpenID Connect provider (tests/oidc_provider.py) as its own process."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

PROVIDER = Path(__file__).parent / "oidc_provider.py"
CLIENT_ID = "kvalitetsplan-test"
CLIENT_SECRET = "test-secret-not-for-production"  # noqa: S105 -- the test provider's own


@contextmanager
def run_provider(*, tmp_path: Path, redirect_uris: list[str], users: dict):
    config = tmp_path / "oidc-provider.json"
    config.write_text(
        json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "users": users,
            }
        )
    )
    process = subprocess.Popen(  # noqa: S603 -- our own script, no shell
        [sys.executable, str(PROVIDER), "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"The test provider did not start: {line!r}")
        yield line.removeprefix("READY ")
    finally:
        process.terminate()
        process.wait(timeout=10)


def configure(settings, issuer: str) -> None:
    settings.OIDC_OP_DISCOVERY = f"{issuer}/.well-known/openid-configuration"
    # As settings.py does when OIDC_OP_DISCOVERY is set: logout's redirect may reach it.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], issuer]
    settings.CONTENT_SECURITY_POLICY = policy
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_PROVIDER_NAME = "Testleverandør"

"""`gridwatch push vapid-keys`: make the VAPID key pair that Web Push to the phone page is signed with."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.cli.types import Subparsers
from dispatch.push.webpush_crypto import VapidKey


def vapid_keys(args: argparse.Namespace) -> int:
    """Write a new private key (PEM, mode 0600) and print the public key for the phone page."""
    out = Path(args.out)
    if out.exists() and not args.force:
        print(
            f"{out} exists; pass --force to replace it (phones subscribed with the old key must resubscribe)",
            file=sys.stderr,
        )
        return 1
    key = VapidKey.generate()
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key.private_pem())
    print(
        f"wrote the VAPID private key to {out} (keep it secret; set webpush.vapid_private_key_file)",
        file=sys.stderr,
    )
    print(key.public_key_b64url)
    return 0


def register(subparsers: Subparsers) -> None:
    """Add `gridwatch push` and its subcommands."""
    parser = subparsers.add_parser("push", help="push-to-phone tools")
    commands = parser.add_subparsers(dest="push_command", metavar="SUBCOMMAND", required=True)
    keys = commands.add_parser(
        "vapid-keys",
        help="generate a VAPID key pair for Web Push",
        description="Write a new VAPID P-256 private key as PEM and print the public key (base64url), "
        "the applicationServerKey the phone page subscribes with.",
    )
    keys.add_argument(
        "--out", default="var/vapid_private.pem", help="private key file (default var/vapid_private.pem)"
    )
    keys.add_argument("--force", action="store_true", help="replace an existing key file")
    keys.set_defaults(handler=vapid_keys)

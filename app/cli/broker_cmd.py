"""`gridwatch broker` (run the embedded broker) and `gridwatch topics create|list` (any Kafka)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from kafka.errors import KafkaError
from pydantic import ValidationError

from app.cli.types import Subparsers
from gridwatch.broker.admin import TopicLayoutError, ensure_topics, topic_partitions
from gridwatch.broker.embedded import BrokerError, EmbeddedBroker
from gridwatch.broker.settings import DEFAULT_BOOTSTRAP, ENV_BOOTSTRAP, KafkaSettings
from gridwatch.messages.topics import TOPICS
from gridwatch.runtime.stop_signals import stop_on_signals


def register(subparsers: Subparsers) -> None:
    """Register ``broker`` and ``topics``."""
    broker = subparsers.add_parser(
        "broker",
        help="run the embedded Kafka-protocol broker (Tansu, memory only) with every topic created",
        description="Start Tansu on loopback, create every Gridwatch topic, run until SIGINT/SIGTERM.",
    )
    broker.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    broker.add_argument("--port", type=_port, default=9092, help="port to listen on (default: %(default)s)")
    broker.add_argument("--log-file", type=Path, default=None, help="broker log file (default: a temp file)")
    broker.set_defaults(handler=run_broker)

    topics = subparsers.add_parser("topics", help="create or list the Gridwatch topics on a broker")
    actions = topics.add_subparsers(dest="topics_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create every declared topic that is missing (idempotent)")
    _add_bootstrap(create)
    create.add_argument(
        "--replication-factor", type=int, default=1, help="replicas per partition (default: %(default)s)"
    )
    create.set_defaults(handler=create_topics)
    listing = actions.add_parser("list", help="list the topics on the broker with their partition counts")
    _add_bootstrap(listing)
    listing.set_defaults(handler=list_topics)


def run_broker(args: argparse.Namespace) -> int:
    """Run the embedded broker until SIGINT or SIGTERM; 0 on a clean stop."""
    with stop_on_signals() as stop:
        broker = EmbeddedBroker(host=args.host, port=args.port, log_path=args.log_file)
        try:
            settings = broker.start()
            states = ensure_topics(settings)
            where = f"{settings.bootstrap_servers} (memory storage, log {broker.log_path})"
            print(f"gridwatch broker: Tansu on {where}")
            for state in states:
                print(f"  {state.name:<20} {state.partitions} partitions")
            print(f"export {ENV_BOOTSTRAP}={settings.bootstrap_servers}", flush=True)
            while not stop.wait(0.5):
                if not broker.is_running():
                    print(
                        f"gridwatch broker: Tansu exited unexpectedly; see {broker.log_path}", file=sys.stderr
                    )
                    return 1
            print("gridwatch broker: stopping", flush=True)
            return 0
        except (BrokerError, TopicLayoutError) as error:
            print(f"gridwatch broker: {error}", file=sys.stderr)
            return 1
        finally:
            broker.stop()


def create_topics(args: argparse.Namespace) -> int:
    """Create every declared topic on ``--bootstrap``; 1 when one exists with another layout."""
    if args.replication_factor < 1:
        print("gridwatch topics create: --replication-factor must be at least 1", file=sys.stderr)
        return 2

    def action(settings: KafkaSettings) -> int:
        for state in ensure_topics(settings, replication_factor=args.replication_factor):
            status = "created" if state.created else "exists"
            print(f"{state.name:<20} {state.partitions:>3} partitions  {status}")
        return 0

    return _topics_command(args, action)


def list_topics(args: argparse.Namespace) -> int:
    """Print every topic on ``--bootstrap`` and whether it matches the declared layout (1 if not)."""
    return _topics_command(args, _print_topics)


def _print_topics(settings: KafkaSettings) -> int:
    declared = {spec.name: spec.partitions for spec in TOPICS}
    found = topic_partitions(settings)
    problems = 0
    for name in sorted(set(found) | set(declared)):
        if name not in found:
            note = f"missing (declared with {declared[name]} partitions)"
            problems += 1
        elif name not in declared:
            note = "not a Gridwatch topic"
        elif found[name] != declared[name]:
            note = f"MISMATCH: declared with {declared[name]} partitions"
            problems += 1
        else:
            note = "ok"
        partitions = f"{found[name]:>3} partitions" if name in found else "  - partitions"
        print(f"{name:<20} {partitions}  {note}")
    return 1 if problems else 0


def _add_bootstrap(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bootstrap",
        default=None,
        help=f"broker host:port list (default: ${ENV_BOOTSTRAP}, else {DEFAULT_BOOTSTRAP})",
    )


def _settings(args: argparse.Namespace) -> KafkaSettings:
    if args.bootstrap is None:
        return KafkaSettings.from_env()
    return KafkaSettings.from_env(bootstrap_servers=args.bootstrap)


def _topics_command(args: argparse.Namespace, action: Callable[[KafkaSettings], int]) -> int:
    name = f"gridwatch topics {args.topics_command}"
    try:
        settings = _settings(args)
    except ValidationError as error:
        problems = "; ".join(item["msg"] for item in error.errors(include_url=False))
        print(f"{name}: bad broker settings: {problems}", file=sys.stderr)
        return 2
    try:
        return action(settings)
    except TopicLayoutError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    except KafkaError as error:
        print(f"{name}: cannot talk to {settings.bootstrap_servers}: {error}", file=sys.stderr)
        return 1


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port {text!r} is not a number") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"port {port} is outside 1..65535")
    return port

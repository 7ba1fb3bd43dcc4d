"""The main job on the embedded default: broker, database, site, and every component as a child process."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from app.runtime.component import ComponentSpec
from app.runtime.dispatch_address import DispatchAddress
from app.runtime.supervisor import Supervisor
from app.runtime.where_to_look import write_where_to_look
from gridwatch.broker import EmbeddedBroker, KafkaSettings, ensure_topics
from gridwatch.config import SiteConfig
from gridwatch.messages.topics import TOPICS

#: Components `gridwatch run` starts, in start order (each a `gridwatch <command> --site PATH` process).
#: Later issues append theirs here once the command exists.
COMPONENT_COMMANDS: tuple[str, ...] = ("ingest", "detect", "streams", "dispatch")


#: Components that join a Kafka consumer group.
CONSUMER_GROUP_COMMANDS = frozenset({"detect", "streams", "dispatch"})


@dataclass(frozen=True)
class MainJobOptions:
    """What `gridwatch run` was asked to do."""

    site_path: Path
    database_url: str
    data_dir: Path
    broker_port: int | None
    exit_after_s: float | None
    components: Sequence[str] = COMPONENT_COMMANDS
    #: Where the dispatch API listens (None: as its settings say, no extra environment).
    dispatch: DispatchAddress | None = None
    #: Issue tokens and print ready-made page links for the demo.
    page_links: bool = True
    #: Replay file and image-folder cameras again and again (ingest's ``--loop-footage``), so that no demo
    #: camera goes offline because its footage ran out.
    loop_footage: bool = True


def component_specs(options: MainJobOptions, kafka: KafkaSettings) -> list[ComponentSpec]:
    env: dict[str, str] = {
        "GW_KAFKA_BOOTSTRAP": kafka.bootstrap_servers,
        "GW_KAFKA_EMBEDDED": "true",
        "GW_DATABASE_URL": options.database_url,
        "GW_SITE": str(options.site_path),
        "GW_DATA_DIR": str(options.data_dir),
    }
    # A consumer-group member restarted before its dead predecessor's session expired can be left without
    # partitions on the embedded broker: wait out the session timeout (plus a margin) first.
    group_restart_s = kafka.session_timeout_ms / 1000 + 2.0
    dispatch_env = dict(options.dispatch.env) if options.dispatch is not None else {}
    extra_args: dict[str, tuple[str, ...]] = {"ingest": ("--loop-footage",) if options.loop_footage else ()}
    return [
        ComponentSpec(
            name=command,
            argv=(
                *(sys.executable, "-m", "app.cli.main", command, "--site", str(options.site_path)),
                *extra_args.get(command, ()),
            ),
            env={**env, **dispatch_env} if command == "dispatch" else env,
            min_restart_delay_s=group_restart_s if command in CONSUMER_GROUP_COMMANDS else 0.0,
        )
        for command in options.components
    ]


def prepare_database(url: str, site: SiteConfig, out: TextIO) -> None:
    from dispatch.persistence import make_engine, sync_site, upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session, session.begin():
            report = sync_site(session, site)
        shown = engine.url.render_as_string(hide_password=True)
        out.write(f"database  {shown} (migrated to head; site loaded)\n{report}\n")
    finally:
        engine.dispose()


def run_main_job(
    options: MainJobOptions,
    site: SiteConfig,
    *,
    out: TextIO = sys.stdout,
    stop: threading.Event,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    options.data_dir.mkdir(parents=True, exist_ok=True)
    broker = EmbeddedBroker(port=options.broker_port, log_path=options.data_dir / "broker.log")
    kafka = broker.start()
    supervisor: Supervisor | None = None
    try:
        ensure_topics(kafka)
        out.write(
            f"broker    {kafka.bootstrap_servers} (embedded Tansu; log {options.data_dir / 'broker.log'})\n"
        )
        out.write("topics    " + ", ".join(f"{t.name}[{t.partitions}]" for t in TOPICS) + "\n")
        prepare_database(options.database_url, site, out)
        supervisor = Supervisor(component_specs(options, kafka), out=out)
        supervisor.start()
        names = ", ".join(options.components) or "none yet"
        out.write(f"components {names}\n")
        out.write(
            f"site      {site.site.name}: {len(site.cameras)} cameras, {len(site.micro_grids)} micro-grids\n"
            f"watch     gridwatch topics list --bootstrap {kafka.bootstrap_servers}\n"
        )
        if options.dispatch is not None and "dispatch" in options.components:
            write_where_to_look(out, site, options.dispatch, options.database_url, links=options.page_links)
        out.write("ready     (Ctrl-C stops everything)\n")
        out.flush()
        deadline = None if options.exit_after_s is None else clock() + options.exit_after_s
        while not stop.is_set() and (deadline is None or clock() < deadline):
            supervisor.poll()
            time.sleep(0.2)
        out.write("stopping\n")
        return 0
    finally:
        if supervisor is not None:
            supervisor.stop()
        broker.stop()
        out.write("stopped\n")
        out.flush()

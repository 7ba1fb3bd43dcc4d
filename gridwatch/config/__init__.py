"""Site configuration: one YAML file describes a site: grids, cameras, zones, people, rosters, event classes.

Read it with :func:`load_site`; every component takes what it needs from the :class:`SiteConfig` it returns.
"""

from gridwatch.config.errors import Problem, SiteConfigError
from gridwatch.config.loader import load_site, parse_site
from gridwatch.config.models_calendar import WorkingCalendar
from gridwatch.config.models_camera import Camera, CameraDetection, MotionGate, SpotException, Zone
from gridwatch.config.models_classes import (
    Department,
    EndBeforeHandling,
    EscalationLevel,
    EventClass,
    GridTimeLimits,
    ReviewPolicy,
    TimeLimits,
)
from gridwatch.config.models_common import DailyWindow, GeoPoint, Weekday
from gridwatch.config.models_grid import (
    CommunityGrid,
    GeoJsonMultiPolygon,
    GeoJsonPolygon,
    GridHierarchy,
    GridLevel,
    MicroGrid,
    TownGrid,
)
from gridwatch.config.models_people import (
    DingTalkChannel,
    Person,
    PushChannel,
    Role,
    Roster,
    Shift,
    SmsChannel,
    WebPushChannel,
    WeComChannel,
)
from gridwatch.config.models_rules import (
    BoxSize,
    BoxUnit,
    EbikeParkingRule,
    MobileVendorRule,
    ObjectKind,
    RuleBase,
    RuleKind,
    StorefrontTradingRule,
    TradingSignal,
    ZoneRule,
)
from gridwatch.config.models_sources import (
    CameraSource,
    DecodeMode,
    FileSource,
    FolderTimestamps,
    HttpSnapshotSource,
    ImageFolderSource,
    RtspSource,
    SnapshotAuth,
)
from gridwatch.config.site import SiteConfig, SiteInfo

__all__ = [
    "BoxSize",
    "BoxUnit",
    "Camera",
    "CameraDetection",
    "CameraSource",
    "CommunityGrid",
    "DailyWindow",
    "DecodeMode",
    "Department",
    "DingTalkChannel",
    "EbikeParkingRule",
    "EndBeforeHandling",
    "EscalationLevel",
    "EventClass",
    "FileSource",
    "FolderTimestamps",
    "GeoJsonMultiPolygon",
    "GeoJsonPolygon",
    "GeoPoint",
    "GridHierarchy",
    "GridLevel",
    "GridTimeLimits",
    "HttpSnapshotSource",
    "ImageFolderSource",
    "MicroGrid",
    "MobileVendorRule",
    "MotionGate",
    "ObjectKind",
    "Person",
    "Problem",
    "PushChannel",
    "ReviewPolicy",
    "Role",
    "Roster",
    "RtspSource",
    "RuleBase",
    "RuleKind",
    "Shift",
    "SiteConfig",
    "SiteConfigError",
    "SiteInfo",
    "SmsChannel",
    "SnapshotAuth",
    "SpotException",
    "StorefrontTradingRule",
    "TimeLimits",
    "TownGrid",
    "TradingSignal",
    "WeComChannel",
    "WebPushChannel",
    "Weekday",
    "WorkingCalendar",
    "Zone",
    "ZoneRule",
    "load_site",
    "parse_site",
]

"""Push settings validation and the errors of wiring them up."""

from __future__ import annotations

import typing
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dispatch.push import (
    CHANNELS,
    ChannelPlugin,
    PushConfigError,
    PushSettings,
    RetrySettings,
    WeComSettings,
    build_notifier,
    plugin_for,
)
from dispatch.push.webpush_crypto import VapidKey, VapidKeyError, b64url_encode
from gridwatch.config import PushChannel
from tests.dispatch.push.conftest import SHANGHAI

WEBPUSH = {"vapid_private_key_env": "GW_VAPID", "subject": "mailto:ops@gw.example.org"}
WECOM = {"corp_id": "ww1", "agent_id": 1000002, "secret_env": "GW_WECOM"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"wecom": {**WECOM, "corpsecret": "x"}}, "wecom.corpsecret: Extra inputs are not permitted"),
        ({"webpush": {**WEBPUSH, "subject": "ops@gw.example.org"}}, "is not a VAPID subject"),
        ({"webpush": {"subject": "mailto:a@b.org"}}, "exactly one of vapid_private_key_file or _env"),
        (
            {"webpush": {**WEBPUSH, "token_lifetime_s": 90000}},
            "webpush.token_lifetime_s: Input should be less",
        ),
        ({"wecom": {**WECOM, "base_url": "qyapi.weixin.qq.com"}}, "is not an absolute http(s) URL"),
        ({"wecom": {**WECOM, "secret_env": "my secret"}}, "is not an environment variable name"),
        ({"wecom": {**WECOM, "button_text": "查看案卷详情"}}, "wecom.button_text"),
        (
            {"retry": {"initial_backoff_s": 10, "max_backoff_s": 5}},
            "max_backoff_s 5.0 is below initial_backoff_s",
        ),
        (["wecom"], "must be a mapping of field names, not list"),
    ],
)
def test_bad_settings_name_the_problem(document: object, message: str) -> None:
    with pytest.raises(ValueError, match="push settings") as caught:
        PushSettings.from_mapping(document)
    assert message in str(caught.value)


def test_settings_load_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "push.yaml"
    path.write_text(
        "wecom: {corp_id: ww1, agent_id: 1000002, secret_env: GW_WECOM, base_url: 'http://127.0.0.1:1/'}\n"
    )

    settings = PushSettings.load(path)

    wecom = settings.section(WeComSettings)
    assert wecom is not None and wecom.base_url == "http://127.0.0.1:1"
    assert settings.webpush is None and settings.retry == RetrySettings()


def test_backoff_grows_and_is_capped() -> None:
    retry = RetrySettings(initial_backoff_s=1, multiplier=3, max_backoff_s=20)

    assert [retry.delay_before(n) for n in (2, 3, 4, 5)] == [1, 3, 9, 20]
    assert retry.delay_before(2, retry_after_s=4) == 4
    with pytest.raises(ValueError, match="retries start at try 2"):
        retry.delay_before(1)


def test_missing_secret_stops_the_build() -> None:
    settings = PushSettings.from_mapping({"wecom": WECOM})
    with (
        httpx.Client() as client,
        pytest.raises(PushConfigError, match="environment variable GW_WECOM is not set"),
    ):
        build_notifier(settings, client=client, tz=SHANGHAI, env={})


def test_webpush_needs_the_subscription_callbacks() -> None:
    settings = PushSettings.from_mapping({"webpush": WEBPUSH})
    env = {"GW_VAPID": VapidKey.generate().private_pem().decode()}
    with httpx.Client() as client, pytest.raises(PushConfigError, match="pass subscriptions_for and on_gone"):
        build_notifier(settings, client=client, tz=SHANGHAI, env=env)


def test_unreadable_vapid_key_is_reported() -> None:
    settings = PushSettings.from_mapping({"webpush": WEBPUSH})
    with (
        httpx.Client() as client,
        pytest.raises(PushConfigError, match=r"VAPID private key in \$GW_VAPID cannot be read"),
    ):
        build_notifier(
            settings,
            client=client,
            tz=SHANGHAI,
            env={"GW_VAPID": "not-a-key"},
            subscriptions_for=lambda p: [],
            on_gone=lambda s: None,
        )


def test_vapid_key_reads_pem_file_and_raw_scalar(tmp_path: Path) -> None:
    key = VapidKey.generate()
    pem = tmp_path / "vapid.pem"
    pem.write_bytes(key.private_pem())
    loaded = serialization.load_pem_private_key(key.private_pem(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    raw = b64url_encode(loaded.private_numbers().private_value.to_bytes(32, "big"))

    assert VapidKey.from_pem_file(pem).public_key_b64url == key.public_key_b64url
    assert VapidKey.from_text(raw).public_key_b64url == key.public_key_b64url
    with pytest.raises(VapidKeyError, match="cannot read the VAPID private key file"):
        VapidKey.from_pem_file(tmp_path / "missing.pem")


def test_configured_kinds_are_wired() -> None:
    settings = PushSettings.from_mapping(
        {
            "wecom": WECOM,
            "sms": {"url": "http://127.0.0.1:1/sms"},
            "dingtalk": {"app_key": "k", "app_secret_env": "GW_DING", "agent_id": 1},
        }
    )
    with httpx.Client() as client:
        notifier = build_notifier(settings, client=client, tz=SHANGHAI, env={"GW_WECOM": "s", "GW_DING": "d"})
    assert notifier.kinds == {"wecom", "dingtalk", "sms"}


def test_every_channel_kind_of_the_site_file_has_a_registered_plugin() -> None:
    union = typing.get_args(typing.get_args(PushChannel)[0])
    site_kinds = {typing.get_args(model.model_fields["kind"].annotation)[0] for model in union}

    assert site_kinds == {plugin.kind for plugin in CHANNELS}
    assert plugin_for("wecom").settings_model is WeComSettings
    with pytest.raises(KeyError, match="no push channel 'telegram'; known: webpush, wecom, dingtalk, sms"):
        plugin_for("telegram")


def test_each_section_is_validated_by_the_model_of_its_kind() -> None:
    settings = PushSettings.from_mapping({"sms": {"url": "http://127.0.0.1:1/sms"}, "wecom": WECOM})

    assert {kind: type(section).__name__ for kind, section in settings.channels.items()} == {
        "sms": "SmsGatewaySettings",
        "wecom": "WeComSettings",
    }
    with pytest.raises(ValueError, match="telegram: Extra inputs are not permitted"):
        PushSettings.from_mapping({"telegram": {"token_env": "GW_TG"}})
    with pytest.raises(ValueError, match="channel section 'wecom' holds settings of kind 'sms'"):
        PushSettings.from_mapping({"channels": {"wecom": {"kind": "sms", "url": "http://127.0.0.1:1/sms"}}})


def test_a_plugin_must_serve_the_kind_its_settings_declare() -> None:
    with pytest.raises(ValueError, match="its settings model WeComSettings declares kind 'wecom'"):
        ChannelPlugin("sms", WeComSettings, plugin_for("wecom").build)

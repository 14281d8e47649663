from __future__ import annotations

import pytest

from methodica.conf import ConfigError, env_bool, env_int, env_list, env_str


def test_a_malformed_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("METHODICA_X", "maybe")
    with pytest.raises(ConfigError, match="METHODICA_X"):
        env_bool("METHODICA_X", False)


def test_a_number_below_its_minimum_fails_loudly(monkeypatch):
    monkeypatch.setenv("METHODICA_N", "2")
    with pytest.raises(ConfigError, match="at least 5"):
        env_int("METHODICA_N", 10, minimum=5)


def test_a_missing_required_value_fails_loudly(monkeypatch):
    monkeypatch.delenv("METHODICA_REQUIRED", raising=False)
    with pytest.raises(ConfigError, match="required"):
        env_str("METHODICA_REQUIRED")


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("METHODICA_L", " a, b ,,c")
    assert env_list("METHODICA_L", []) == ["a", "b", "c"]

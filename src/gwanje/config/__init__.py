"""Configuration, declared once with pydantic: validation, JSON Schema and the docs reference all come from here."""

from gwanje.config.load import load_config, parse_config
from gwanje.config.schema import AppConfig

__all__ = ["AppConfig", "load_config", "parse_config"]

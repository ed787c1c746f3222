"""Validated, frozen platform settings built from stack config."""
from components.settings.loader import Problem, SettingsError, config_problems, load_settings, settings_warnings
from components.settings.model import Settings

__all__ = ["Problem", "Settings", "SettingsError", "config_problems", "load_settings", "settings_warnings",
           "settings_from_pulumi"]


def settings_from_pulumi() -> Settings:
    """Reads the running program's whole config, as the CLI or the mocks handed it over.

    The project's own keys are namespaced by the project's name, so that name is read from the
    engine: under a project renamed in Pulumi.yaml the settings still apply, and keys left in the
    old namespace are reported instead of silently ignored.
    """
    import pulumi
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return load_settings(pulumi.get_stack(), merged, pulumi.get_project())

"""The plugin under test: its binary, its profile, the versions to test it at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import config, netns, versions
from .options import Settings
from .profiles import Kind, Profile, for_plugin
from .runner import Invocation, Runner


class UnknownPlugin(ValueError):
    """No built-in profile for this plugin name and no --cni-config."""


@dataclass
class Target:
    settings: Settings
    plugin: Path
    profile: Profile
    template: config.Template
    _versions: list[str] | None = field(default=None, repr=False)
    version_answer: Invocation | None = field(default=None, repr=False)
    hung: dict[str, Invocation] = field(default_factory=dict, repr=False)  # verb -> the call that timed out

    @classmethod
    def from_settings(cls, settings: Settings) -> Target:
        assert settings.plugin is not None
        name = settings.plugin.name
        profile = for_plugin(settings.profile or name)
        if settings.config is not None:
            template = config.from_file(settings.config, name)
            kind = profile.kind if profile else _infer_kind(template)
            profile = Profile(name, kind, template.plugin, kernel=profile.kernel if profile else (),
                              base=profile.base if profile else None,
                              parent_link=profile.parent_link if profile else False,
                              ifname=profile.ifname if profile else "eth0")
        elif profile is None:
            raise UnknownPlugin(f"no built-in profile for a plugin named {name!r}; give one with --cni-profile=NAME or --cni-config=FILE")
        else:
            template = config.from_profile(profile)
        return cls(settings=settings, plugin=settings.plugin, profile=profile, template=template)

    @property
    def cni_path(self) -> list[str]:
        return [str(self.plugin.parent), *self.settings.cni_path]

    def runner(self, host_ns: netns.Namespace, extra_path: Sequence[str] = ()) -> Runner:
        """A runner of the plugin under test in `host_ns`; `extra_path` directories come in
        CNI_PATH after the plugin's own and before --cni-path's (the recording IPAM plugin's)."""
        runner = Runner(self.plugin, host_ns, [*extra_path, *self.settings.cni_path], timeout=self.settings.timeout,
                        result_kind="ipam-result" if self.profile.kind == "ipam" else "result")
        runner.hung = self.hung  # one time-out per verb per session: later calls are blocked at once
        return runner

    def versions(self) -> list[str]:
        """The spec versions to test: --cni-version, else what VERSION lists and cnitest knows."""
        if self._versions is None:
            # Set before asking, so a failed VERSION call is not repeated for every suite module.
            self._versions = list(versions.KNOWN)
            self._versions = self.settings.versions or self._ask_versions()
        return self._versions

    def _ask_versions(self) -> list[str]:
        with netns.new("version-query") as host:
            inv = versions.ask(self.runner(host))
        self.version_answer = inv
        listed = versions.listed(inv)
        if listed and versions.select(listed):
            return versions.select(listed)
        return list(versions.KNOWN)  # no usable answer: test everything, the version suite says why

    def find_plugin(self, plugin_type: str) -> Path | None:
        """A plugin binary by type, looked up the way CNI_PATH is searched."""
        for d in self.cni_path:
            candidate = Path(d) / plugin_type
            if candidate.is_file():
                return candidate
        return None


def _infer_kind(template: config.Template) -> Kind:
    conf = template.plugin
    if template.chain:
        return "chained"
    if "type" not in conf and isinstance(conf.get("ipam"), dict):
        return "ipam"
    return "interface"

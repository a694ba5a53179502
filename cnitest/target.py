"""The plugin under test: its binary, its profile, the versions to test it at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config, lookup, netns, versions
from .profiles import Kind, Profile, for_plugin, infer_kind, result_kind
from .runner import DEFAULT_TIMEOUT, Invocation, Runner

if TYPE_CHECKING:  # options reads pytest's options; a Target is usable without pytest
    from .options import Settings

__all__ = ["MissingDelegate", "Target", "UnknownPlugin"]


class UnknownPlugin(ValueError):
    """No built-in profile for this plugin name and no --cni-config."""


class MissingDelegate(ValueError):
    """The config delegates IPAM to a plugin CNI_PATH does not hold: a setup error, not a finding."""


@dataclass
class Target:
    """The plugin under test: binary, profile (kind, CNI_IFNAME, ...), config
    template, the --cni-* settings, and what the session learnt about it (its
    VERSION answer, verbs that timed out). Made from the pytest options
    (`from_settings`) or, in a library, with `Target.of(plugin, kind, template)`."""

    settings: Settings
    plugin: Path
    profile: Profile
    template: config.Template
    _versions: list[str] | None = field(default=None, repr=False)
    version_answer: Invocation | None = field(default=None, repr=False)
    hung: dict[str, Invocation] = field(default_factory=dict, repr=False)  # verb -> the call that timed out
    versions_why: str = field(default="", repr=False)  # how versions() chose (for the report header)

    @classmethod
    def from_settings(cls, settings: Settings) -> Target:
        assert settings.plugin is not None
        name = settings.plugin.name
        profile = for_plugin(settings.profile or name)
        if settings.config is not None:
            template = config.from_file(settings.config, name)
            kind = profile.kind if profile else infer_kind(template.plugin, template.chain)
            profile = Profile(name, kind, template.plugin, kernel=profile.kernel if profile else (),
                              base=profile.base if profile else None,
                              parent_link=profile.parent_link if profile else False,
                              ifname=profile.ifname if profile else "eth0")
        elif profile is None:
            raise UnknownPlugin(f"no built-in profile for a plugin named {name!r}; give one with --cni-profile=NAME or --cni-config=FILE")
        else:
            template = config.from_profile(profile)
        return cls(settings=settings, plugin=settings.plugin, profile=profile, template=template)

    @classmethod
    def of(cls, plugin: str | Path, kind: Kind = "interface", template: dict[str, Any] | None = None,
           cni_path: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT) -> Target:
        """A Target without pytest options: `plugin` of `kind`, configured from `template`
        (a config entry without cniVersion and name; default: the built-in profile of
        its file name), `cni_path` directories after its own."""
        from .options import Settings

        path = Path(plugin).absolute()
        known = for_plugin(path.name)
        if template is None:
            if known is None:
                raise UnknownPlugin(f"no built-in profile for a plugin named {path.name!r}; give a template")
            template = known.config_template()
        profile = Profile(path.name, kind, template, ifname=known.ifname if known else "eth0")
        settings = Settings(plugin=path, cni_path=list(cni_path), timeout=timeout)
        return cls(settings=settings, plugin=path, profile=profile, template=config.Template(template, [], f"given for {path.name}"))

    @property
    def cni_path(self) -> list[str]:
        return [str(self.plugin.parent), *self.settings.cni_path]

    def runner(self, host_ns: netns.Namespace, extra_path: Sequence[str] = ()) -> Runner:
        """A runner of the plugin under test in `host_ns`; `extra_path` directories come in
        CNI_PATH after the plugin's own and before --cni-path's (the recording IPAM plugin's)."""
        # hung: one time-out per verb per session, later calls are blocked at once
        return Runner(self.plugin, host_ns, [*extra_path, *self.settings.cni_path], timeout=self.settings.timeout,
                      result_kind=result_kind(self.profile.kind), hung=self.hung)

    def versions(self) -> list[str]:
        """The spec versions to test: --cni-version, else what VERSION lists and cnitest knows;
        when VERSION gives no usable list, only the versions the configuration names
        (config_versions). `versions_why` says which of these it was."""
        if self._versions is None:
            # Set before asking, so a failed VERSION call is not repeated for every suite module.
            self._versions = list(versions.KNOWN)
            if self.settings.versions:
                chosen, self.versions_why = list(self.settings.versions), "given with --cni-version"
            else:
                listed = self._ask_versions()
                if listed:
                    chosen, self.versions_why = listed, "listed by the plugin's VERSION answer"
                else:
                    chosen = self.config_versions()
                    self.versions_why = (f"the plugin's VERSION call gave no usable supportedVersions ({self._version_failure()}), "
                                         f"so only the version(s) the configuration names are tested; --cni-version chooses others")
            if self.template.cni_versions:  # a conflist names the versions it supports: test only those
                chosen = [v for v in chosen if v in self.template.cni_versions]
            self._versions = chosen
        return self._versions

    def config_versions(self) -> list[str]:
        """The known spec versions the configuration names: a conflist's cniVersion and cniVersions,
        a single config file's cniVersion; the built-in profile's configuration names none, so the
        version cnitest asks VERSION at (versions.LATEST)."""
        if self.template.cni_versions:
            return list(self.template.cni_versions)
        named = self.template.plugin.get("cniVersion")
        if isinstance(named, str) and versions.is_known(named):
            return [named]
        return [versions.LATEST]

    def _ask_versions(self) -> list[str]:
        """The known versions VERSION lists (empty: no usable answer); the answer is kept in version_answer."""
        with netns.new("version-query") as host:
            inv = versions.ask(self.runner(host))
        self.version_answer = inv
        return versions.select(versions.listed(inv) or [])

    def _version_failure(self) -> str:
        inv = self.version_answer
        if inv is None:
            return "not asked"
        if inv.exit_code != 0:
            return f"exit {inv.exit_code}"
        listed = versions.listed(inv)
        if listed is None:
            return "exit 0 without a list"
        return f"it lists {', '.join(map(str, listed)) or 'nothing'}, no version cnitest knows"

    def check_delegates(self) -> None:
        """Raise MissingDelegate when an IPAM plugin the config delegates to is not in CNI_PATH.

        Every ADD would fail with the plugin's "failed to find plugin" and the run would
        say "does not conform" of a plugin that did nothing wrong; this says what to pass."""
        entries = [self.template.plugin, *self.template.chain]
        if self.profile.kind == "ipam":
            entries = list(self.template.chain)  # the plugin under test is the IPAM plugin itself
        for entry in entries:
            ipam = entry.get("ipam")
            kind = ipam.get("type") if isinstance(ipam, dict) else None
            if isinstance(kind, str) and kind and self.find_plugin(kind) is None:
                raise MissingDelegate(
                    f"--cni-path: the config delegates IPAM to {kind!r}, which is in no CNI_PATH directory "
                    f"({':'.join(self.cni_path)}); give its directory with --cni-path=DIR (e.g. --cni-path=/usr/lib/cni)")

    def find_plugin(self, plugin_type: str) -> Path | None:
        """A plugin binary by type, looked up the way CNI_PATH is searched."""
        return lookup.find_plugin(plugin_type, self.cni_path)

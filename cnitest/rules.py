"""The catalog of CNI spec rules the harness checks plugins against.

Each rule is one expectation of a plugin, paraphrased in our own words, with the
spec section it comes from (titled as in the newest SPEC.md), its level, and the
spec versions it binds.  Tests cite rules by id; reports group findings by id.

How levels were chosen
----------------------
* The level is the spec's own word at that version: MUST for MUST, lower-case
  "must", "required" and the normative "is"/"will" of a definition; SHOULD for
  "should"; MAY for "may" and "optional".  ``notes`` quotes the sentence and
  the tag.  Where only an example or nothing at all speaks, the rule is SHOULD
  and the note says so.
* When the word changes between versions, ``changes`` lists the level from each
  version on and ``Rule.level_at(version)`` gives it; when the behaviour itself
  changes, the rule is split in two ids with disjoint version ranges.
* A rule that mixes "the field is there" with "if there, it is right" is two
  ids: ``*-present`` at the word for presence, the other at the word for the
  value.
* ``notes`` also records departures of the Go reference stack (pkg/skel,
  containernetworking/plugins).  A departure never lowers a level: a Go plugin
  that breaks a MUST fails it.

Naming of ids: see cnitest/RULES.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from . import versions

__all__ = ["ID_PATTERN", "KINDS", "LEVELS", "RULES", "SANDBOX_RULE", "Rule", "applies", "get", "select", "testable"]

Level = Literal["MUST", "SHOULD", "MAY"]
Kind = Literal["any", "interface", "ipam", "chained"]  # which plugin kinds the rule binds

LEVELS: tuple[str, ...] = ("MUST", "SHOULD", "MAY")
KINDS: tuple[str, ...] = ("any", "interface", "ipam", "chained")

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")
"""Dotted, lower-case segments of letters/digits joined by single hyphens; at least two segments."""


@dataclass(frozen=True)
class Rule:
    id: str  # short, stable, dotted, e.g. "del.idempotent"
    section: str  # the spec section as titled in HEAD SPEC.md (or "CONVENTIONS.md > ...")
    level: Level
    since: str  # first spec version it applies to
    until: str | None  # last version it applies to, or None if still in force
    kinds: frozenset[Kind]
    text: str  # one-line paraphrase of what the spec expects
    notes: str = ""  # known Go departures, ambiguity, why the level was chosen
    testable: bool = True
    untestable_why: str = ""  # when testable is False: why a black box cannot observe it
    changes: tuple[tuple[str, Level], ...] = ()  # (version, level from that version on), when the spec's word changes

    def level_at(self, version: str | None) -> Level:
        """The level at spec `version`: `level` at `since`, then each change from its version on."""
        level = self.level
        if version is None:
            return level
        for since, changed in self.changes:
            if versions.at_least(version, since):
                level = changed
        return level

    @property
    def area(self) -> str:
        """The first id segment: 'add', 'del', 'env', ..."""
        return self.id.split(".", 1)[0]


# --------------------------------------------------------------------------
# Section titles, as written in HEAD SPEC.md / CONVENTIONS.md
# --------------------------------------------------------------------------
_S1 = "Section 1: Network configuration format"
S_CONFIG = f"{_S1} > Configuration format"
S_PLUGIN_OBJ = f"{_S1} > Configuration format > Plugin configuration objects"
S_VERSION_CONS = f"{_S1} > Version considerations"
_S2 = "Section 2: Execution Protocol"
S_OVERVIEW = f"{_S2} > Overview"
S_PARAMS = f"{_S2} > Parameters"
S_ERRORS = f"{_S2} > Errors"
S_ADD = f"{_S2} > CNI operations > ADD: Add container to network, or apply modifications"
S_DEL = f"{_S2} > CNI operations > DEL: Remove container from network, or un-apply modifications"
S_CHECK = f"{_S2} > CNI operations > CHECK: Check container's networking is as expected"
S_STATUS = f"{_S2} > CNI operations > STATUS: Check plugin status"
S_VERSION = f"{_S2} > CNI operations > VERSION: probe plugin version support"
S_SANDBOX = "cnitest > The sandbox"
SANDBOX_RULE = "sandbox.host-untouched"
S_GC = f"{_S2} > CNI operations > GC: Clean up any stale resources"
_S3 = "Section 3: Execution of Network Configurations"
S_LIFECYCLE = f"{_S3} > Lifecycle & Ordering"
S_ATTACH = f"{_S3} > Attachment Parameters"
S_DERIVE = f"{_S3} > Deriving request configuration from plugin configuration"
S_RUNTIMECONFIG = f"{S_DERIVE} > Deriving runtimeConfig"
_S4 = "Section 4: Plugin Delegation"
S_DELEG = _S4
S_DELEG_PROTO = f"{_S4} > Delegated Plugin protocol"
S_DELEG_EXEC = f"{_S4} > Delegated plugin execution procedure"
_S5 = "Section 5: Result Types"
S_RESULT = _S5
S_ADD_SUCCESS = f"{_S5} > ADD Success"
S_IPAM_RESULT = f"{_S5} > ADD Success > Delegated plugins (IPAM)"
S_VERSION_SUCCESS = f"{_S5} > VERSION Success"
S_ERROR = f"{_S5} > Error"
_CONV = "CONVENTIONS.md"
C_CAPS = f"{_CONV} > Dynamic Plugin specific fields (Capabilities / Runtime Configuration) > Well-known Capabilities"
C_RUNTIMECONFIG = f"{_CONV} > Dynamic Plugin specific fields (Capabilities / Runtime Configuration)"
C_ARGS = f'{_CONV} > "args" in network config'
C_CNI_ARGS = f"{_CONV} > CNI_ARGS"
C_CHAINED = f"{_CONV} > Chained Plugins"

# --------------------------------------------------------------------------
# Known departures of the Go reference stack, reused in notes
# --------------------------------------------------------------------------
GO_VERSION_ECHO = (
    "Go departure: pkg/skel never reads stdin for VERSION and always answers with its own library "
    "version (version.Current(), e.g. 1.1.0), whatever cniVersion the request carried."
)
GO_CNI_PATH = (
    "Go departure: pkg/skel treats CNI_PATH as required for ADD, CHECK, DEL, GC and STATUS and fails "
    "with code 4 when it is unset, although the spec lists it as optional for all but GC."
)
GO_CODE_8 = (
    "Go departure: pkg/types defines code 8 (ErrInvalidNetNS, used by skel when CNI_NETNS is the "
    "plugin's own namespace) which the spec table does not define; Go also uses 999 (ErrInternal) "
    "for wrapped errors, which is in the plugin-specific range and fine."
)
GO_GC_STATUS_NOOP = (
    "Go departure: when a plugin registers no GC or STATUS function, pkg/skel answers the verb with "
    "success (exit 0, no output). host-local implements neither, and no Go main plugin implements GC."
)
GO_ERROR_NO_CNIVERSION = (
    "Go departure: pkg/types.Error has only code, msg and details, so every Go plugin error object "
    "lacks cniVersion."
)
GO_NO_GC_FORWARD = (
    "Go departure: bridge, macvlan, ipvlan, ptp, ... have no GC function (FIXME in the source), so "
    "skel answers GC with success and never forwards it to the IPAM plugin."
)


def _r(
    id: str,
    section: str,
    level: Level,
    since: str,
    until: str | None,
    kinds: str,
    text: str,
    notes: str = "",
    *,
    untestable: str = "",
    changes: tuple[tuple[str, Level], ...] = (),
) -> Rule:
    return Rule(
        id=id,
        section=section,
        level=level,
        since=since,
        until=until,
        kinds=frozenset(k.strip() for k in kinds.split(",")),  # type: ignore[misc]
        text=text,
        notes=notes,
        testable=not untestable,
        untestable_why=untestable,
        changes=changes,
    )


_IFNAME_NOTE = (
    "No spec tag spells out the concrete limits. 0.1.0-0.4.0 say the container interface name has to "
    "obey the standard Linux naming restrictions (kernel dev_valid_name: 1-15 bytes, no '/', ':' or "
    "whitespace, not '.' or '..'); 1.0.0 dropped that sentence. From 0.3.0 on a plugin that cannot use "
    "CNI_IFNAME must fail, and the kernel refuses such names, so an interface plugin can only fail. "
    "Judged MUST for interface plugins; the error object is error.json.on-stdout (SHOULD from 1.0.0), "
    "not part of these rules. The error code is not fixed by the spec; Go skel validates "
    "the name for every verb that needs it (utils.ValidateInterfaceName) and answers code 4, also "
    "for IPAM plugins, which the spec does not require."
)

_CATALOG: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ VERSION
    _r("version.result.shape", S_VERSION_SUCCESS, "MUST", "0.2.0", None, "any",
       "VERSION exits 0 and prints one JSON object with a string cniVersion and a list supportedVersions.",
       "0.2.0-0.4.0 only describe the result; 1.0.0+ Section 5 says plugins must output it (Section 2 "
       "says 'should output' for the same thing). No version allows another shape, so MUST."),
    _r("version.result.supported-nonempty", S_VERSION_SUCCESS, "MUST", "0.2.0", None, "any",
       "supportedVersions is non-empty and every entry is a dotted X.Y.Z version string.",
       "Go's libcni decoder tolerates a missing list only when cniVersion is 0.2.0 (it assumes "
       "0.1.0 and 0.2.0); we still expect the list."),
    _r("version.result.cniversion-matches-input", S_VERSION_SUCCESS, "MUST", "1.0.0", None, "any",
       "The cniVersion of the VERSION answer equals the cniVersion given in the VERSION request on stdin.",
       "Before 1.0.0 the field named the spec version of the answer itself and VERSION took no input. "
       + GO_VERSION_ECHO + " Compare only when the request names the plugin's newest supported "
       "version; otherwise report a mismatch as a known departure."),
    _r("version.env.command-only", S_VERSION, "MUST", "0.2.0", None, "any",
       "VERSION succeeds with only CNI_COMMAND set; no container id, netns, ifname or path is needed.",
       "0.2.0-0.4.0 give VERSION no parameters; 1.0.0+ lists CNI_COMMAND as the only required variable. "
       "Go skel requires nothing else for VERSION."),
    _r("version.input.no-network-config", S_VERSION, "MUST", "0.2.0", None, "any",
       "VERSION needs no network configuration: a stdin holding only {cniVersion} (or, before 1.0.0, "
       "nothing) is enough, and name/type/ipam are not demanded.",
       "1.0.0+ define the VERSION input as an object with just cniVersion; 0.2.0-0.4.0 define no input."),
    _r("version.input.none-legacy", S_VERSION, "SHOULD", "0.2.0", "0.4.0", "any",
       "Before 1.0.0 VERSION reads no input: it answers with a version object whatever stdin holds, "
       "bytes that are not JSON included.",
       "spec-v0.2.0 to spec-v0.4.0 VERSION ('Report version'): 'Parameters: NONE.' The empty stdin that "
       "literally is 'no parameters' is version.input.no-network-config (MUST); that a plugin also "
       "ignores whatever else is on stdin is only implied, hence SHOULD. Go skel never reads stdin for "
       "VERSION."),
    _r("version.input.malformed", S_VERSION, "MUST", "1.0.0", None, "any",
       "From 1.0.0, VERSION with an empty or non-JSON stdin either fails (non-zero exit) or exits 0 with "
       "a version object.",
       "spec-v1.0.0 VERSION defines the input as 'A json-serialized object, with the following key: "
       "cniVersion' and says nothing of other input, so refusing it (code 6: 'Failed to decode content') "
       "and answering anyway (Go skel never reads stdin for VERSION) are both allowed. An exit 0 reports "
       "a VERSION success, and Section 5: 'Plugins must output a JSON object with the following keys upon "
       "a VERSION operation: cniVersion ... supportedVersions', so MUST for what an exit 0 prints."),
    _r("version.input.unsupported-still-answers", S_VERSION, "SHOULD", "0.2.0", None, "any",
       "VERSION still answers (exit 0, version object) when the request names a cniVersion the plugin "
       "does not support, so a runtime can discover what it does support.",
       "Implied by the purpose of VERSION, never stated; hence SHOULD. Go ignores the input entirely."),
    _r("version.supported.honored", S_VERSION_CONS, "MUST", "0.2.0", None, "any",
       "A request at any version listed in supportedVersions is not refused as incompatible (code 1).",
       "spec-v1.0.0 Section 5 Version: 'Plugins must output a JSON object with the following keys upon a "
       "VERSION operation: ... supportedVersions: A list of supported specification versions'; spec-v0.2.0 "
       "to spec-v0.4.0 VERSION: 'the list of CNI spec versions that this plugin supports'. A listed "
       "version the plugin refuses makes the list false, so MUST (was SHOULD)."),

    # ------------------------------------------------------------------ environment
    _r("env.command.unknown-fails", S_PARAMS, "MUST", "0.1.0", None, "any",
       "A CNI_COMMAND that names no operation of the spec (an unknown value, a lower-case 'add', an empty "
       "value, or none at all) makes the plugin fail (non-zero exit).",
       "spec-v1.0.0 Parameters: 'CNI_COMMAND: indicates the desired operation; ADD, DEL, CHECK, or "
       "VERSION' (spec-v0.1.0: 'either ADD or DEL'), and Errors: 'A plugin must exit with a return code of "
       "0 on success, and non-zero on failure'. No operation can succeed for a verb the spec does not "
       "define, so MUST (was SHOULD). From spec-v1.0.0 every verb also lists CNI_COMMAND under 'Required "
       "environment parameters', so an empty or unset one is not a valid request either. The error object "
       "is error.json.on-stdout (SHOULD from 1.0.0), never part of this rule. HEAD's Parameters list and "
       "the '5 operations' sentence omit STATUS although STATUS is defined. Go departure (a failure): with "
       "CNI_COMMAND unset or empty, skel prints its 'about' text on stderr and exits 0."),
    _r("env.required.missing-fails", S_PARAMS, "MUST", "1.0.0", None, "any",
       "When a variable the verb requires is unset (ADD/CHECK: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME; "
       "DEL: CNI_CONTAINERID, CNI_IFNAME), the plugin fails instead of guessing.",
       "spec-v1.0.0 ADD/DEL/CHECK: 'Required environment parameters: CNI_COMMAND, CNI_CONTAINERID, ...' "
       "(REQUIRED is RFC 2119's MUST), and the code-4 entry: 'Invalid necessary environment variables, "
       "like CNI_COMMAND, CNI_CONTAINERID, etc.' A request without them is not a valid request, so MUST "
       "(was SHOULD). Go skel reports code 4 naming the missing variables."),
    _r("env.containerid.missing-fails", S_PARAMS, "MUST", "0.4.0", "0.4.0", "any",
       "At 0.4.0, ADD, CHECK and DEL with CNI_CONTAINERID unset or empty fail (non-zero exit, error object).",
       "spec-v0.4.0 Parameters, ADD: 'Container ID. A unique plaintext identifier for a container, "
       "allocated by the runtime. Must not be empty.'; DEL and CHECK take the Container ID 'as defined "
       "for ADD'. Before 0.4.0 the id was 'optional but recommended'; from 1.0.0 env.required.missing-fails "
       "covers it with the other required variables. A request without it is not a valid request, so "
       "MUST, as for env.required.missing-fails. Go skel fails with code 4 at every version."),
    _r("env.containerid.valid-accepted", S_PARAMS, "SHOULD", "1.0.0", None, "any",
       "Any container id that starts with a letter or digit followed by letters, digits, '_', '.' or '-' "
       "(e.g. a 64-char hex id, 'a.b_c-d') is accepted.",
       "The charset binds the runtime; accepting all of it is implied. 0.4.0 only said the id must not "
       "be empty; before 0.4.0 the id was optional. The spec text shows the underscore as '()' (markup "
       "lost); Go's pattern is [a-zA-Z0-9][a-zA-Z0-9_.-]*."),
    _r("env.containerid.invalid-rejected", S_PARAMS, "MAY", "1.0.0", None, "any",
       "A plugin may refuse a container id outside that charset (or empty); if it does, it fails "
       "cleanly with an error object, preferably code 4.",
       "Go skel rejects with code 4 ('invalid characters in containerID'); an empty id is reported as "
       "a missing variable (code 4). A plugin that accepts such ids is not wrong."),
    _r("env.ifname.honored", S_PARAMS, "MUST", "0.3.0", None, "interface",
       "The container-side interface the plugin creates or uses is named exactly CNI_IFNAME; if it "
       "cannot use that name it fails.",
       "0.3.x and 0.4.0+ both tell the plugin (lower-case must) to use the given name or fail; the "
       "intent is clear, so MUST."),
    _r("env.ifname.length", S_PARAMS, "MUST", "0.1.0", None, "interface",
       "ADD with a CNI_IFNAME longer than 15 bytes fails (non-zero exit).", _IFNAME_NOTE),
    _r("env.ifname.length-boundary", S_PARAMS, "SHOULD", "0.1.0", None, "interface",
       "ADD with a valid CNI_IFNAME of exactly 15 bytes is accepted.",
       "Converse of env.ifname.length; implied, hence SHOULD."),
    _r("env.ifname.no-slash", S_PARAMS, "MUST", "0.1.0", None, "interface",
       "ADD with a CNI_IFNAME containing '/' fails (non-zero exit).", _IFNAME_NOTE),
    _r("env.ifname.no-colon", S_PARAMS, "MUST", "0.1.0", None, "interface",
       "ADD with a CNI_IFNAME containing ':' fails (non-zero exit).", _IFNAME_NOTE),
    _r("env.ifname.no-whitespace", S_PARAMS, "MUST", "0.1.0", None, "interface",
       "ADD with a CNI_IFNAME containing a space, tab or newline fails (non-zero exit).", _IFNAME_NOTE),
    _r("env.ifname.not-dot", S_PARAMS, "MUST", "0.1.0", None, "interface",
       "ADD with CNI_IFNAME '.' or '..' fails (non-zero exit).", _IFNAME_NOTE),
    _r("env.args.well-formed-accepted", S_PARAMS, "SHOULD", "0.1.0", None, "any",
       "A well-formed CNI_ARGS ('K=V' pairs of letters/digits joined by ';', including IgnoreUnknown=1) "
       "does not make an operation fail.",
       "The format is defined since 0.1.0; tolerance is implied, hence SHOULD. Go plugins that parse "
       "CNI_ARGS reject unknown keys unless IgnoreUnknown is set, so always add IgnoreUnknown=1 when "
       "passing keys the plugin does not know."),
    _r("env.args.ignore-unknown", S_PARAMS, "MAY", "0.1.0", None, "any",
       "With IgnoreUnknown=1 (or true) in CNI_ARGS, keys the plugin does not understand are ignored.",
       "Not in SPEC.md nor CONVENTIONS.md at any tag: it is the Go pkg/types CommonArgs convention that "
       "runtimes such as kubelet/containerd rely on. MAY, because the spec is silent."),
    _r("env.args.unknown-keys-may-fail", S_PARAMS, "MAY", "0.1.0", None, "any",
       "Without IgnoreUnknown a plugin may refuse CNI_ARGS keys it does not know, or malformed pairs.",
       "Go's types.LoadArgs does exactly that. Recorded so tests do not treat it as a failure.",
       untestable="It is a permission: no plugin behaviour can violate it."),
    _r("env.path.optional", S_ADD, "MAY", "1.0.0", None, "any",
       "ADD, DEL, CHECK and STATUS may be called without CNI_PATH; a plugin needing no delegate can run "
       "without it, and one that does fails cleanly.",
       "The spec lists CNI_PATH as optional for these verbs but says nothing about the plugin's side, "
       "hence MAY. " + GO_CNI_PATH + " The harness sets CNI_PATH by default."),

    # ------------------------------------------------------------------ stdin/stdout/stderr
    _r("io.stdin.config", S_OVERVIEW, "MUST", "0.1.0", None, "any",
       "The plugin takes its configuration from stdin (a pipe), needing no file or terminal.",
       "Configuration arrives on stdin since 0.1.0; 0.4.0 makes it a must."),
    _r("io.stdout.single-json", S_RESULT, "MUST", "0.1.0", None, "any",
       "Whenever stdout is not empty it holds exactly one JSON document (result, version or error) and "
       "nothing else, e.g. no log lines.",
       "Implied: runtimes decode stdout as one JSON value, and the ADD result must be output there; "
       "free text belongs on stderr. Judged MUST."),
    _r("io.stderr.logs", S_ERROR, "MAY", "0.1.0", None, "any",
       "Plugins may write unstructured text (logs) to stderr; it carries no protocol meaning.",
       "Tests must never fail a plugin for stderr output.",
       untestable="It is a permission: no plugin behaviour can violate it."),

    # ------------------------------------------------------------------ errors
    _r("error.exit.nonzero", S_ERRORS, "MUST", "0.1.0", None, "any",
       "A failed operation ends with a non-zero exit code.",
       "Described since 0.1.0; MUST from 0.4.0 on."),
    _r("error.exit.zero-without-error", S_ERRORS, "MUST", "0.1.0", None, "any",
       "An exit code of 0 is never accompanied by an error object on stdout.",
       "Follows from the exit-code rule (0 only on success): reporting an error is a failure."),
    _r("error.json.on-stdout", S_ERRORS, "SHOULD", "0.1.0", None, "any",
       "On failure the plugin prints an error object on stdout.",
       "Wording changed: descriptive in 0.1.0-0.3.1, MUST in 0.4.0, 'should' from 1.0.0; weaker kept. "
       "HEAD's Section 2 overview says errors go to stderr, but Section 2 Errors/STATUS and Section 5 "
       "say stdout; we follow stdout."),
    _r("error.json.code-msg", S_ERROR, "SHOULD", "0.1.0", None, "any",
       "The error object has an integer code and a string msg; details, when present, is a string.",
       "Section 5 says plugins should output these keys; details was marked optional until 0.4.0."),
    _r("error.json.cniversion", S_ERROR, "SHOULD", "0.1.0", None, "any",
       "The error object carries cniVersion, the protocol version in use for the request.",
       "Listed among the error keys since 0.1.0 (1.0.0: the value from the configuration). "
       + GO_ERROR_NO_CNIVERSION + " Report a missing field as a known departure, never a failure."),
    _r("error.code.reserved-range", S_ERROR, "MUST", "0.1.0", None, "any",
       "Codes below 100 are only used with the meaning the spec table gives them; plugin-specific "
       "errors use 100 or more.",
       "spec-v0.4.0 Well-known Error Codes: 'Error codes 1-99 must not be used other than as specified "
       "here.'; spec-v0.1.0 to spec-v1.1.0 Error: 'Error codes 0-99 are reserved for well-known errors. "
       "Values of 100+ can be freely used for plugin specific errors.' A reservation is a definition, so "
       "MUST at every version (was SHOULD). " + GO_CODE_8),
    _r("error.code.incompatible-version", S_ERROR, "SHOULD", "0.1.0", None, "any",
       "A request whose cniVersion the plugin does not support fails with code 1.",
       "Checked, unchanged: every tag only lists '1 - Incompatible CNI version' in the table without "
       "saying the code has to be used (unlike code 7's 'will be raised'), hence SHOULD. Go skel answers "
       "code 1."),
    _r("error.code.unsupported-field-message", S_ERROR, "MUST", "0.2.0", None, "any",
       "When a plugin answers code 2 (unsupported configuration field), its message names the key and "
       "the value of that field.",
       "Only checkable when the plugin chooses code 2."),
    _r("error.code.unknown-container", S_ERROR, "MAY", "0.4.0", None, "any",
       "Code 3 means the container is unknown or gone, telling the runtime no cleanup is needed.",
       untestable="A permission whose correct use depends on what the plugin knows about the container; "
                  "a black box cannot tell whether code 3 was justified."),
    _r("error.code.invalid-env", S_ERROR, "SHOULD", "1.0.0", None, "any",
       "Missing or invalid required environment variables are reported with code 4.",
       "Checked, unchanged: spec-v1.0.0 code 4 'Invalid necessary environment variables, like "
       "CNI_COMMAND, CNI_CONTAINERID, etc.' names the condition without saying the code is used; only "
       "the message is a must (error.code.invalid-env-names-variable). Hence SHOULD. Go skel uses 4."),
    _r("error.code.invalid-env-names-variable", S_ERROR, "MUST", "1.0.0", None, "any",
       "An error with code 4 names the offending variable(s) in msg or details.",
       "spec-v1.0.0 Error codes, 4: 'The error message must contain the variable name'. The full name "
       "counts, or without the CNI_ prefix where that is no English word (containerID, ifname, netns); "
       "'interface name', 'command' or 'network namespace' do not. Go skel's 'invalid characters in "
       "containerID' names it; its missing-variable errors list the full names."),
    _r("error.code.io-failure", S_ERROR, "MAY", "1.0.0", None, "any",
       "Code 5 reports an I/O failure such as being unable to read stdin.",
       untestable="A black box cannot reliably provoke a read error on stdin (a closed pipe reads as "
                  "empty input, which is a decode problem)."),
    _r("error.code.decode-failure", S_ERROR, "SHOULD", "1.0.0", None, "any",
       "Stdin that is not valid JSON makes the plugin fail with code 6.",
       "Checked, unchanged: spec-v1.0.0 code 6 'Failed to decode content' is a table entry with no "
       "keyword, hence SHOULD. Go skel answers 6."),
    _r("error.code.invalid-config", S_ERROR, "MUST", "1.0.0", None, "any",
       "A configuration that parses but fails validation (e.g. no network name) fails with code 7.",
       "spec-v1.0.0 Error table, code 7: 'Invalid network config. If some validations on network configs "
       "do not pass, this error will be raised.' 'will be raised' is the definition of the code, so MUST "
       "(was SHOULD). Go skel uses 7 for a missing or ill-formed name; plugin-level validation errors in "
       "Go are often other codes (a finding when a test provokes one)."),
    _r("error.code.try-again", S_ERROR, "MAY", "0.4.0", None, "any",
       "Code 11 asks the runtime to retry later because of a transient condition.",
       untestable="Needs a transient condition inside the plugin that the harness cannot create."),
    _r("error.code.status-unavailable", S_STATUS, "SHOULD", "1.1.0", None, "any",
       "A failing STATUS uses code 50 (cannot serve ADD) or 51 (cannot serve ADD and existing "
       "containers may have limited connectivity).",
       "Checked, unchanged: spec-v1.1.0 STATUS 'The following error codes are defined in the context of "
       "STATUS: 50 ... 51 ...' defines the codes without a keyword, hence SHOULD. At the spec-v1.1.0 tag "
       "50/51 appear only in the STATUS section; HEAD also adds them to the error table. Only checkable "
       "when STATUS can be made to fail."),

    # ------------------------------------------------------------------ configuration
    _r("config.name.required", S_CONFIG, "SHOULD", "0.1.0", None, "any",
       "ADD with a configuration without a name is refused (code 7 from 1.0.0).",
       "name has always been a required key (0.4.0: fields are required unless marked optional), but "
       "the sentence binds whoever writes the configuration; the plugin's duty to check it on ADD is "
       "implied, hence SHOULD. Go skel refuses with code 7. DEL: see config.name.checked-on-del."),
    _r("config.cniversion.required", S_CONFIG, "SHOULD", "0.1.0", None, "any",
       "ADD with a configuration whose cniVersion is missing, or is not a version string (\"abc\", the "
       "JSON number 1), fails (non-zero exit).",
       "Every tag defines cniVersion as '(string): Semantic Version 2.0 of CNI specification to which this "
       "configuration conforms' and never marks it optional; spec-v0.4.0: 'Fields in CNI structures (like "
       "Network Configuration and CNI Plugin Result) are required unless specifically marked optional' and "
       "'If the cniVersion in the network configuration is not supported by the plugin, the plugin should "
       "return an error code 1'; spec-v1.0.0 Section 3: 'The following fields must be inserted into the "
       "execution configuration by the runtime: cniVersion'. The musts bind the configuration's author and "
       "the runtime; the plugin's refusal is implied (the 0.4.0 'should'), hence SHOULD, as for "
       "config.name.required. No code is checked: 1 (incompatible version), 6 (decode) and 7 (invalid "
       "config) all fit. Go departure (a warning): pkg/version reads a missing cniVersion as 0.1.0 and "
       "serves the request; 'abc' is refused with code 1, the number 1 with code 6."),
    _r("config.name.checked-on-del", S_CONFIG, "MAY", "0.1.0", None, "any",
       "A plugin may refuse a DEL whose configuration has no name; if it does, it fails cleanly and "
       "leaves the attachment in place.",
       "Nothing asks a plugin to validate the configuration on DEL, and DEL is best-effort (spec-v1.0.0 "
       "DEL: 'Plugins should generally complete a DEL action without error even if some resources are "
       "missing'), so a plugin that deletes anyway is not wrong."),
    _r("config.name.valid-accepted", S_CONFIG, "SHOULD", "1.0.0", None, "any",
       "Network names made of a leading letter/digit followed by letters, digits, '_', '.' or '-' are "
       "accepted.",
       "The charset binds the administrator; accepting all of it is implied."),
    _r("config.name.invalid-rejected", S_CONFIG, "MAY", "1.0.0", None, "any",
       "A plugin may refuse a network name outside that charset; if it does it fails cleanly "
       "(preferably code 7).",
       "Go skel refuses with code 7. HEAD (after the 1.1.0 tag) adds that names must not contain "
       "characters that are illegal in file paths."),
    _r("config.type.runtime-lookup", S_PLUGIN_OBJ, "MAY", "0.1.0", None, "any",
       "type names the plugin binary; it is used by the runtime to find the executable and the plugin "
       "need not check it.",
       "Go skel does not look at type, so a config without type does not fail a Go plugin.",
       untestable="Binds the runtime's binary lookup; a plugin may ignore the field."),
    _r("config.args.ignored", C_ARGS, "SHOULD", "0.2.0", None, "any",
       "An 'args' object with content the plugin does not understand (e.g. args.cni.labels) is ignored, "
       "not refused.",
       "0.2.0-0.3.1: such data 'may be ignored'; 0.4.0: should be ignored if not understood; 1.0.0+ "
       "reserve the key for the runtime and CONVENTIONS asks plugins to ignore what they do not "
       "understand."),
    _r("config.cni-dev.ignored", S_PLUGIN_OBJ, "SHOULD", "1.0.0", None, "any",
       "Configuration keys starting with cni.dev/ that the plugin does not know do not make ADD, CHECK or "
       "DEL fail.",
       "spec-v1.0.0 and spec-v1.1.0 Plugin configuration objects: 'Reserved keys, used by the protocol: "
       "These keys are generated by the runtime at execution time ... Any keys starting with cni.dev/'. "
       "The permission to refuse ('Plugins may define additional fields that they accept and may generate "
       "an error if called with unknown fields') is given under 'Other keys', which reserved keys are not; "
       "that a plugin tolerates the runtime's keys is implied, hence SHOULD. Before 1.0.0 such a key is an "
       "unknown field a plugin may refuse (config.unknown-fields.may-fail), and other unknown keys may be "
       "refused at every version, so neither is tested."),
    _r("config.unknown-fields.may-fail", S_PLUGIN_OBJ, "MAY", "0.2.0", None, "any",
       "A plugin may refuse configuration fields it does not know (other than args).",
       untestable="It is a permission: no plugin behaviour can violate it."),
    _r("config.dns.semantics", S_PLUGIN_OBJ, "SHOULD", "1.0.0", None, "any",
       "A plugin that consumes the well-known dns (or ipMasq, ipam) configuration keys respects their "
       "documented meaning.",
       untestable="The spec gives no observable outcome: which plugins consume the keys and how is "
                  "plugin-defined."),
    _r("config.ipmasq", S_PLUGIN_OBJ, "MAY", "0.1.0", None, "interface",
       "ipMasq: true asks a supporting plugin to masquerade traffic leaving the network on the host.",
       untestable="The effect is host NAT configuration whose form (iptables, nftables, ...) the spec "
                  "does not define."),

    # ------------------------------------------------------------------ ADD
    _r("add.result.stdout", S_ADD, "MUST", "0.1.0", None, "any",
       "A successful ADD exits 0 and prints a result object on stdout.",
       "Described since 0.1.0; MUST from 0.4.0."),
    _r("add.result.cniversion-matches", S_ADD_SUCCESS, "MUST", "0.4.0", None, "any",
       "The cniVersion of the ADD result equals the cniVersion of the request configuration.",
       "0.4.0: the result's version has to agree with the configuration's (lower-case must); "
       "1.0.0+: the version given on input. Before 0.4.0 nothing tied them; Go plugins "
       "convert to the request version anyway."),
    _r("add.creates-ifname", S_ADD, "SHOULD", "0.1.0", None, "interface",
       "After ADD an interface named CNI_IFNAME exists inside CNI_NETNS.",
       "1.0.0+: on ADD a plugin should create or adjust that interface; creation is what defines an "
       "interface plugin (chained plugins adjust instead)."),
    _r("add.ifname-exists-fails", S_ADD, "MUST", "1.0.0", None, "interface",
       "ADD fails when an interface with the requested name already exists in the container.",
       "spec-v1.0.0 ADD: 'If an interface of the requested name already exists in the container, the CNI "
       "plugin MUST return with an error.' The sentence asks for the failure only (non-zero exit); what "
       "happens to the existing interface is not part of it. Chained plugins are exempt: they adjust an "
       "existing interface."),
    _r("add.netns.nonexistent-fails", S_PARAMS, "MUST", "0.1.0", None, "interface",
       "ADD with a CNI_NETNS path that does not exist fails (non-zero exit).",
       "spec-v1.0.0 Errors: 'A plugin must exit with a return code of 0 on success, and non-zero on "
       "failure'; an interface plugin cannot 'create the interface defined by CNI_IFNAME inside the "
       "container at CNI_NETNS' (ADD) when there is no such namespace, so exit 0 reports a success that "
       "did not happen: MUST (was SHOULD). The error object is error.json.on-stdout (SHOULD from 1.0.0), not "
       "part of this rule. Go plugins fail with a plugin-range code (often 999)."),
    _r("add.netns.nonexistent-no-residue", S_DEL, "SHOULD", "0.3.0", None, "interface",
       "After an ADD into a nonexistent CNI_NETNS has failed and the runtime's DEL for it, nothing of the "
       "attachment is left: no new host-side links, addresses or routes, and its address can be handed out again.",
       "No tag asks a failed ADD to undo itself: spec-v1.0.0 Section 3 'A _delete_ must still be executed "
       "even if the _add_ fails' leaves the clean-up to that DEL (spec-v0.4.0: the runtime 'should execute "
       "the DEL action'), so the state is judged after it. spec-v0.3.0 to spec-v1.1.0 DEL: 'Plugins should "
       "generally complete a DEL action without error even if some resources are missing. For example, an "
       "IPAM plugin should generally release an IP allocation ... even if the container network namespace no "
       "longer exists' and (1.0.0+) DEL 'should ... undo any modifications applied in the plugin's ADD "
       "functionality': SHOULD. Proven with a one-address pool: the next ADD into a real namespace gets it."),
    _r("add.same-container-other-ifname", S_ADD, "SHOULD", "0.4.0", None, "interface,ipam",
       "The same container can be attached twice to one network with different CNI_IFNAME values; both "
       "ADDs succeed and yield distinct attachments.",
       "Checked, unchanged: spec-v0.4.0 and spec-v1.0.0 ADD: 'a given container ID may be added to a "
       "specific network more than once only if each addition is done with a different interface name' "
       "is a permission of the runtime; no sentence obliges the plugin, hence SHOULD."),
    _r("add.result.legacy-shape", S_ADD_SUCCESS, "MUST", "0.1.0", "0.2.0", "interface,ipam",
       "At 0.1.0/0.2.0 the result has optional ip4/ip6 objects, each with ip (CIDR) and optional "
       "gateway and routes, plus an optional dns object; there is no interfaces or ips list.",
       "The old 'Result' / 'IP Allocation' sections; HEAD has no counterpart, the nearest is ADD Success."),
    _r("add.result.interfaces", S_ADD_SUCCESS, "MUST", "0.3.0", None, "interface,chained",
       "From 0.3.0 the result has an interfaces list whose entries have a string name and optional "
       "string mac and sandbox.",
       "0.4.0: fields are required unless marked optional; 1.0.0+ list interfaces among the keys a "
       "result must have."),
    _r("add.result.interfaces-all", S_ADD_SUCCESS, "MUST", "1.0.0", None, "interface",
       "The interfaces list covers every interface the attachment created, host-side ones included "
       "(e.g. a veth peer or bridge).",
       "spec-v1.0.0 Section 5 Success: 'Plugins must output a JSON object with the following keys ...: "
       "interfaces: An array of all interfaces created by the attachment, including any host-level "
       "interfaces', so MUST (was SHOULD); 0.3.x-0.4.0 only say it may include host interfaces. Check "
       "by diffing host links around ADD."),
    _r("add.result.sandbox-present", S_ADD_SUCCESS, "MUST", "0.3.0", None, "interface",
       "Interfaces created in (or moved into) the container carry a non-empty sandbox.",
       "0.3.x-0.4.0: this item must be provided for such interfaces; 1.0.0+ describe sandbox as the "
       "isolation domain reference."),
    _r("add.result.sandbox-equals-netns", S_ADD_SUCCESS, "SHOULD", "0.3.0", None, "interface",
       "The sandbox of a container interface is the CNI_NETNS value passed in.",
       "0.3.x-0.4.0: namespace-based plugins should return the full netns path; 1.0.0+: should be the "
       "CNI_NETNS value."),
    _r("add.result.host-interface-no-sandbox", S_ADD_SUCCESS, "SHOULD", "0.3.0", None, "interface",
       "Host-side interfaces have an empty or absent sandbox.",
       "0.3.x-0.4.0 allow empty or omitted for host interfaces; 1.0.0+ say empty on the host."),
    _r("add.result.mac", S_ADD_SUCCESS, "MUST", "0.3.0", None, "interface",
       "Every mac an interface entry gives is colon-separated hex equal to that link's real address.",
       "spec-v0.4.0 Result: 'mac (string): the hardware address of the interface.'; spec-v1.0.0 "
       "Section 5: 'mac: The hardware address of the interface (if applicable).' A mac that is not the "
       "link's address is wrong whatever the applicability, so MUST (was SHOULD, mixed with presence; "
       "presence is add.result.mac-present)."),
    _r("add.result.mac-present", S_ADD_SUCCESS, "MUST", "0.3.0", None, "interface",
       "A container interface with a link-layer address has a mac in its interface entry.",
       "spec-v0.3.0/0.4.0 Result: '\"mac\": \"<MAC address>\", (required if L2 addresses are "
       "meaningful)', so MUST at 0.3.0-0.4.0; spec-v1.0.0 Section 5: 'mac: The hardware address of the "
       "interface (if applicable).' leaves applicability to the plugin, so SHOULD from 1.0.0.",
       changes=(("1.0.0", "SHOULD"),)),
    _r("add.result.interface-mtu", S_ADD_SUCCESS, "MUST", "1.1.0", None, "interface",
       "Every mtu an interface entry gives is a non-negative integer equal to the link's MTU.",
       "spec-v1.1.0 Section 5: 'mtu: (uint) The MTU of the interface (if applicable).' A value that is "
       "not the link's MTU is wrong, so MUST (was MAY, mixed with presence; see "
       "add.result.interface-mtu-present)."),
    _r("add.result.interface-mtu-present", S_ADD_SUCCESS, "SHOULD", "1.1.0", None, "interface",
       "An interface entry for a link the attachment created gives its mtu.",
       "spec-v1.1.0 Section 5 lists 'mtu: (uint) The MTU of the interface (if applicable)' among the "
       "keys plugins must output; 'if applicable' leaves it to the plugin, hence SHOULD. Go plugins "
       "1.1.1 speak at most 1.0.0."),
    _r("add.result.interface-optional-fields", S_ADD_SUCCESS, "MUST", "1.1.0", None, "interface",
       "Every socketPath an interface entry gives is an absolute path, and every pciID a string.",
       "spec-v1.1.0 Section 5: 'socketPath (string, optional): An absolute path to a socket file ...', "
       "'pciID (string, optional)'. Giving them is optional (a permission, no rule); a value that is "
       "given is defined by the sentence, so MUST (was MAY)."),
    _r("add.result.ips-shape", S_ADD_SUCCESS, "MUST", "0.3.0", None, "interface,chained",
       "From 0.3.0 the result has an ips list; each address is an IP with a prefix length (CIDR) and "
       "each gateway, when present, is a plain IP of the same family.",
       "The spec-v0.3.0 tag spells the key 'ip' in its sample; 0.3.1 calls that a typo and Go uses "
       "'ips' for 0.3.0 too, so expect 'ips'."),
    _r("add.result.ips-interface-index", S_ADD_SUCCESS, "MUST", "0.3.0", None, "interface,chained",
       "Every ips[].interface present is an integer index within the interfaces list.",
       "The field is defined as an index into interfaces; an out-of-range value cannot be meant."),
    _r("add.result.ips-interface-filled", S_ADD_SUCCESS, "SHOULD", "0.3.0", None, "interface",
       "Addresses the plugin puts on the container interface carry an interface index pointing at it.",
       "Checked, unchanged: spec-v0.3.1/0.4.0 Result: 'the plugin should fill in the interface indexes "
       "appropriately'; spec-v1.0.0 only defines the field ('the index into the interfaces list ... "
       "indicating which interface this IP configuration should be applied to'). SHOULD."),
    _r("add.result.ips-version", S_ADD_SUCCESS, "MUST", "0.3.0", "0.4.0", "interface,ipam,chained",
       "At 0.3.x-0.4.0 each ips entry has version '4' or '6' agreeing with its address and gateway.",
       "Removed at 1.0.0 (the spec's release table attributes the removed version field to the "
       "interfaces array, but the field removed is the one in ips)."),
    _r("add.result.ips-version-dropped", S_ADD_SUCCESS, "SHOULD", "1.0.0", None, "interface,ipam,chained",
       "From 1.0.0 ips entries carry no version field.",
       "Checked, unchanged: spec-v1.0.0 drops the field (release table: 'removed version field of "
       "interfaces array', meaning ips) but no sentence forbids extra keys in a result ('must output a "
       "JSON object with the following keys'), hence SHOULD."),
    _r("add.result.ips-configured", S_ADD_SUCCESS, "SHOULD", "0.3.0", None, "interface",
       "Addresses indexed to the container interface are really configured on that link in CNI_NETNS.",
       "The result describes what the attachment assigned; descriptive, hence SHOULD."),

    # ------------------------------------------------------------------ DEL
    _r("del.idempotent", S_DEL, "MUST", "1.0.0", None, "any",
       "Repeating DEL for the same (CNI_CONTAINERID, CNI_IFNAME) succeeds every time.",
       "MUST from 1.0.0. 0.4.0 asked for idempotent DEL with 'should'; see del.tolerates-missing."),
    _r("del.without-add", S_DEL, "MUST", "1.0.0", None, "any",
       "DEL for an attachment that was never added succeeds.",
       "1.0.0+: success is required when the interface or modifications are missing."),
    _r("del.after-failed-add", S_DEL, "SHOULD", "0.3.0", None, "interface",
       "DEL with the parameters of an ADD that failed (its CNI_NETNS did not exist) and no prevResult succeeds.",
       "spec-v1.0.0 Section 3: 'A _delete_ must still be executed even if the _add_ fails', and spec-v1.0.0 "
       "DEL: 'Plugins MUST accept multiple DEL calls for the same (CNI_CONTAINERID, CNI_IFNAME) pair, and "
       "return success if the interface in question, or any modifications added, are missing': MUST from "
       "1.0.0. spec-v0.3.0 to spec-v0.4.0 only have 'Plugins should generally complete a DEL action without "
       "error even if some resources are missing' (and 0.4.0: the runtime 'should execute the DEL action' "
       "after a failed ADD): SHOULD there.",
       changes=(("1.0.0", "MUST"),)),
    _r("del.output.empty", S_DEL, "SHOULD", "0.1.0", None, "any",
       "A successful DEL prints nothing on stdout.",
       "spec-v0.3.0 and spec-v0.3.1 note under an example: 'the DEL action does not return any result'; no "
       "tag words DEL's output otherwise (1.0.0+ Section 5 defines results for ADD and VERSION only, "
       "spec-v1.1.0: 'For certain operations, plugins must output result information'). Only a note "
       "speaks, hence SHOULD at every version. Go skel prints nothing after a successful DEL."),
    _r("del.tolerates-missing", S_DEL, "SHOULD", "0.3.0", None, "any",
       "DEL completes without error when some of the resources ADD made are already gone (e.g. the "
       "interface was removed out of band).",
       "Stated as 'should' since 0.3.0; HEAD calls DEL best-effort."),
    _r("del.netns-gone", S_DEL, "SHOULD", "0.3.0", None, "any",
       "DEL succeeds, and still releases what it can (e.g. IPAM), after the container namespace has "
       "been deleted.",
       "The IPAM/bridge examples under DEL, 'should' since 0.3.0."),
    _r("del.netns-empty", S_DEL, "SHOULD", "0.4.0", None, "any",
       "DEL succeeds with CNI_NETNS unset or empty, cleaning up what it can.",
       "spec-v0.4.0 DEL: 'When CNI_NETNS and/or prevResult are not provided, the plugin should clean up "
       "as many resources as possible ... and return a successful response': SHOULD at 0.4.0. "
       "spec-v1.0.0 DEL lists CNI_NETNS under 'Optional environment parameters'; OPTIONAL is RFC 2119's "
       "MAY, whose definition adds that an implementation 'MUST be prepared to interoperate' with one "
       "that uses the option: MUST from 1.0.0 (was SHOULD). Go skel does not require it for DEL. "
       "Go departure (a failure): sbr 1.1.1 answers DEL with CNI_NETNS='' with code 999 'no such file "
       "or directory'.",
       changes=(("1.0.0", "MUST"),)),
    _r("del.prevresult-absent", S_DEL, "SHOULD", "0.4.0", None, "any",
       "DEL succeeds when the configuration has no prevResult.",
       "0.4.0: without prevResult clean up and succeed; HEAD: still return without error if prevResult "
       "is empty."),
    _r("del.removes-interface", S_DEL, "SHOULD", "0.1.0", None, "interface",
       "After DEL the CNI_IFNAME interface no longer exists in CNI_NETNS.",
       "1.0.0+: DEL should delete the interface or undo the modifications."),
    _r("del.removes-host-resources", S_DEL, "SHOULD", "0.1.0", None, "interface,chained",
       "After DEL the host-side artefacts ADD created for this attachment (host veth, rules, ...) are gone.",
       "0.4.0: release all resources held for the container; 1.0.0+: undo the ADD modifications."),
    _r("del.releases-ipam", S_DEL, "SHOULD", "0.1.0", None, "interface,ipam",
       "After DEL the addresses allocated by ADD are released and can be handed out again.",
       "The DEL examples (IPAM release) since 0.3.0; 0.4.0 asks DEL to release all resources."),
    _r("del.scoped-to-attachment", S_DEL, "SHOULD", "0.4.0", None, "interface,ipam",
       "DEL of one attachment leaves other attachments (same container with another ifname, or other "
       "containers) and their addresses intact.",
       "0.4.0: state keyed by (network name, CNI_CONTAINERID, CNI_IFNAME); 1.0.0+: an attachment is "
       "identified by (CNI_CONTAINERID, CNI_IFNAME)."),

    # ------------------------------------------------------------------ CHECK
    _r("check.after-add-succeeds", S_CHECK, "MUST", "0.4.0", None, "any",
       "CHECK right after a successful ADD, with that ADD's result as prevResult, succeeds.",
       "The CHECK section obliges plugins (must) to cope with CHECK straight after ADD."),
    _r("check.output.empty", S_CHECK, "MUST", "0.4.0", None, "any",
       "A successful CHECK prints nothing on stdout.",
       "spec-v0.4.0 CHECK: 'The plugin must return either nothing or an error.': MUST at 0.4.0 (was "
       "SHOULD). spec-v1.0.0 and later dropped the sentence; only the example says the plugin 'produces "
       "no output on standard out', hence SHOULD from 1.0.0.",
       changes=(("1.0.0", "SHOULD"),)),
    _r("check.detects-missing-interface", S_CHECK, "SHOULD", "0.4.0", None, "interface",
       "CHECK fails when the container interface the plugin created and prevResult lists is gone."),
    _r("check.detects-missing-address", S_CHECK, "SHOULD", "0.4.0", None, "interface",
       "CHECK fails when an address the plugin assigned and prevResult lists was removed."),
    _r("check.detects-missing-route", S_CHECK, "SHOULD", "0.4.0", None, "interface",
       "CHECK fails when a route the plugin created and prevResult lists was removed.",
       "Removal, not addition: later chained plugins may add routes (check.tolerates-later-changes)."),
    _r("check.detects-missing-reservation", S_CHECK, "SHOULD", "0.4.0", None, "ipam",
       "CHECK fails when the IP reservation behind prevResult no longer exists (e.g. after DEL).",
       "IP reservations are among the untracked resources CHECK should verify."),
    _r("check.prevresult-mismatch-fails", S_CHECK, "SHOULD", "0.4.0", None, "interface",
       "CHECK with a prevResult whose container-side address or interface differs from reality fails.",
       "Checked, unchanged: spec-v0.4.0 and spec-v1.0.0 CHECK: 'The plugin should return an error if a "
       "resource included in the CNI Result type ... is listed in prevResult, but is missing or in an "
       "invalid state'. The 'must consult the prevResult' clause is internal (check.uses-prevresult)."),
    _r("check.tolerates-later-changes", S_CHECK, "MUST", "0.4.0", None, "interface",
       "CHECK still succeeds after a later chained plugin added resources (e.g. an extra route in the "
       "container).",
       "The CHECK section says plugins must allow for changes made by later chained plugins."),
    _r("check.uses-prevresult", S_CHECK, "MUST", "0.4.0", None, "any",
       "CHECK derives the expected interfaces and addresses from prevResult.",
       untestable="Internal to the plugin; its observable effects are covered by check.detects-* and "
                  "check.prevresult-mismatch-fails."),
    _r("check.old-version-rejected", S_CHECK, "MUST", "0.1.0", "0.3.1", "any",
       "CHECK with a configuration cniVersion below 0.4.0 fails (the verb does not exist there).",
       "spec-v0.3.1 Parameters: 'CNI_COMMAND: indicates the desired operation; ADD, DEL or VERSION'. At "
       "those versions CHECK is an unknown command, so the level of env.command.unknown-fails, as for "
       "gc.old-version-rejected and status.old-version-rejected: MUST (was SHOULD). Go skel answers code 1 "
       "('config version does not allow CHECK'); code 4 (unknown command) is also acceptable."),
    _r("check.convergence-delay", S_CHECK, "SHOULD", "0.4.0", None, "any",
       "CHECK allows asynchronous resources a reasonable time to converge after ADD.",
       untestable="Timing inside the plugin; a black box sees only the final answer."),
    _r("check.untracked-resources", S_CHECK, "SHOULD", "0.4.0", None, "any",
       "CHECK fails when resources outside the result (firewall rules, traffic shaping, daemons) are "
       "missing or broken.",
       untestable="Which untracked resources a plugin owns is plugin-specific."),
    _r("check.unreachable-condition", S_CHECK, "SHOULD", "0.4.0", None, "any",
       "CHECK fails when the plugin knows the container is generally unreachable.",
       untestable="Depends on what the plugin knows internally."),

    # ------------------------------------------------------------------ chaining / prevResult
    _r("chain.prevresult.handled", S_ADD, "MUST", "0.3.0", None, "chained",
       "ADD with a prevResult succeeds and its output is derived from prevResult (passed through or "
       "modified), never produced as if prevResult were absent.",
       "0.3.x-0.4.0: must handle prevResult, and being unaware of it violates the spec; 1.0.0+: MUST "
       "pass it through or modify it."),
    _r("chain.prevresult.echo", S_ADD_SUCCESS, "MUST", "1.0.0", None, "chained",
       "A plugin that changes nothing visible in a result outputs a result equivalent to prevResult "
       "(in the request's cniVersion).",
       "1.0.0+ must; 0.3.x-0.4.0 see chain.prevresult.echo-legacy."),
    _r("chain.prevresult.echo-legacy", S_ADD_SUCCESS, "SHOULD", "0.3.0", "0.4.0", "chained",
       "At 0.3.x-0.4.0 a plugin should echo prevResult unless it chooses to modify or suppress it.",
       "Suppression was allowed before 1.0.0."),
    _r("chain.prevresult.no-dropping", S_ADD_SUCCESS, "MUST", "1.0.0", None, "chained",
       "The output keeps every interface, ip, route and dns entry of prevResult, changed only where the "
       "plugin changed them.",
       "1.0.0+: output prevResult with the plugin's modifications included; dropping is no longer "
       "allowed (it was before 1.0.0)."),
    _r("chain.prevresult.indexes-stable", S_ADD_SUCCESS, "SHOULD", "0.3.0", None, "chained",
       "Interfaces appended by a chained plugin do not disturb the order, so existing "
       "ips[].interface indexes still point at the same interfaces.",
       "Derived from the index semantics; not stated, hence SHOULD."),
    _r("chain.prevresult.del-accepted", S_DEL, "SHOULD", "0.4.0", None, "any",
       "DEL with the final ADD result as prevResult succeeds.",
       "From 0.4.0 runtimes pass prevResult on DEL; a plugin has to accept it."),
    _r("chain.conventions.chained-mode", C_CHAINED, "SHOULD", "0.4.0", None, "interface",
       "Plugins indifferent to the interface type should also work chained, configuring an existing "
       "interface, and may create one when not chained.",
       "Added to CONVENTIONS.md between spec-v0.3.1 and spec-v0.4.0.",
       untestable="Whether a plugin is indifferent to the interface type is a design property the "
                  "harness cannot infer."),
    _r("cap.runtimeconfig.optional", S_RUNTIMECONFIG, "SHOULD", "0.3.0", None, "any",
       "A plugin that declares a capability still works when the runtime supplies no runtimeConfig "
       "value for it (key absent or runtimeConfig absent).",
       "Runtimes insert only capabilities they provide; coping with absence is implied."),

    # ------------------------------------------------------------------ delegation (Section 4)
    _r("delegate.add.invoked", S_DELEG, "MUST", "0.1.0", None, "interface",
       "An interface plugin configured with an ipam section runs that IPAM plugin on ADD and applies "
       "what it returns.",
       "spec-v0.1.0 to spec-v1.1.0 Section 4: 'It is however the responsibility of the CNI plugin, "
       "rather than the runtime, to invoke the IPAM plugin at the proper moment in its execution.' The "
       "normative 'is the responsibility', so MUST (was SHOULD)."),
    _r("delegate.env.same", S_DELEG_PROTO, "MUST", "0.1.0", None, "interface",
       "The delegated plugin receives the same environment variables the calling plugin received.",
       "Descriptive in 0.1.0-0.3.1, 'must receive' from 0.4.0."),
    _r("delegate.config.same", S_DELEG_EXEC, "MUST", "0.1.0", None, "interface",
       "The delegated plugin receives the complete configuration the calling plugin got on stdin, not "
       "only the ipam section.",
       "spec-v1.0.0 Delegated Plugin protocol: 'Delegated plugins are provided the complete network "
       "configuration passed to the \"upper\" plugin. In other words, in the IPAM case, not just the ipam "
       "section'; spec-v0.1.0 to 0.4.0: 'IPAM receives the network configuration file via stdin'. A "
       "definition, so MUST (was SHOULD; the execution procedure's 'should' repeats it). Go passes the "
       "stdin bytes through."),
    _r("delegate.lookup.cni-path", S_DELEG_EXEC, "MUST", "0.1.0", None, "interface",
       "The delegated binary is found by searching every directory of CNI_PATH (':'-separated on "
       "Linux), not only the first.",
       "spec-v0.1.0 to spec-v1.1.0 Section 4: 'The executable is searched for in a predefined list of "
       "paths, indicated to the CNI plugin via CNI_PATH.' A definition, so MUST (was SHOULD; spec-v1.0.0 "
       "procedure's 'should ... search the directories provided in CNI_PATH' repeats it)."),
    _r("delegate.stderr.forwarded", S_DELEG_EXEC, "SHOULD", "1.0.0", None, "interface",
       "Whatever the delegated plugin writes to stderr appears on the calling plugin's stderr."),
    _r("delegate.result.reflected", S_ADD_SUCCESS, "SHOULD", "0.1.0", None, "interface",
       "The ips, routes and dns the IPAM plugin returned appear in the caller's result, with interface "
       "indexes filled in.",
       "0.1.0: should be the same output as the IPAM plugin's; 0.3.x-0.4.0: same except the indexes."),
    _r("delegate.del.invoked", S_DELEG_EXEC, "MUST", "1.0.0", None, "interface",
       "On DEL the plugin also runs DEL on its delegated (IPAM) plugin.",
       "Section 4 must from 1.0.0; earlier the DEL examples only said 'should delegate'."),
    _r("delegate.check.invoked", S_CHECK, "SHOULD", "0.4.0", None, "interface",
       "On CHECK the plugin also runs CHECK on its delegated (IPAM) plugin.",
       "spec-v0.4.0 CHECK: 'The plugin should call CHECK on any delegated (e.g. IPAM) plugins', so SHOULD "
       "at 0.4.0. From spec-v1.0.0 Section 4 adds 'If a plugin is executed with CNI_COMMAND=CHECK or DEL, "
       "it must also execute any delegated plugins': the CHECK section still says should, but a must that "
       "names the plugin is its word, so MUST from 1.0.0 (was SHOULD). Go plugins call ipam.ExecCheck.",
       changes=(("1.0.0", "MUST"),)),
    _r("delegate.gc.invoked", S_GC, "MUST", "1.1.0", None, "interface",
       "On GC the plugin forwards the GC request to the delegated plugins it is configured with.",
       GO_NO_GC_FORWARD + " A departure that fails (Go plugins 1.1.1 speak at most 1.0.0, so GC does not apply to them)."),
    _r("delegate.status.invoked", S_STATUS, "MUST", "1.1.0", None, "interface",
       "A plugin relying on a delegated (IPAM) plugin for ADD runs STATUS on it when asked for STATUS.",
       "Go main plugins with IPAM do call ipam.ExecStatus."),
    _r("delegate.error.propagated", S_DELEG_EXEC, "SHOULD", "1.0.0", None, "interface",
       "If the delegated plugin fails a CHECK, DEL or GC, the calling plugin reports an error too.",
       "Checked, unchanged: spec-v1.0.0 Section 4: 'If any of the delegated plugins return error, error "
       "should be returned by the upper plugin.' Test with CHECK: for DEL this pulls against "
       "best-effort DEL."),
    _r("delegate.status.error-propagated", S_STATUS, "SHOULD", "1.1.0", None, "interface",
       "If the delegated plugin's STATUS fails, the calling plugin's STATUS fails as well."),
    _r("delegate.add.failure-cleanup", S_DELEG_EXEC, "SHOULD", "1.0.0", None, "interface",
       "When the delegated plugin's ADD fails, the caller runs DEL on it before reporting the failure.",
       "Go departure: bridge (and peers) return straight away when ipam.ExecAdd fails; they only call "
       "IPAM DEL when a later step fails."),

    # ------------------------------------------------------------------ IPAM results
    _r("ipam.result.shape", S_IPAM_RESULT, "MUST", "0.3.0", None, "ipam",
       "An IPAM ADD result has an ips list (address in CIDR form, optional gateway) and optional routes "
       "and dns.",
       "Before 0.3.0 see add.result.legacy-shape."),
    _r("ipam.result.abbreviated", S_IPAM_RESULT, "MUST", "1.0.0", None, "ipam",
       "From 1.0.0 an IPAM result has no interfaces list and no ips[].interface.",
       "MUST from 1.0.0; see ipam.result.no-interfaces for 0.3.x-0.4.0."),
    _r("ipam.result.no-interfaces", S_IPAM_RESULT, "SHOULD", "0.3.0", "0.4.0", "ipam",
       "At 0.3.x-0.4.0 an IPAM result should leave out interfaces and ips[].interface.",
       "0.3.x describes the abbreviated result; 0.4.0 says should. The dhcp plugin was named as an "
       "exception for interfaces it needs."),
    _r("ipam.determines-ip", S_DELEG, "SHOULD", "0.1.0", None, "ipam",
       "A successful IPAM ADD returns at least one address for the interface.",
       "spec-v0.1.0 to 0.3.1 Section 4: 'The IPAM plugin is expected to determine the interface "
       "IP/subnet ...': SHOULD. spec-v0.4.0 and later: 'The IPAM plugin must determine the interface "
       "IP/subnet, Gateway and Routes and return this information': MUST from 0.4.0 (was SHOULD).",
       changes=(("0.4.0", "MUST"),)),

    # ------------------------------------------------------------------ routes
    _r("route.result.shape", S_ADD_SUCCESS, "MUST", "0.3.0", None, "interface,ipam,chained",
       "Each routes entry has dst in CIDR form and, when present, gw as a plain IP.",
       "Before 0.3.0 routes lived inside ip4/ip6 (add.result.legacy-shape)."),
    _r("route.result.same-family", S_ADD_SUCCESS, "MUST", "0.3.0", "0.4.0", "interface,ipam,chained",
       "At 0.3.x-0.4.0 dst and gw of one route entry belong to the same IP family.",
       "Sentence dropped in 1.0.0."),
    _r("route.result.extended-fields", S_ADD_SUCCESS, "MUST", "1.1.0", None, "interface,ipam,chained",
       "Every mtu, advmss, priority, table and scope a route entry gives is a non-negative integer.",
       "spec-v1.1.0 Section 5 routes: 'mtu (uint)', 'advmss (uint)', 'priority (uint)', 'table (uint)', "
       "'scope (uint)'. Giving them is up to the plugin (no rule); a value that is given is typed by the "
       "definition, so MUST (was MAY, mixed with presence). scope is named as 0 global, 253 link, 254 "
       "host but other kernel values exist."),
    _r("route.result.extended-fields-kernel", S_ADD_SUCCESS, "MUST", "1.1.0", None, "interface",
       "Every table, priority, mtu, advmss and scope a route entry of the result gives is that of the route "
       "installed in CNI_NETNS.",
       "spec-v1.1.0 Section 5: 'routes: Routes created by this attachment' with 'table (uint): The table to "
       "add the route to', 'priority (uint): The priority of route', 'mtu (uint): The MTU ... along the path "
       "to the destination', 'advmss (uint)', 'scope (uint): The scope of the destinations covered by the "
       "route prefix'. A value that is not the created route's is wrong, as for add.result.interface-mtu: "
       "MUST. Only fields the plugin gives are judged; a route not found at all is route.installed (SHOULD). "
       "0 reads as the kernel's default (table 0 is main; mtu/advmss 0 unset; IPv6 priority 0 is 1024)."),
    _r("route.installed", S_ADD_SUCCESS, "SHOULD", "0.3.0", None, "interface",
       "Routes in the result that target the container interface exist in CNI_NETNS after ADD.",
       "1.0.0+: routes created by this attachment; descriptive, hence SHOULD."),
    _r("route.metric-zero", S_ADD_SUCCESS, "SHOULD", "0.1.0", "0.4.0", "interface",
       "At 0.1.0-0.4.0 routes are installed with metric 0.",
       "Stated as an expectation in the IPAM notes; dropped in 1.0.0. Linux gives "
       "IPv6 routes added with metric 0 the metric 1024, so check IPv4 only."),
    _r("route.default-skip", S_ADD_SUCCESS, "SHOULD", "0.1.0", "0.4.0", "interface",
       "At 0.1.0-0.4.0 an ADD whose default route already exists in the container (from another "
       "network) does not fail on it.",
       "The IPAM notes ask plugins (should) to cope with an existing default route; dropped in 1.0.0."),
    _r("route.relevant-to-ifname", S_ADD_SUCCESS, "SHOULD", "0.4.0", "0.4.0", "interface",
       "At 0.4.0 each route in the result concerns the CNI_IFNAME interface.",
       "Written with a lower-case must, but 'relevant' is undefined; weaker kept. 0.4.0 only.",
       untestable="'Relevant' is not defined precisely enough to check."),

    # ------------------------------------------------------------------ DNS
    _r("dns.result.shape", S_ADD_SUCCESS, "MUST", "0.1.0", None, "any",
       "A result's dns, when present, is an object whose optional nameservers, search and options are "
       "lists of strings and whose optional domain is a string."),
    _r("dns.result.nameservers-ip", S_ADD_SUCCESS, "MUST", "0.1.0", None, "any",
       "Every dns.nameservers entry is an IPv4 or IPv6 address literal."),

    # ------------------------------------------------------------------ GC (1.1.0)
    _r("gc.succeeds", S_GC, "SHOULD", "1.1.0", None, "any",
       "GC with a list of valid attachments completes with exit 0.",
       "The GC section says GC should normally finish without error. " + GO_GC_STATUS_NOOP),
    _r("gc.output.empty", S_GC, "MUST", "1.1.0", None, "any",
       "A successful GC prints nothing on stdout.",
       "spec-v1.1.0 GC: 'Output: No output on success, \"error\" result structure on error.' defines "
       "the output of the verb, so MUST (was SHOULD)."),
    _r("gc.env.minimal", S_GC, "MUST", "1.1.0", None, "any",
       "GC works with only CNI_COMMAND and CNI_PATH set; no container id, netns or ifname is needed.",
       "GC has no attachment parameters; the required list names only those two. Go skel agrees."),
    _r("gc.input.valid-attachments", S_GC, "MAY", "1.1.0", None, "any",
       "The plugin reads the still-valid attachments (containerID, ifname pairs) from "
       "cni.dev/valid-attachments in the GC configuration.",
       "The spec-v1.1.0 tag names the key cni.dev/attachments (judged by gc.input.attachments-key); HEAD "
       "renamed it cni.dev/valid-attachments, which Go libcni and pkg/types use (libcni at HEAD sends both). "
       "A plugin that follows the released text and reads only cni.dev/attachments breaks no word of "
       "spec-v1.1.0, so reading the renamed key is informational (MAY); the harness sends both keys elsewhere."),
    _r("gc.input.attachments-key", S_GC, "MUST", "1.1.0", None, "interface,ipam",
       "With only cni.dev/attachments (the key the spec-v1.1.0 tag names) listing an attachment, GC leaves "
       "that attachment's resources in place.",
       "spec-v1.1.0 GC Input: 'It contains an additional key; cni.dev/attachments (array of objects): The "
       "list of **still valid** attachments to this network' and 'The network plugin may then remove any "
       "resources related to attachments that do not exist in this set': a listed attachment is outside the "
       "permission, so MUST as gc.keeps-valid. HEAD renamed the key cni.dev/valid-attachments "
       "(gc.input.valid-attachments); a 1.1.0 plugin that reads only the new key fails here."),
    _r("gc.keeps-valid", S_GC, "MUST", "1.1.0", None, "interface,ipam",
       "GC leaves the resources (e.g. IP reservations) of every listed attachment in place.",
       "The permission to remove covers only attachments missing from the set; removing a valid one "
       "is not allowed. Implied, judged MUST."),
    _r("gc.releases-stale", S_GC, "SHOULD", "1.1.0", None, "interface,ipam",
       "GC releases resources (e.g. IP reservations) of attachments absent from the valid list.",
       "Go departure: host-local implements no GC, so stale reservations survive; report as known."),
    _r("gc.continue-on-error", S_GC, "SHOULD", "1.1.0", None, "any",
       "On an error GC keeps removing what it can and then reports the errors.",
       untestable="Needs partial internal failures the harness cannot inject into a black box."),
    _r("gc.may-assume-netns-gone", S_GC, "MAY", "1.1.0", None, "any",
       "GC may assume the containers' namespaces, and the interfaces in them, are already gone.",
       "Tests must not expect GC to delete interfaces inside namespaces.",
       untestable="It is a permission: no plugin behaviour can violate it."),
    _r("gc.old-version-rejected", S_GC, "MUST", "0.1.0", "1.0.0", "any",
       "GC with a configuration cniVersion below 1.1.0 fails (the verb does not exist there).",
       "spec-v1.0.0 Parameters: 'CNI_COMMAND: indicates the desired operation; ADD, DEL, CHECK, or "
       "VERSION'. At those versions GC is an unknown command, so the level of env.command.unknown-fails: "
       "MUST (was SHOULD). Go skel answers code 1."),

    # ------------------------------------------------------------------ STATUS (1.1.0)
    _r("status.ready-succeeds", S_STATUS, "MUST", "1.1.0", None, "any",
       "STATUS exits 0 when the plugin is able to serve ADD.",
       GO_GC_STATUS_NOOP),
    _r("status.env.minimal", S_STATUS, "MUST", "1.1.0", None, "any",
       "STATUS works without CNI_CONTAINERID, CNI_NETNS and CNI_IFNAME.",
       "Only CNI_PATH is listed (as optional). " + GO_CNI_PATH),
    _r("status.not-ready-fails", S_STATUS, "MUST", "1.1.0", None, "any",
       "When the plugin knows it cannot serve ADD, STATUS exits non-zero with an error object on stdout.",
       untestable="A black box cannot in general be put into a not-ready state; status.exhausted-fails "
                  "covers the one case the harness can provoke."),
    _r("status.exhausted-fails", S_STATUS, "SHOULD", "1.1.0", None, "interface,ipam",
       "STATUS fails once the plugin's resources (e.g. its address pool) are exhausted.",
       "Go departure: host-local has no STATUS, so it answers success even with an empty pool."),
    _r("status.not-relied-upon", S_STATUS, "MUST", "1.1.0", None, "any",
       "ADD, DEL and CHECK work without any prior STATUS call."),
    _r("status.other-ops-after-error", S_STATUS, "SHOULD", "1.1.0", None, "interface,ipam",
       "After a failed STATUS the plugin still accepts DEL, and ADD once it can serve it again; STATUS "
       "itself refuses nothing.",
       "spec-v1.1.0 STATUS: 'Plugins should always expect other CNI operations (like ADD, DEL, etc) even if "
       "STATUS returns an error. STATUS does not prevent other runtime requests.': SHOULD. That a runtime "
       "should not ADD after a failed STATUS binds the runtime, not the plugin. Tested where the harness can "
       "make STATUS fail, an exhausted one-address pool (status.exhausted-fails): then DEL frees the address "
       "and the next ADD takes it."),
    _r("status.output.empty", S_STATUS, "SHOULD", "1.1.0", None, "any",
       "A successful STATUS prints nothing on stdout.",
       "spec-v1.1.0 STATUS: 'A plugin must exit with a zero (success) return code if the plugin is ready to "
       "service ADD requests' names no output on success (unlike GC's 'Output: No output on success'), and "
       "Section 5 defines results for ADD and VERSION only. Nothing words it, hence SHOULD."),
    _r("status.old-version-rejected", S_STATUS, "MUST", "0.1.0", "1.0.0", "any",
       "STATUS with a configuration cniVersion below 1.1.0 fails (the verb does not exist there).",
       "spec-v1.0.0 Parameters: 'CNI_COMMAND: indicates the desired operation; ADD, DEL, CHECK, or "
       "VERSION'. At those versions STATUS is an unknown command, so the level of "
       "env.command.unknown-fails: MUST (was SHOULD). Go skel answers code 1."),

    # ------------------------------------------------------------------ lifecycle
    _r("lifecycle.concurrent-containers", S_LIFECYCLE, "MUST", "1.0.0", None, "any",
       "Concurrent operations for different containers all succeed without clashing (e.g. no address "
       "handed out twice): plugins lock shared state.",
       "1.0.0+ must; 0.4.0 only allowed runtimes to run them in parallel."),
    _r("lifecycle.state-key", S_LIFECYCLE, "SHOULD", "0.4.0", None, "interface,ipam",
       "Stored state is keyed by network name, container id and ifname, so the same container and "
       "ifname on two networks are independent.",
       "Explicit only at 0.4.0; 1.0.0+ identify an attachment by (CNI_CONTAINERID, CNI_IFNAME) within "
       "one network."),
    _r("lifecycle.no-double-add", S_ADD, "SHOULD", "0.4.0", None, "any",
       "Runtimes do not ADD the same (container id, ifname) twice without a DEL between; plugins may "
       "rely on it.",
       "0.4.0 must not, 1.0.0+ should not; weaker kept. Tests must not issue such a double ADD.",
       untestable="Binds the runtime; a plugin black box cannot violate it."),
    _r("lifecycle.no-parallel-same-container", S_LIFECYCLE, "MUST", "0.4.0", None, "any",
       "Runtimes never run operations for one container in parallel; plugins may rely on it.",
       "Tests must serialise operations per container.",
       untestable="Binds the runtime; a plugin black box cannot violate it."),
    _r("lifecycle.gc-exclusive", S_LIFECYCLE, "MUST", "1.1.0", None, "any",
       "Runtimes never run GC while an ADD or DEL is in progress; plugins may rely on it.",
       untestable="Binds the runtime; a plugin black box cannot violate it."),
    _r("lifecycle.check-only-after-add", S_CHECK, "MUST", "0.4.0", None, "any",
       "Runtimes call CHECK only for containers added and not yet deleted, with prevResult set; "
       "plugins may rely on it.",
       untestable="Binds the runtime; a plugin black box cannot violate it."),
    _r("lifecycle.runtime-netns", S_OVERVIEW, "MUST", "1.0.0", None, "any",
       "Runtimes execute plugins in the runtime's own network domain (the host namespace), distinct "
       "from CNI_NETNS; plugins may rely on it.",
       GO_CODE_8,
       untestable="Binds the runtime; a plugin black box cannot violate it."),
    _r("lifecycle.config-stable", S_LIFECYCLE, "SHOULD", "1.0.0", None, "any",
       "The network configuration does not change between ADD and DEL of an attachment; plugins may "
       "rely on it.",
       untestable="Binds the runtime; a plugin black box cannot violate it."),

    # ------------------------------------------------------------------ conventions: capabilities
    _r("cap.port-mappings", C_CAPS, "MAY", "0.3.0", None, "chained",
       "A plugin declaring portMappings applies runtimeConfig.portMappings, a list of {hostPort, "
       "containerPort, protocol} entries, as host-to-container port forwards.",
       "Conventions are opt-in (authors should support them where sensible, a vague ask): MAY. Listed since the "
       "first CONVENTIONS.md (0.3.0)."),
    _r("cap.ip-ranges", C_CAPS, "MAY", "0.4.0", None, "ipam",
       "A plugin declaring ipRanges allocates from runtimeConfig.ipRanges, a list of range sets shaped "
       "like host-local's ranges.",
       "Opt-in convention; listed from 0.4.0."),
    _r("cap.bandwidth", C_CAPS, "MAY", "0.4.0", None, "chained",
       "A plugin declaring bandwidth applies runtimeConfig.bandwidth (ingress/egress rate in bit/s and "
       "burst in bits) to the interface.",
       "Opt-in convention; listed from 0.4.0."),
    _r("cap.dns", C_CAPS, "MAY", "0.4.0", None, "any",
       "A plugin declaring dns takes runtimeConfig.dns with servers, searches and options lists.",
       "Opt-in convention; listed from 0.4.0 (implemented by Windows plugins).",
       untestable="The convention defines only the input; what the plugin does with it is not "
                  "specified, so there is nothing to observe."),
    _r("cap.ips", C_CAPS, "MAY", "1.0.0", None, "ipam",
       "A plugin declaring ips assigns exactly the addresses in runtimeConfig.ips (IP with optional "
       "prefix length).",
       "Opt-in convention; listed from 1.0.0. The plugin may insist on a prefix length."),
    _r("cap.mac", C_CAPS, "MAY", "1.0.0", None, "interface,chained",
       "A plugin declaring mac sets the container interface's hardware address to runtimeConfig.mac.",
       "Opt-in convention; listed from 1.0.0."),
    _r("cap.infiniband-guid", C_CAPS, "MAY", "1.0.0", None, "interface",
       "A plugin declaring infinibandGUID assigns runtimeConfig.infinibandGUID to the interface.",
       untestable="Needs InfiniBand hardware."),
    _r("cap.device-id", C_CAPS, "MAY", "1.0.0", None, "interface",
       "A plugin declaring deviceID uses runtimeConfig.deviceID (e.g. a PCI address) to pick the device.",
       untestable="Needs a real device to hand over; the harness has none."),
    _r("cap.aliases", C_CAPS, "MAY", "1.0.0", None, "any",
       "A plugin declaring aliases maps the names in runtimeConfig.aliases to the container's addresses.",
       untestable="The effect is name resolution seen by other containers, which the convention does "
                  "not define."),
    _r("cap.cgroup-path", C_CAPS, "MAY", "1.1.0", None, "any",
       "A plugin declaring cgroupPath receives the pod cgroup path in runtimeConfig.cgroupPath.",
       untestable="The convention defines only the input, no observable effect."),

    # ------------------------------------------------------------------ conventions: args / CNI_ARGS
    _r("args.cni-args.ip", C_CNI_ARGS, "MAY", "0.3.0", None, "ipam",
       "An IPAM plugin supporting it hands out the address requested by CNI_ARGS IP=<ip>[/<prefix>].",
       "Opt-in convention. CONVENTIONS.md calls CNI_ARGS deprecated in favour of args."),
    _r("args.cni.ips", C_ARGS, "MAY", "0.4.0", None, "ipam",
       "An IPAM plugin supporting it hands out the addresses listed in args.cni.ips.",
       "Opt-in convention; listed from 0.4.0."),
    _r("args.precedence", C_CNI_ARGS, "SHOULD", "0.4.0", None, "ipam",
       "When the same request arrives both in args (e.g. args.cni.ips) and in CNI_ARGS (e.g. IP) and "
       "the plugin understands args, the CNI_ARGS value is ignored.",
       "A lower-case must in CONVENTIONS.md (added between spec-v0.3.1 and spec-v0.4.0), a conventions "
       "document rather than SPEC.md, so judged SHOULD. Go departure: host-local 1.1.1 merges CNI_ARGS IP "
       "with args.cni.ips and then fails to allocate both. Only applies to plugins that support both."),
    # ------------------------------------------------------------------ the harness's own
    _r(SANDBOX_RULE, S_SANDBOX, "MUST", "0.1.0", None, "any",
       "A plugin call changes nothing on the machine outside the namespaces and directories the test gave it "
       "(links, addresses, routes, packet filter rules and mounts of the machine's own namespaces).",
       "Not a spec sentence: the harness's promise to the machine it runs on. The spec has plugins act on "
       "CNI_NETNS and the runtime's namespace, never on anything else; a test that changed the machine "
       "fails under this rule alone, and the changes it made are listed and undone where possible."),
)


def _build(catalog: tuple[Rule, ...]) -> Mapping[str, Rule]:
    out: dict[str, Rule] = {}
    for rule in catalog:
        if rule.id in out:
            raise ValueError(f"duplicate rule id {rule.id!r}")
        out[rule.id] = rule
    return MappingProxyType(out)


RULES: Mapping[str, Rule] = _build(_CATALOG)
"""id -> Rule, in catalog order."""


def get(rule_id: str) -> Rule:
    """The rule with this id; KeyError naming close ids when there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        pass
    close = difflib.get_close_matches(rule_id, list(RULES), n=5, cutoff=0.6)
    area = rule_id.split(".", 1)[0]
    for rid in RULES:
        if len(close) >= 5:
            break
        if rid.split(".", 1)[0] == area and rid not in close:
            close.append(rid)
    if close:
        hint = "close matches: " + ", ".join(close)
    else:
        areas = sorted({r.area for r in RULES.values()})
        hint = "no close match; known areas: " + ", ".join(areas)
    raise KeyError(f"unknown rule id {rule_id!r}; {hint}")


def applies(rule: Rule, version: str, kind: str | None = None) -> bool:
    """Whether `rule` binds a plugin of `kind` speaking spec `version`.

    kind None ignores kinds.  kind "interface"/"ipam"/"chained" matches rules for that kind and
    rules for "any".  kind "any" stands for a plugin of unknown kind and matches only rules that
    bind every kind.  Raises ValueError for a malformed version or an unknown kind.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown plugin kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not versions.at_least(version, rule.since):
        return False
    if rule.until is not None and not versions.at_least(rule.until, version):
        return False
    if kind is None or "any" in rule.kinds:
        return True
    return kind in rule.kinds


def testable() -> list[Rule]:
    """Rules a black-box test can observe, in catalog order."""
    return [r for r in RULES.values() if r.testable]


def select(version: str, kind: str | None = None, *, only_testable: bool = True) -> list[Rule]:
    """Rules that apply at `version` for `kind`, in catalog order."""
    return [r for r in RULES.values() if (r.testable or not only_testable) and applies(r, version, kind)]

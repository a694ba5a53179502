"""cnitest: a conformance and test harness for CNI plugins.

A library first, with a thin pytest plugin on top (cnitest.plugin). The path of
one check: a profile or --cni-config gives a template (profiles, config); the
runner executes the plugin inside a sandbox namespace (runner, netns); the
answer is validated against the schema of the requested spec version (schemas,
versions) and cross-checked against the kernel (checks); each test names the
spec rule it checks (rules), and the report collects outcomes per rule and
version (report).
"""

"""The bundled conformance suites, one module per spec area.

Installed with the package as `cnitest.suites`; `pytest --cni-plugin=X` with no
test paths collects them from here.
"""

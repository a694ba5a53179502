"""host-local whose result names a nameserver by host name and gives search as a string
(dns.result.nameservers-ip, dns.result.shape)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: r.update(dns={"nameservers": ["ns1.cnitest.example"], "search": "cnitest.example"}))

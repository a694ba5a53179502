"""host-local whose result names a nameserver by host name and gives search as a string
(dns.result.nameservers-ip, dns.result.shape)."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_dns_routes.py", "1.0.0", "test_dns_nameservers_are_addresses"),
    faults.caught("host-local", "test_dns_routes.py", "1.0.0", "test_dns_shape"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: r.update(dns={"nameservers": ["ns1.cnitest.example"], "search": "cnitest.example"}))

"""ADD result carries another cniVersion than the request."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_result_cniversion_is_the_requested_one"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    want = faults.config(stdin).get("cniVersion")
    return faults.edit_result(code, stdout, lambda r: r.update(cniVersion="0.3.1" if want != "0.3.1" else "0.4.0"))

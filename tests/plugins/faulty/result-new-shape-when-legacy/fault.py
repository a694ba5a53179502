"""ADD at 0.1.0/0.2.0 answers in the 1.0.0 layout (interfaces/ips), labelled with the old version."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "0.2.0", "test_legacy_result_shape"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    if faults.verb(env) == "ADD" and faults.version_key(conf.get("cniVersion")) < (0, 3, 0):
        env["FAULTY_ASKED"] = conf["cniVersion"]
        conf["cniVersion"] = "1.0.0"
        stdin = json.dumps(conf).encode()
    return env, stdin


def after(env, stdin, code, stdout):
    if "FAULTY_ASKED" not in env:
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: r.update(cniVersion=env["FAULTY_ASKED"]))

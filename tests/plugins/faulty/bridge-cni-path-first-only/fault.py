"""bridge that looks for its IPAM plugin in the first CNI_PATH directory only (delegate.lookup.cni-path)."""


def before(env, stdin):
    if env.get("CNI_PATH"):
        env = dict(env, CNI_PATH=env["CNI_PATH"].split(":")[0])
    return env, stdin

"""tuning whose DEL restores nothing (profile check tuning.mtu after DEL)."""


def replace(env, stdin):
    import subprocess

    if env.get("CNI_COMMAND") == "DEL":
        return 0, b""
    done = subprocess.run(["/usr/lib/cni/tuning"], input=stdin, env=env, stdout=subprocess.PIPE)
    return done.returncode, done.stdout

"""The reference (1.1.0) host-local whose GC exits 0 but releases nothing (gc.releases-stale)."""

from pathlib import Path

REAL_PLUGIN_DIR = str(Path(__file__).resolve().parents[4] / "reference_plugins" / "bin")


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "GC":
        return 0, b""
    import subprocess

    done = subprocess.run([str(Path(REAL_PLUGIN_DIR) / "host-local")], input=stdin, env=env, stdout=subprocess.PIPE)
    return done.returncode, done.stdout

"""JSON loads/dumps on the C accelerator ``_json`` alone.

``import json`` pulls in ``re`` (and with it enum, functools, collections): ~8 ms,
a third of a host-local run.  The C scanner/encoder need none of that.  Falls
back to the ``json`` module when ``_json`` is unavailable."""

try:
    import _json
except ImportError:  # pragma: no cover - other interpreters
    _json = None

_WS = " \t\n\r"


class _Ctx:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = None
    memo = None

    def __init__(self):
        def const(name):
            return {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}[name]
        self.parse_constant = const
        self.memo = {}


def loads(s):
    """Like json.loads (str or bytes); raises ValueError on bad input."""
    if _json is None:
        import json
        return json.loads(s)
    if isinstance(s, (bytes, bytearray)):
        s = bytes(s).decode("utf-8-sig")
    elif s.startswith("\ufeff"):
        raise ValueError("Unexpected UTF-8 BOM")
    scan = _json.make_scanner(_Ctx())
    i, n = 0, len(s)
    while i < n and s[i] in _WS:
        i += 1
    try:
        obj, end = scan(s, i)
    except StopIteration as e:
        raise ValueError("Expecting value at char %d" % e.value) from None
    except Exception:
        # _json builds its error lazily from json.decoder, which can fail in a
        # minimal interpreter; let the real module produce the readable message.
        import json
        return json.loads(s)
    while end < n and s[end] in _WS:
        end += 1
    if end != n:
        raise ValueError("Extra data at char %d" % end)
    return obj


def _default(o):
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def dumps(obj):
    if _json is None:
        import json
        return json.dumps(obj)
    enc = _json.make_encoder(None, _default, _json.encode_basestring_ascii, None,
                             ": ", ", ", False, False, True)
    return "".join(enc(obj, 0))

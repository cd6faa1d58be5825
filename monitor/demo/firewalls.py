"""Firewall answers of the demo sites, in place of the page asked for.

- 瑞数 (``ruishu``): HTTP 412, an obfuscated ``$_ts`` script that sets a cookie and reloads, and a cookie;
- WZWS (``wzws``): a 302 to ``/WZWSREL<base64 of the path>``, where a script page computes ``wzwschallenge``
  and posts it back;
- 加速乐 (``jiasule``): HTTP 521, a ``__jsluid_h`` cookie and a script that builds ``__jsl_clearance`` and reloads.

These firewalls never let the monitor through, not even its Chromium: the server ignores the cookies, and each
script tries once (it stops when its cookie is already set), so a browser settles on the challenge page
instead of reloading forever. Each answer is derived from the path alone: the same request, the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import random
import string
from html import escape

__all__ = ["WZWS_PREFIX", "challenge"]

WZWS_PREFIX = "/WZWSREL"
Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


def ruishu_412(path: str) -> tuple[str, str]:
    """(body, cookie) of a 瑞数-style HTTP 412 answer: obfuscated ``$_ts`` script, one reload with its cookie."""
    rng = random.Random(f"412{path}")
    alphabet = string.ascii_letters + string.digits + "._"
    blob = "".join(rng.choice(alphabet) for _ in range(600))
    names = ["_$" + "".join(rng.choice(string.ascii_letters) for _ in range(2)) for _ in range(6)]
    code = (f"(function(){{var {names[0]}=window,{names[1]}={names[0]}['$_ts'],{names[2]}=0;"
            f"function {names[3]}({names[4]}){{return {names[4]}.charCodeAt({names[2]}++)^{rng.randint(10, 99)};}}"
            f"for(var {names[5]}=0;{names[5]}<{names[1]}.cd.length;{names[5]}++){{{names[3]}({names[1]}.cd);}}"
            f"if(document.cookie.indexOf('FSSBBIl1UgzbN7N80T=')<0){{"
            f"document.cookie='FSSBBIl1UgzbN7N80T='+{names[1]}.nsd+';path=/';location.reload();}}}})();")
    body = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="Pragma" content="no-cache"><meta http-equiv="Cache-Control" content="no-cache">
<meta http-equiv="Expires" content="0">
<meta id="{escape(blob[:22])}" content="{escape(blob[22:300])}" r="m">
<script type="text/javascript" r="m">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={{}};$_ts.nsd={rng.randint(10000, 99999)};$_ts.cd="{blob[300:]}";</script>
<script type="text/javascript" r="m">{code}</script>
</head><body></body></html>
"""
    cookie = f"FSSBBIl1UgzbN7N80S={blob[40:104]}; Path=/; HttpOnly"
    return body, cookie


def wzws_location(path: str) -> str:
    """Where WZWS sends a request for ``path``: the path, base64-encoded, behind ``/WZWSREL``."""
    token = base64.b64encode(path.encode("utf-8")).decode("ascii")
    return f"{WZWS_PREFIX}{token}?wzwsrandom={hashlib.md5(path.encode('utf-8')).hexdigest()[:16]}"


def wzws_page(path: str) -> str:
    """The script page at ``/WZWSREL...``: it computes ``wzwschallenge`` and posts it back (once, with its
    ``wzws_cid`` cookie); no text to read."""
    rng = random.Random(f"wzws{path}")
    question = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))
    factor = rng.randint(1000, 9999)
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="Cache-Control" content="no-cache, no-store, must-revalidate">
<script type="text/javascript">
var dynamicurl="{escape(path)}";var wzwsquestion="{question}";var wzwsfactor="{factor}";var wzwsmethod="post";var wzwsparams="";
function HXXTTKKLLPPP5(){{if(document.cookie.indexOf("wzws_cid=")>=0){{return;}}
document.cookie="wzws_cid={question[:16]}; path=/";var x3=0;for(var i=0;i<wzwsquestion.length;i++){{x3+=wzwsquestion.charCodeAt(i);}}
x3*=wzwsfactor;x3+=111111;var wzwschallenge="WZWS_CONFIRM_PREFIX_LABEL"+x3;
var f=document.createElement("form");f.method=wzwsmethod;f.action=dynamicurl;
var i1=document.createElement("input");i1.type="hidden";i1.name="wzwschallenge";i1.value=btoa(wzwschallenge);
f.appendChild(i1);document.body.appendChild(f);f.submit();}}
</script></head>
<body><noscript>请开启JavaScript并刷新该页。</noscript><script type="text/javascript">HXXTTKKLLPPP5();</script></body></html>
"""


def jiasule_521(path: str) -> tuple[str, str]:
    """(body, cookie) of a 加速乐 HTTP 521 answer: the clearance cookie spelt out piece by piece, then a reload."""
    rng = random.Random(f"521{path}")
    clearance = f"{rng.randint(1_700_000_000, 1_800_000_000)}.{rng.randint(100, 999)}|0|" + "".join(
        rng.choice(string.ascii_letters + string.digits + "%") for _ in range(28))
    spelt = "+".join(f"('{ch}')" for ch in "__jsl_clearance_s=" + clearance)
    body = (f"<html><body><script>if(!/__jsl_clearance_s=/.test(document.cookie)){{document.cookie={spelt}"
            f"+';max-age=3600;path=/';location.href=location.pathname+location.search}}</script></body></html>")
    cookie = f"__jsluid_h={hashlib.md5(path.encode('utf-8')).hexdigest()}; max-age=31536000; path=/; HttpOnly"
    return body, cookie


def challenge(kind: str, path: str) -> Answer:
    """The firewall's answer to a request for ``path`` (path and query)."""
    if kind == "ruishu":
        body, cookie = ruishu_412(path)
        return 412, {"Content-Type": "text/html", "Set-Cookie": cookie, "Server": "nginx"}, body.encode("utf-8")
    if kind == "wzws":
        if path.startswith(WZWS_PREFIX):
            return 200, {"Content-Type": "text/html; charset=utf-8", "Server": "wzws"}, wzws_page(path).encode("utf-8")
        return 302, {"Location": wzws_location(path), "Content-Type": "text/html", "Server": "wzws"}, b""
    if kind == "jiasule":
        body, cookie = jiasule_521(path)
        return 521, {"Content-Type": "text/html", "Set-Cookie": cookie, "Server": "jsl"}, body.encode("utf-8")
    raise ValueError(f"unknown firewall {kind!r}")

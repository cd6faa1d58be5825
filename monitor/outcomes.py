"""Classifying a fetch: was the column read, or did the network, a firewall or the page fail us?

Pure functions. The outcome decides whether a column can be judged at all: anything but ``ok``
is the monitor's or the network's problem and is never counted as lateness.
"""

from __future__ import annotations

OK, UNREACHABLE, BLOCKED, NOT_FOUND, BROKEN = "ok", "unreachable", "blocked", "not_found", "broken"

_NETWORK_WORDS = {
    "TimeoutError": "超时", "TCPTimedOutError": "超时", "ResponseNeverReceived": "未收到响应",
    "ConnectionRefusedError": "连接被拒绝", "DNSLookupError": "域名解析失败", "ConnectionLost": "连接中断",
    "ConnectionDone": "连接中断", "ResponseFailed": "响应中断", "ConnectError": "连接失败",
    "NoRouteError": "无法路由", "SSLError": "证书或加密错误",
    # Scrapy's own names for the same failures (2.13 on)
    "DownloadTimeoutError": "超时", "DownloadConnectionRefusedError": "连接被拒绝",
    "CannotResolveHostError": "域名解析失败", "ResponseDataLossError": "响应中断，内容不完整",
    "DownloadFailedError": "响应中断",
}
_CERTIFICATE_WORDS = ("certificate verify failed", "certificate has expired", "self-signed certificate",
                      "self signed certificate", "unable to get local issuer", "IP address mismatch",
                      "Hostname mismatch", "VerificationError")
_TLS_WORDS = ("SSL routines", "tlsv1 alert", "SSL.Error", "wrong version number", "unsafe legacy renegotiation")
MAX_PAGE_WORDS = "页面超过大小上限（目录 max_page_mb），下载已中止，未读取"


def classify_status(status: int, challenge: str | None) -> tuple[str, str]:
    """Outcome and a short Chinese detail for a response that arrived (after retries)."""
    if challenge:
        return BLOCKED, f"防火墙拦截（{challenge}，HTTP {status}）"
    if status in (404, 410):
        return NOT_FOUND, f"页面不存在（HTTP {status}）"
    if status in (401, 403, 412, 418, 429, 451, 521):
        return BLOCKED, f"访问被拒绝（HTTP {status}）"
    if status >= 500:
        return UNREACHABLE, f"服务器错误（HTTP {status}）"
    if status >= 400:
        return BROKEN, f"请求失败（HTTP {status}）"
    return OK, ""


def classify_failure(exc: BaseException) -> tuple[str, str]:
    """Outcome and detail for a fetch that produced no response (after retries)."""
    names = [cls.__name__ for cls in type(exc).__mro__]
    if "HostDown" in names:
        return UNREACHABLE, f"站点本次巡检中已无法访问，未再请求（{exc}）"
    text = f"{exc}"
    if "OffsiteHost" in names:
        target = text.split(": ", 1)[-1]
        return BROKEN, f"跳转到未配置的站点或非网页地址，未跟随（{target[:120]}）；请核实目录中的地址"
    if "HttpError" in names and getattr(exc, "response", None) is not None:  # a status no callback asked for
        status = exc.response.status
        if 300 <= status < 400:  # a redirect without a Location: nowhere to go
            return UNREACHABLE, f"跳转缺少目标地址（HTTP {status}），页面无法打开"
        return classify_status(status, None)
    if "IgnoreRequest" in names:
        if "max redirections" in text:
            return UNREACHABLE, "跳转次数过多（重定向循环），页面无法打开"
        if "DOWNLOAD_MAXSIZE" in text:  # scrapy's HttpCompressionMiddleware: a compression bomb
            return BROKEN, "页面解压后超过大小上限（目录 max_page_mb，疑为压缩炸弹），未读取"
        return BROKEN, "请求未发出（被规则忽略）"
    if "DownloadCancelledError" in names:  # scrapy cancels a download past DOWNLOAD_MAXSIZE
        return BROKEN, MAX_PAGE_WORDS
    if any(word.lower() in text.lower() for word in _CERTIFICATE_WORDS):
        return UNREACHABLE, f"证书无效，未读取页面（{text[:160]}）"
    if any(word.lower() in text.lower() for word in _TLS_WORDS):
        return UNREACHABLE, f"TLS握手失败（{text[:160]}）"
    for name in names:
        if name in _NETWORK_WORDS:
            return UNREACHABLE, f"{_NETWORK_WORDS[name]}（{type(exc).__name__}）"
    return UNREACHABLE, f"网络错误（{type(exc).__name__}: {str(exc)[:120]}）"

"""Scale-out, what travels through Redis: crawl records and outbox messages as tagged JSON, and the JSON codec
of scrapy-redis's request queues. Nothing read from Redis is unpickled; only the known record classes
(spiders.records, monitor.ingest) are rebuilt, with only their fields."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, fields
from typing import Any

from monitor import ingest
from spiders.records import ArticleDates, BrowserLearned, ColumnCheck, FetchRecord, SeenItems

RECORD_TYPES: dict[str, type] = {cls.__name__: cls for cls in (FetchRecord, SeenItems, ColumnCheck, ArticleDates,
                                                                 BrowserLearned)}


def encode_message(message: ingest.Envelope | ingest.UnitDone) -> dict[str, Any]:
    """An outbox message as plain JSON values, tagged with its class."""
    if isinstance(message, ingest.Envelope):
        record = message.record
        name = type(record).__name__
        if RECORD_TYPES.get(name) is not type(record):
            raise TypeError(f"not a crawl record: {name}")
        if isinstance(record, FetchRecord) and record.raw is not None:
            raise ValueError("a FetchRecord's body goes to its WARC file before it leaves the worker")
        body = asdict(record)
        body.pop("raw", None)
        return {"type": "Envelope", "sweep_id": message.sweep_id, "as_of": message.as_of,
                "record": {"type": name, **body}}
    if isinstance(message, ingest.UnitDone):
        return {"type": "UnitDone", **asdict(message), "columns": list(message.columns)}
    raise TypeError(f"not an outbox message: {type(message).__name__}")


def decode_message(data: dict[str, Any]) -> ingest.Envelope | ingest.UnitDone:
    """The inverse of ``encode_message``: only the known classes, only their fields (TypeError otherwise)."""
    data = dict(data)
    kind = data.pop("type", None)
    if kind == "UnitDone":
        data["columns"] = tuple(data.get("columns") or ())
        return ingest.UnitDone(**data)
    if kind == "Envelope":
        record = dict(data.pop("record"))
        cls = RECORD_TYPES.get(record.pop("type", None))
        if cls is None:
            raise TypeError("not a crawl record")
        known = {f.name for f in fields(cls)} - {"raw"}
        if set(record) - known:
            raise TypeError(f"{cls.__name__} has no field(s) {sorted(set(record) - known)}")
        return ingest.Envelope(int(data.pop("sweep_id")), str(data.pop("as_of")), cls(**record), **data)
    raise TypeError(f"not an outbox message: {kind!r}")


class RequestCodec:
    """scrapy-redis serializer of the request queues (``SCHEDULER_SERIALIZER``): JSON with tags for bytes,
    tuples and dicts whose keys are not strings, never pickle. Only plain ``scrapy.Request`` objects."""

    @staticmethod
    def dumps(obj: dict[str, Any]) -> str:
        if "_class" in obj:
            raise TypeError(f"only plain scrapy.Request objects are queued in Redis, not {obj['_class']}")
        return json.dumps(_tag(obj), ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def loads(text: str | bytes) -> dict[str, Any]:
        obj = _untag(json.loads(text))
        if not isinstance(obj, dict) or "_class" in obj:
            raise ValueError("not a queued request")
        return obj


_TAGS = ("$b", "$t", "$d")


def _tag(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {"$t": [_tag(v) for v in value]}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and k not in _TAGS for k in value):
            return {k: _tag(v) for k, v in value.items()}
        return {"$d": [[_tag(k), _tag(v)] for k, v in value.items()]}
    raise TypeError(f"cannot queue a request carrying a {type(value).__name__} in Redis: {value!r:.100}")


def _untag(value: Any) -> Any:
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "$b":
            return base64.b64decode(inner)
        if tag == "$t":
            return tuple(_untag(v) for v in inner)
        if tag == "$d":
            return {_hashable(_untag(k)): _untag(v) for k, v in inner}
    return {k: _untag(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key

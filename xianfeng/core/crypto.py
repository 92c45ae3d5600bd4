"""Personal data at rest: ID numbers and phones encrypted in the database, found again through a
keyed blind index.

- ``EncryptedCharField`` holds a Fernet token (AES-128-CBC with HMAC-SHA256, from
  ``cryptography``); Python sees the plain value. A token is different every time, so the
  database cannot compare tokens: every lookup but ``isnull`` and "is empty" is refused with a
  ``FieldError`` rather than silently finding nothing.
- ``BlindIndexField`` sits beside it and holds HMAC-SHA256(index key, kind, normalised value),
  computed whenever the row is saved (``save()`` and ``bulk_create`` both call ``pre_save``).
  Uniqueness, duplicate finding and search by number compare that: ``blind_index("id_number",
  "110101...")``. The kind keeps an ID number and a phone with the same digits apart; every
  phone of every model shares the kind ``phone``, so a townsman's phone finds a registered
  person's.

Keys come from the environment (``env.py`` via settings): ``XIANFENG_FIELD_KEYS``, Fernet keys
separated by commas, the first encrypts and every one decrypts (so a new key is put in front
and the old ones stay until ``manage.py rotate_personal_keys`` has re-encrypted every row);
``XIANFENG_INDEX_KEY``, the HMAC key (changing it needs the same command at once, which
recomputes every index). Without them the development keys below are used, and production mode
refuses to start on them (``core/checks.py``), as it does on the development secret key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import threading
import time
from collections.abc import Iterable
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import ExpressionWrapper, F
from django.db.models.lookups import Exact, IsNull

# Development only: derived from fixed strings, so the demo and the tests need no setup.
DEV_FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"xianfeng-dev-field-key").digest())
DEV_INDEX_KEY = hashlib.sha256(b"xianfeng-dev-index-key").hexdigest()


def field_keys() -> list[str]:
    return list(settings.FIELD_ENCRYPTION_KEYS) or [DEV_FIELD_KEY.decode()]


def index_key() -> str:
    return settings.BLIND_INDEX_KEY or DEV_INDEX_KEY


def using_development_keys() -> bool:
    """No key configured, or the development ones written into the environment."""
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    return (
        not keys
        or keys[0] == DEV_FIELD_KEY.decode()
        or settings.BLIND_INDEX_KEY in ("", DEV_INDEX_KEY)
    )


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "XIANFENG_FIELD_KEYS: each key must be 32 url-safe base64-encoded bytes "
            '(`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`).'
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(field_keys()))


class _Tokens:
    """Fernet tokens of one key, made and opened with one AES context per thread instead of a
    new cipher object per value (``Fernet.encrypt`` spends most of its ~22 µs building one; an
    import encrypts two values a row, a member list page opens fifty): the same format
    (version 0x80, timestamp, random IV, AES-128-CBC with PKCS7 padding, HMAC-SHA256 of the
    rest, url-safe base64), so ``Fernet`` opens these tokens and these open Fernet's
    (``core/tests/test_crypto.py`` checks both ways). CBC is chained here over the ECB
    context, block by block; opening decrypts every block at once and XORs the previous
    ciphertext blocks as one integer. Rotation still goes through ``MultiFernet``."""

    def __init__(self, key: str) -> None:
        raw = base64.urlsafe_b64decode(key.encode())
        self._signing, self._aes = raw[:16], raw[16:]
        self._pads = _pads(self._signing)
        self._local = threading.local()

    def _ecb(self) -> Any:
        # Cipher contexts are not shared between threads (gunicorn's workers run several).
        local = self._local
        if not hasattr(local, "enc"):
            cipher = Cipher(algorithms.AES(self._aes), modes.ECB())  # CBC chained by hand below
            local.enc, local.dec = cipher.encryptor(), cipher.decryptor()
        return local

    def encrypt(self, data: bytes) -> bytes:
        pad = 16 - len(data) % 16
        data += bytes((pad,)) * pad
        iv = os.urandom(16)
        update = self._ecb().enc.update
        previous = int.from_bytes(iv, "big")
        blocks = []
        for start in range(0, len(data), 16):
            block = update(
                (int.from_bytes(data[start : start + 16], "big") ^ previous).to_bytes(16, "big")
            )
            previous = int.from_bytes(block, "big")
            blocks.append(block)
        body = b"\x80" + int(time.time()).to_bytes(8, "big") + iv + b"".join(blocks)
        return base64.urlsafe_b64encode(body + _hmac(self._pads, body))

    def decrypt(self, token: bytes) -> bytes:
        try:
            data = base64.urlsafe_b64decode(token)
        except (TypeError, binascii.Error):
            raise InvalidToken from None
        size = len(data)
        # version, timestamp, IV, at least one block, HMAC
        if size < 73 or data[0] != 0x80 or (size - 57) % 16:
            raise InvalidToken
        if not hmac.compare_digest(_hmac(self._pads, data[:-32]), data[-32:]):
            raise InvalidToken
        cipher = data[25:-32]
        chained = int.from_bytes(self._ecb().dec.update(cipher), "big") ^ int.from_bytes(
            data[9:-48], "big"
        )
        plain = chained.to_bytes(len(cipher), "big")
        pad = plain[-1]
        if not 1 <= pad <= 16 or plain[-pad:] != bytes((pad,)) * pad:
            raise InvalidToken
        return plain[:-pad]

    def open_many(self, datas: list[bytes]) -> list[bytes | None]:
        """``decrypt`` of many decoded tokens (``None`` for each this key does not open): the
        HMAC of each from the prepared states, then the blocks of every token that passed
        through the one ECB context in a single call, each token's CBC chain undone as one
        integer XOR. Refuses what ``decrypt`` refuses (and so what Fernet refuses)."""
        inner, outer = self._pads
        sizes, ciphers = [], []
        for data in datas:
            size = len(data)
            ok = size >= 73 and data[0] == 0x80 and not (size - 57) % 16
            if ok:
                mac_in, mac_out = inner.copy(), outer.copy()
                mac_in.update(data[:-32])
                mac_out.update(mac_in.digest())
                ok = hmac.compare_digest(mac_out.digest(), data[-32:])
            if ok:
                ciphers.append(data[25:-32])
            sizes.append(size - 57 if ok else 0)
        blocks = self._ecb().dec.update(b"".join(ciphers)) if ciphers else b""
        out: list[bytes | None] = []
        at = 0
        for data, size in zip(datas, sizes, strict=True):
            if not size:
                out.append(None)
                continue
            chained = int.from_bytes(blocks[at : at + size], "big") ^ int.from_bytes(
                data[9:-48], "big"
            )
            at += size
            plain = chained.to_bytes(size, "big")
            pad = plain[-1]
            ok = 1 <= pad <= 16 and plain[-pad:] == bytes((pad,)) * pad
            out.append(plain[:-pad] if ok else None)
        return out


@cache
def _tokens(keys: tuple[str, ...]) -> list[_Tokens]:
    _fernet(keys)  # the keys' validation and its message
    return [_Tokens(k) for k in keys]


# (the settings' key list, its _Tokens), replaced whole (one assignment: safe across threads)
_current: tuple[Any, list[_Tokens] | None] = (None, None)


def _keys() -> list[_Tokens]:
    """The configured keys' ``_Tokens``, looked up again only when the setting is another
    object (``override_settings`` and the tests' ``settings`` assign a new list): building the
    tuple and hashing it for the cache cost a tenth of each encryption."""
    global _current
    configured = settings.FIELD_ENCRYPTION_KEYS
    seen, tokens = _current
    if seen is not configured or tokens is None:
        tokens = _tokens(tuple(field_keys()))
        _current = (configured, tokens)
    return tokens


def encrypt(plain: str) -> str:
    return _keys()[0].encrypt(plain.encode()).decode("ascii")


def _open(token: bytes) -> bytes:
    for key in _keys():  # the first key that opens it, as MultiFernet
        try:
            return key.decrypt(token)
        except InvalidToken:
            continue
    raise InvalidToken


def decrypt(token: str) -> str:
    try:
        return _open(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        # A token no configured key opens: a key was dropped before rotation finished, or
        # the database was restored next to other keys. Loud, never a silent wrong value.
        raise ImproperlyConfigured(
            "An encrypted value cannot be decrypted with XIANFENG_FIELD_KEYS: keep every old "
            "key in the list until `manage.py rotate_personal_keys` has run."
        ) from exc


# base64.urlsafe_b64decode(bytes) is exactly this (not strict: characters outside the
# alphabet are dropped, as Fernet sees them), without its four Python layers per call.
_URLSAFE = bytes.maketrans(b"-_", b"+/")


def decrypt_many(tokens: Iterable[str | None]) -> list[str | None]:
    """``decrypt`` of each token of a page at once (``None`` and ``""`` stay as they are): the
    member list opens 50 to 100 tokens a page only to mask them, and the per-value layers
    (converter, key lookup, base64's wrappers, one AES call each) cost more than the AES
    itself. What no configured key opens is as loud as in ``decrypt``. Read the tokens as they
    are stored with ``stored_token()`` (no converter), then open them here."""
    tokens = list(tokens)
    found: list[str | None] = list(tokens)
    todo: list[int] = []
    datas: list[bytes] = []
    for i, token in enumerate(tokens):
        if token in (None, ""):
            continue
        try:
            datas.append(binascii.a2b_base64(token.encode("ascii").translate(_URLSAFE)))
        except (UnicodeEncodeError, binascii.Error) as exc:
            raise _undecryptable() from exc
        todo.append(i)
    for key in _keys():  # the first key that opens each, as MultiFernet
        if not todo:
            break
        left, left_datas = [], []
        for i, data, plain in zip(todo, datas, key.open_many(datas), strict=True):
            if plain is None:
                left.append(i)
                left_datas.append(data)
            else:
                found[i] = plain.decode()
        todo, datas = left, left_datas
    if todo:
        raise _undecryptable()
    return found


def _undecryptable() -> ImproperlyConfigured:
    return ImproperlyConfigured(
        "An encrypted value cannot be decrypted with XIANFENG_FIELD_KEYS: keep every old "
        "key in the list until `manage.py rotate_personal_keys` has run."
    )


def stored_token(path: str) -> ExpressionWrapper:
    """The column of the encrypted field at ``path`` as stored (the token, no decryption per
    row), for ``values()``/``values_list()`` whose page then goes through ``decrypt_many``."""
    return ExpressionWrapper(F(path), output_field=models.TextField())


def rotate(token: str) -> str:
    """The same value encrypted with the first (current) key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def normalise_for_index(kind: str, value: str) -> str:
    if kind == "phone" and value.isdigit() and value.isascii():
        return value  # the common case, without a pass per character
    value = "".join(value.split())
    if kind == "id_number":
        return value.upper()
    if kind == "phone":
        return "".join(ch for ch in value if ch.isdigit())
    return value


def blind_index(kind: str, value: str | None) -> str | None:
    """The keyed index of ``value`` (``None`` for no value): equal values, equal indexes."""
    if value is None:
        return None
    plain = normalise_for_index(kind, str(value))
    if not plain:
        return None
    message = f"{kind}\x00{plain}".encode()
    inner, outer = _hmac_pads(index_key())
    inner, outer = inner.copy(), outer.copy()
    inner.update(message)
    outer.update(inner.digest())
    return outer.hexdigest()


def _pads(raw: bytes) -> tuple[Any, Any]:
    if len(raw) > 64:  # the block size of SHA-256: a longer key is hashed first
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(64, b"\0")
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in raw)),
        hashlib.sha256(bytes(b ^ 0x5C for b in raw)),
    )


def _hmac(pads: tuple[Any, Any], message: bytes) -> bytes:
    """HMAC-SHA256 from a key's hashed pads (``_pads``), as ``hmac.digest`` gives it: two hash
    copies, and no release of the GIL (see ``_hmac_pads``)."""
    inner, outer = pads[0].copy(), pads[1].copy()
    inner.update(message)
    outer.update(inner.digest())
    return outer.digest()


@cache
def _hmac_pads(key: str) -> tuple[Any, Any]:
    """HMAC-SHA256 (RFC 2104) with ``key``'s inner and outer pads hashed once: each index then
    costs two hash copies. Not ``hmac.digest``: OpenSSL's one-shot HMAC releases the GIL on
    every call, and during an import, whose helper thread writes a batch meanwhile, taking it
    back waited up to the interpreter's switch interval, about 0.2 ms a row (issue 11's import
    profile). The same digests (``xianfeng/core/tests/test_crypto.py``)."""
    return _pads(key.encode())


def blind_indexes(kind: str, values: Iterable[str | None]) -> list[str]:
    return [i for i in (blind_index(kind, v) for v in values) if i]


class _EmptyOnlyExact(Exact):
    """``field=""`` (or ``None``) still works: an empty value is stored as it is."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs not in ("", None):
            raise FieldError(
                f"{lhs.target.name} is encrypted: filter on its blind index "
                f"({lhs.target.name}_index) with core.crypto.blind_index()."
            )
        super().__init__(lhs, rhs)


class EncryptedCharField(models.CharField):
    """A short text kept encrypted (a Fernet token in a text column); ``max_length`` limits the
    plain value, as forms and ``full_clean`` see it."""

    stores_ciphertext = True

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection: Any) -> str | None:
        return models.TextField().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise FieldError(
            f"{self.name} is encrypted: the database cannot compare it ({lookup_name}); "
            f"filter on its blind index with core.crypto.blind_index()."
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedJSONField(models.TextField):
    """A JSON value kept encrypted whole (a declaration's rooms with the tenants' ID numbers and
    phones): nothing inside can be queried, so every lookup but ``isnull`` is refused."""

    stores_ciphertext = True

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return value
        return encrypt(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(f"{self.name} is encrypted: the database cannot look inside it.")

    def get_transform(self, lookup_name: str) -> Any:
        return None


class BlindIndexField(models.CharField):
    """The keyed index of another field of the same model, recomputed on every save."""

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list, dict]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 64:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = blind_index(self.kind, getattr(model_instance, self.source))
        if value is None and not self.null:
            value = ""
        setattr(model_instance, self.attname, value)
        return value


def with_index_fields(model: type[models.Model], update_fields: Iterable[str] | None) -> Any:
    """``save(update_fields=[...])`` names the source; add its index so both stay in step."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for f in model._meta.concrete_fields:
        if isinstance(f, BlindIndexField) and f.source in names:
            names.add(f.name)
    return names


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "stores_ciphertext", False)]


def encrypt_columns_in_place(
    schema_editor: Any,
    table: str,
    pk: str,
    columns: dict[str, tuple[str | None, str, str | None]],
    *,
    reverse: bool = False,
) -> None:
    """For migrations that turn a plain column into an encrypted one: encrypt each value of
    ``columns`` (column -> (its index column or None, index kind, the index of no value: None
    or "")) and fill its index; with ``reverse`` decrypt back and clear the index. Raw SQL,
    because the historical model's field already expects tokens."""
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    names = list(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(pk)}, {', '.join(qn(c) for c in names)} FROM {qn(table)}")
        rows = cursor.fetchall()
        for row in rows:
            sets, params = [], []
            for column, value in zip(names, row[1:], strict=True):
                index_column, kind, no_index = columns[column]
                if value in (None, ""):
                    new, index = value, no_index
                elif reverse:
                    new, index = decrypt(value), no_index
                else:
                    new, index = encrypt(value), blind_index(kind, value) or no_index
                sets.append(f"{qn(column)} = %s")
                params.append(new)
                if index_column:
                    sets.append(f"{qn(index_column)} = %s")
                    params.append(index)
            params.append(row[0])
            cursor.execute(
                f"UPDATE {qn(table)} SET {', '.join(sets)} WHERE {qn(pk)} = %s",
                params,
            )


def models_with_encrypted_fields() -> list[type[models.Model]]:
    """Every model (the history tables included) with an encrypted column, in label order."""
    from django.apps import apps

    found = [m for m in apps.get_models() if encrypted_fields(m)]
    return sorted(found, key=lambda m: m._meta.label_lower)


def rekey(model: type[models.Model], using: str = "default") -> int:
    """Re-encrypt every token of ``model`` with the current first key and recompute every
    blind index with the current index key; the number of rows changed. Raw SQL in one
    transaction, so it neither touches ``updated_at`` nor writes history."""
    from django.db import connections, transaction

    connection = connections[using]
    qn = connection.ops.quote_name
    encrypted = encrypted_fields(model)
    indexes = [
        f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField) and f.source
    ]
    by_name = {f.name: f for f in encrypted}
    pk = model._meta.pk.column
    table = qn(model._meta.db_table)
    changed = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(pk)}, {', '.join(qn(f.column) for f in encrypted)} FROM {table}"
        )
        for row in cursor.fetchall():
            tokens = dict(zip((f.name for f in encrypted), row[1:], strict=True))
            sets, params = [], []
            for f in encrypted:
                token = tokens[f.name]
                if token not in (None, ""):
                    sets.append(f"{qn(f.column)} = %s")
                    params.append(rotate(token))
            for f in indexes:
                token = tokens.get(f.source)
                plain = decrypt(token) if token not in (None, "") else None
                if f.source in by_name:
                    value = blind_index(f.kind, plain)
                    sets.append(f"{qn(f.column)} = %s")
                    params.append(value if value is not None or f.null else "")
            if sets:
                cursor.execute(
                    f"UPDATE {table} SET {', '.join(sets)} WHERE {qn(pk)} = %s", [*params, row[0]]
                )
                changed += 1
    return changed

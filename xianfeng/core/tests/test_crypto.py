"""ID numbers and phones at rest (issue 9, item 9): encrypted in every table that holds them,
found and kept unique through the blind index, and rotated by ``rotate_personal_keys``."""

from __future__ import annotations

import base64
import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from xianfeng.core import crypto
from xianfeng.core.testing import role_org
from xianfeng.people.models import Person
from xianfeng.people.services import person_create

pytestmark = pytest.mark.django_db

ID = "110105199003070017"  # a valid check digit, not in the demo district
MOBILE = "13912345678"


def _raw(table: str, column: str, where: str, value: object) -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE {where} = %s", [value]
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def person(personas) -> Person:
    shequ = personas["shequ"]
    return person_create(
        actor=shequ, organization=role_org(shequ), name="加密测试", id_number=ID, mobile=MOBILE
    )


def test_the_database_holds_tokens_and_python_sees_the_numbers(person):
    (token,) = _raw("people_person", "id_number", "id", person.pk)
    (phone,) = _raw("people_person", "mobile", "id", person.pk)
    assert ID not in token and MOBILE not in phone
    assert token.startswith("gAAAAA") and phone.startswith("gAAAAA")
    again = Person.objects.get(pk=person.pk)
    assert (again.id_number, again.mobile) == (ID, MOBILE)
    # The history rows are encrypted too.
    for token in _raw("people_historicalperson", "id_number", "id", person.pk):
        assert token.startswith("gAAAAA")


def test_two_encryptions_of_one_number_differ_but_their_index_is_equal():
    assert crypto.encrypt(ID) != crypto.encrypt(ID)
    assert crypto.blind_index("id_number", ID) == crypto.blind_index("id_number", f"{ID} ")
    assert crypto.blind_index("phone", "139 1234 5678") == crypto.blind_index("phone", MOBILE)
    # The kind keeps an ID number and a phone with the same digits apart.
    assert crypto.blind_index("phone", "110105") != crypto.blind_index("id_number", "110105")
    assert crypto.blind_index("phone", "") is None


def test_found_by_number_through_the_index_and_a_plain_filter_is_refused(person):
    assert list(Person.objects.with_id_number(f" {ID} ")) == [person]
    assert person in Person.objects.with_mobile(MOBILE)
    assert person in Person.objects.with_id_numbers([ID, "x"])
    with pytest.raises(FieldError, match="blind index"):
        list(Person.objects.filter(id_number=ID))
    with pytest.raises(FieldError):
        list(Person.objects.filter(mobile__contains="1391"))
    assert Person.objects.filter(pk=person.pk).exclude(mobile="").exists()


def test_a_duplicate_id_number_is_refused_in_chinese_and_by_the_database(person, personas):
    shequ = personas["shequ"]
    with pytest.raises(ValidationError) as exc:
        person_create(actor=shequ, organization=role_org(shequ), name="重复", id_number=ID)
    assert "该身份证号已登记" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(organization=role_org(shequ), name="绕过服务", id_number=ID)
    assert Person.objects.with_id_number(ID).count() == 1


def test_update_fields_keeps_the_index_in_step(person):
    person.mobile = "13800000000"
    person.save(update_fields=["mobile"])
    assert person in Person.objects.with_mobile("13800000000")
    assert person not in Person.objects.with_mobile(MOBILE)


def test_a_token_no_key_opens_is_loud(person, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="rotate_personal_keys"):
        Person.objects.get(pk=person.pk)


def test_rotation_re_encrypts_with_the_new_key_and_reindexes(person, settings):
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, crypto.DEV_FIELD_KEY.decode()]
    settings.BLIND_INDEX_KEY = "n" * 40
    assert not Person.objects.with_id_number(ID).exists()  # the index key changed
    out = io.StringIO()
    call_command("rotate_personal_keys", stdout=out)
    assert "people_person" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    again = Person.objects.with_id_number(ID).get()
    assert (again.pk, again.id_number, again.mobile) == (person.pk, ID, MOBILE)
    assert Person.objects.with_mobile(MOBILE).filter(pk=person.pk).exists()


def test_townsman_phone_and_declaration_rooms_are_encrypted(personas):
    from xianfeng.community.models import Townsman
    from xianfeng.exchange.models import LandlordDeclaration
    from xianfeng.people.models import PartyMember
    from xianfeng.places.models import Building

    member = PartyMember.objects.select_related("branch").first()
    townsman = Townsman.objects.create(
        member=member, organization=member.branch, name="老乡甲", phone="13911112222"
    )
    (phone,) = _raw("work_townsman", "phone", "id", townsman.pk)
    assert phone.startswith("gAAAAA")
    rooms = [{"unit": "1", "room": "101", "tenants": [{"name": "租户", "id_number": ID}]}]
    declaration = LandlordDeclaration.objects.create(
        building=Building.objects.first(),
        landlord_name="房东",
        landlord_mobile="13733334444",
        rooms=rooms,
    )
    (stored,) = _raw("exchange_landlorddeclaration", "rooms", "id", declaration.pk)
    assert ID not in stored and "13733334444" not in str(
        _raw("exchange_landlorddeclaration", "landlord_mobile", "id", declaration.pk)
    )
    again = LandlordDeclaration.objects.get(pk=declaration.pk)
    assert again.rooms == rooms and again.landlord_mobile == "13733334444"
    # The same townsman twice for one member: the blind index makes it a duplicate.
    with pytest.raises(IntegrityError), transaction.atomic():
        Townsman.objects.create(
            member=member, organization=member.branch, name="老乡甲", phone="139 1111 2222"
        )


def test_bulk_writes_of_an_import_encrypt_and_index_the_history_too(personas):
    """The importers' bulk writes (COPY of the history rows on PostgreSQL) hold no number in
    clear and keep the blind indexes right."""
    from xianfeng.exchange.importers.base import bulk_update, insert_rows

    shequ = personas["shequ"]
    rows = [
        {"organization_id": role_org(shequ).pk, "name": "批量甲", "id_number": ID, "mobile": MOBILE}
    ]
    insert_rows(Person, rows, shequ, "批量导入")
    person = Person.objects.with_id_number(ID).get()
    person.mobile = "13700000001"
    bulk_update(Person, [person], ["mobile"], shequ, "批量导入")
    assert Person.objects.with_mobile("13700000001").get().pk == person.pk
    tokens = _raw("people_historicalperson", "mobile", "id", person.pk)
    assert len(tokens) == 2 and all(t.startswith("gAAAAA") for t in tokens)
    assert all(ID not in t for t in _raw("people_historicalperson", "id_number", "id", person.pk))


def test_history_shows_a_changed_phone_masked_and_never_its_index(person, personas):
    from xianfeng.core.history import history_rows
    from xianfeng.people.services import person_update

    person_update(actor=personas["shequ"], person=person, mobile="13800001234")
    changes = [c for row in history_rows(person) for c in row["changes"]]
    assert [(str(c["field"]), c["old"], c["new"]) for c in changes] == [
        ("手机号", "139****5678", "138****1234")
    ]


def test_a_whole_number_finds_its_member_on_the_page_the_api_and_search(client_for, personas):
    from xianfeng.people.models import PartyMember

    member = (
        PartyMember.objects.restrict(personas["shequ"])
        .exclude(person__id_number=None)
        .exclude(person__mobile="")
        .select_related("person")
        .first()
    )
    client = client_for("shequ")
    for q in (member.person.id_number, member.person.mobile):
        api = client.get("/api/v1/members", {"q": q}).json()
        assert [m["id"] for m in api["results"]] == [member.pk]
        assert member.person.name in client.get("/members/", {"q": q}).content.decode()
    # Part of a number finds nothing: the database holds no number to compare with.
    assert client.get("/api/v1/members", {"q": member.person.mobile[:7]}).json()["count"] == 0
    # Outside the scope the number finds nobody.
    other = client_for("shequ2").get("/api/v1/members", {"q": member.person.id_number}).json()
    assert other["count"] == 0


@pytest.mark.parametrize(
    "plain",
    ["", "1", "13912345678", ID, "x" * 15, "x" * 16, "x" * 17, "王小明" * 30, '{"rooms": []}'],
)
def test_our_tokens_are_fernet_tokens_both_ways(plain, settings):
    """The one-context token code (issue 11) writes what ``Fernet`` opens and opens what it
    writes, at every padding length."""
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    ours = crypto.encrypt(plain)
    assert Fernet(key.encode()).decrypt(ours.encode()).decode() == plain
    theirs = Fernet(key.encode()).encrypt(plain.encode()).decode()
    assert crypto.decrypt(theirs) == plain
    assert crypto.encrypt(plain) != ours  # a new IV every time


def test_a_tampered_or_foreign_token_is_refused(settings):
    key, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    token = crypto.encrypt(MOBILE)
    raw = bytearray(base64.urlsafe_b64decode(token))
    for index in (0, 5, 30, len(raw) - 40, len(raw) - 1):  # version, time, IV, cipher, HMAC
        broken = raw.copy()
        broken[index] ^= 1
        with pytest.raises(ImproperlyConfigured):
            crypto.decrypt(base64.urlsafe_b64encode(bytes(broken)).decode())
    for bad in ("", "not a token", token[:-8], "王"):
        with pytest.raises(ImproperlyConfigured):
            crypto.decrypt(bad)
    settings.FIELD_ENCRYPTION_KEYS = [other]
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt(token)
    settings.FIELD_ENCRYPTION_KEYS = [other, key]  # an old key still opens (rotation)
    assert crypto.decrypt(token) == MOBILE


@pytest.mark.parametrize("key", ["短key", "k" * 64, "x" * 65, "长的钥匙" * 40])
def test_the_blind_index_is_hmac_sha256_of_kind_and_number(key, settings):
    """The index is computed from pre-hashed pads (issue 11: no GIL release per value); it stays
    the HMAC-SHA256 every stored index was made with, for short keys and keys longer than a
    block alike."""
    import hashlib
    import hmac

    settings.BLIND_INDEX_KEY = key
    for kind, value, plain in (
        ("id_number", " 53010219900101001x ", "53010219900101001X"),
        ("phone", "139-0000 1234", "13900001234"),
    ):
        expected = hmac.new(key.encode(), f"{kind}\x00{plain}".encode(), hashlib.sha256)
        assert crypto.blind_index(kind, value) == expected.hexdigest()


def _fernet_verdict(fernet: Fernet, token: str) -> str | None:
    from cryptography.fernet import InvalidToken

    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def test_a_page_of_tokens_opens_and_refuses_exactly_as_fernet(settings):
    """``decrypt_many`` (issue 11: a page's tokens through one AES call) against cryptography's
    own ``Fernet`` on the same tokens: every padding length, its tokens and ours, and each
    tampered form of one (every byte flipped, cut short, padding or alphabet broken, another
    key's) is opened or refused as ``Fernet`` opens or refuses it, alone and in a page."""
    key, other = Fernet.generate_key(), Fernet.generate_key()
    fernet = Fernet(key)
    settings.FIELD_ENCRYPTION_KEYS = [key.decode()]
    plains = ["x" * n for n in range(0, 40)] + [MOBILE, ID, "王小明"]
    good = [fernet.encrypt(p.encode()).decode() for p in plains[:20]]
    good += [crypto.encrypt(p) for p in plains[20:]]
    assert crypto.decrypt_many([None, *good, ""]) == [None, *plains, ""]

    token = crypto.encrypt(MOBILE)
    raw = base64.urlsafe_b64decode(token)
    candidates = [token, token + "\n", token[:10] + "*" + token[10:]]  # dropped, as Fernet
    for index in range(len(raw)):
        broken = bytearray(raw)
        broken[index] ^= 0x41
        candidates.append(base64.urlsafe_b64encode(bytes(broken)).decode())
    for cut in (1, 2, 16, 32, 48, len(raw) - 1):
        candidates.append(base64.urlsafe_b64encode(raw[:-cut]).decode())
    candidates += [token[:-1], token[:-2], "not a token", "gAAAAA", token.replace("-", "+")]
    # a valid HMAC over a bad padding and over a ciphertext that is not whole blocks
    signing = base64.urlsafe_b64decode(key)[:16]
    for body in (raw[: -32 - 16] + bytes(16), raw[: -32 - 3]):
        import hashlib
        import hmac

        mac = hmac.new(signing, body, hashlib.sha256).digest()
        candidates.append(base64.urlsafe_b64encode(body + mac).decode())
    candidates.append(Fernet(other).encrypt(MOBILE.encode()).decode())
    opened = 0
    for candidate in candidates:
        expected = _fernet_verdict(fernet, candidate)
        if expected is None:
            with pytest.raises(ImproperlyConfigured):
                crypto.decrypt_many([candidate])
            with pytest.raises(ImproperlyConfigured):  # one bad token in a page is loud too
                crypto.decrypt_many([*good, candidate])
        else:
            opened += 1
            assert crypto.decrypt_many([*good, candidate]) == [*plains, expected]
    # the token, the two with a character outside the alphabet (dropped) and, where Fernet
    # reads "+" as "-", the replaced one: whatever Fernet opened, the page opened the same
    assert opened >= 3
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt_many(["王"])


def test_a_page_opens_tokens_of_the_old_and_the_new_key(settings):
    """During rotation a page mixes tokens of both keys: each is opened by the key that made it."""
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    before = [crypto.encrypt(f"old{n}") for n in range(5)]
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    after = [crypto.encrypt(f"new{n}") for n in range(5)]
    mixed = [t for pair in zip(before, after, strict=True) for t in pair]
    expected = [p for n in range(5) for p in (f"old{n}", f"new{n}")]
    assert crypto.decrypt_many(mixed) == expected == [crypto.decrypt(t) for t in mixed]
    settings.FIELD_ENCRYPTION_KEYS = [new]
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt_many(mixed)

"""What a Python team does today with the platform page's snippet, by hand:
decrypt each sensitive field of PaymentService's messages as it arrives and
encrypt it as it leaves. Knows nothing of szcrypt.

String fields carry encrypt_message's base64 text; the bytes field `token`
carries the raw iv || ciphertext; empty values stay empty.
"""
import hashlib
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "gen"))

from szcrypt_ref import legacy, szc1  # noqa: E402
from sz.examples.v1 import payments_pb2  # noqa: E402,F401
from sz.examples.v1 import payments_pb2_grpc  # noqa: E402,F401


FIELD = "sz.examples.v1.{}"


def crypt_payment(payment, key, encrypt: bool, key_id: str | None = None):
    """A copy of payment with every sensitive field encrypted (or decrypted).

    key_id None: the page's legacy-cbc. A key id: szc1, bound to each field's full name.
    """
    if key_id is None:
        text = (lambda v, f: legacy.encrypt_message(v, key)) if encrypt else (lambda v, f: legacy.decrypt_message(v, key))
        raw = (lambda v, f: legacy.encrypt_bytes(v, key)) if encrypt else (lambda v, f: legacy.decrypt_bytes(v, key))
    else:
        keys = {key_id: key}
        text = (lambda v, f: szc1.encrypt_text(v, key, key_id, f)) if encrypt else (lambda v, f: szc1.decrypt_text(v, keys, f))
        raw = (lambda v, f: szc1.encrypt_bytes(v, key, key_id, f)) if encrypt else (lambda v, f: szc1.decrypt_bytes(v, keys, f))
    pay = lambda name: FIELD.format("Payment." + name)  # noqa: E731
    return _crypt(payment, text, raw, pay)


def _crypt(payment, text, raw, pay):
    s = lambda v, name: text(v, pay(name)) if v else v  # noqa: E731
    b = lambda v, name: raw(v, pay(name)) if v else v  # noqa: E731
    line1 = FIELD.format("Address.line1")
    a = lambda v: text(v, line1) if v else v  # noqa: E731
    out = payments_pb2.Payment()
    out.CopyFrom(payment)
    out.card_number = s(payment.card_number, "card_number")
    out.cardholder = s(payment.cardholder, "cardholder")
    del out.notes[:]
    out.notes.extend(s(n, "notes") for n in payment.notes)
    for k, v in payment.attributes.items():
        out.attributes[k] = s(v, "attributes")
    if payment.HasField("billing"):
        out.billing.line1 = a(payment.billing.line1)
    out.token = b(payment.token, "token")
    if payment.WhichOneof("method") == "iban":
        out.iban = s(payment.iban, "iban")
    for mine, theirs in zip(out.previous, payment.previous):
        mine.line1 = a(theirs.line1)
    return out


def payment_id(card_number: str) -> str:
    return hashlib.sha256(card_number.encode("utf-8")).hexdigest()


def authorized(payment):
    out = payments_pb2.Payment()
    out.CopyFrom(payment)
    out.id = payment_id(payment.card_number)
    return out


def sample(n: int):
    """A payment with every sensitive shape set, and non-ASCII text."""
    p = payments_pb2.Payment(
        card_number=f"py-4111-1111-1111-{1000 + n}",
        cardholder=f"Zoë Ångström 東京 😀 #{n}",
        amount_cents=2500 + n,
        notes=[f"python note {n}", "", "ünïcode"],
        token=f"py-raw-token-{n}".encode() + bytes([0, 255, n % 256]),
        previous=[payments_pb2.Address(line1=f"old road {n}", city="Paris"), payments_pb2.Address(line1="", city="Rome")],
    )
    p.attributes["tier"] = f"platinum {n}"
    p.attributes["region"] = "eu-west"
    p.billing.line1 = "2 High Street"
    p.billing.city = f"Leeds-{n}"
    if n % 2 == 0:
        p.iban = f"GB33BUKB20201555555555{n}"
    else:
        p.wallet_id = f"py-wallet-{n}"
    return p

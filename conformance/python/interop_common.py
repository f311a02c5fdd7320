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

from szcrypt_ref import legacy  # noqa: E402
from sz.examples.v1 import payments_pb2  # noqa: E402,F401
from sz.examples.v1 import payments_pb2_grpc  # noqa: E402,F401


def crypt_payment(payment, key, encrypt: bool):
    """A copy of payment with every sensitive field encrypted (or decrypted)."""
    text = (lambda s: legacy.encrypt_message(s, key)) if encrypt else (lambda s: legacy.decrypt_message(s, key))
    raw = (lambda b: legacy.encrypt_bytes(b, key)) if encrypt else (lambda b: legacy.decrypt_bytes(b, key))
    s = lambda v: text(v) if v else v  # noqa: E731
    b = lambda v: raw(v) if v else v  # noqa: E731
    out = payments_pb2.Payment()
    out.CopyFrom(payment)
    out.card_number = s(payment.card_number)
    out.cardholder = s(payment.cardholder)
    del out.notes[:]
    out.notes.extend(s(n) for n in payment.notes)
    for k, v in payment.attributes.items():
        out.attributes[k] = s(v)
    if payment.HasField("billing"):
        out.billing.line1 = s(payment.billing.line1)
    out.token = b(payment.token)
    if payment.WhichOneof("method") == "iban":
        out.iban = s(payment.iban)
    for mine, theirs in zip(out.previous, payment.previous):
        mine.line1 = s(theirs.line1)
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

"""What a Python team does today without szcrypt's interceptors: decrypt each
sensitive field of PaymentService's messages as it arrives and encrypt it as it
leaves, with the platform page's functions (legacy-cbc) or szcrypt_ref's szc1.

Which fields are sensitive comes from the descriptors' `(sz.crypt.v1.sensitive)`
option, as szcrypt reads it, so this side follows payments.proto without a list
of its own. String fields carry the token's text; bytes fields the raw binary
(legacy: iv || ciphertext); empty values stay empty.
"""
import hashlib

from google.protobuf.descriptor import FieldDescriptor

from sz.crypt.v1 import options_pb2
from sz.examples.v1 import payments_pb2
from sz.examples.v1 import payments_pb2_grpc  # noqa: F401 - re-exported for the client and the server

from szcrypt_ref import legacy, szc1

MAX_DEPTH = 64  # szcrypt refuses messages nested deeper than this; so does this walker
_plans: dict = {}


def _is_map(field) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def plan(descriptor):
    """(sensitive fields, message fields to walk into) of a message type, worked out once per type."""
    cached = _plans.get(descriptor.full_name)
    if cached is not None:
        return cached
    leaves, children = [], []
    for field in descriptor.fields:
        if field.GetOptions().Extensions[options_pb2.sensitive]:
            value = field.message_type.fields_by_name["value"] if _is_map(field) else field
            if value.type not in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
                raise TypeError(f"{field.full_name}: only string and bytes fields can be sensitive")
            leaves.append((field, value.type == FieldDescriptor.TYPE_BYTES))
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            value = field.message_type.fields_by_name["value"] if _is_map(field) else field
            if value.type == FieldDescriptor.TYPE_MESSAGE:
                children.append(field)
    _plans[descriptor.full_name] = (leaves, children)
    return leaves, children


def sensitive_fields(descriptor) -> list:
    """Full names of every sensitive field reachable from a message type."""
    seen, out, todo = set(), [], [descriptor]
    while todo:
        d = todo.pop(0)
        if d.full_name in seen:
            continue
        seen.add(d.full_name)
        leaves, children = plan(d)
        out += [f.full_name for f, _ in leaves]
        todo += [(f.message_type.fields_by_name["value"] if _is_map(f) else f).message_type for f in children]
    return out


def _walk(msg, text, raw, depth):
    if depth > MAX_DEPTH:
        raise ValueError("message nested too deeply")
    leaves, children = plan(msg.DESCRIPTOR)
    for field, is_bytes in leaves:
        fn = raw if is_bytes else text
        name = field.full_name  # szc1 binds the field's full name; a map's is the map field's
        if field.containing_oneof is not None and msg.WhichOneof(field.containing_oneof.name) != field.name:
            continue
        if _is_map(field):
            entries = getattr(msg, field.name)
            for k in list(entries):
                if entries[k]:
                    entries[k] = fn(entries[k], name)
        elif field.label == FieldDescriptor.LABEL_REPEATED:
            values = getattr(msg, field.name)
            values[:] = [fn(v, name) if v else v for v in values]
        else:
            value = getattr(msg, field.name)
            if value:
                setattr(msg, field.name, fn(value, name))
    for field in children:
        if _is_map(field):
            for v in getattr(msg, field.name).values():
                _walk(v, text, raw, depth + 1)
        elif field.label == FieldDescriptor.LABEL_REPEATED:
            for v in getattr(msg, field.name):
                _walk(v, text, raw, depth + 1)
        elif msg.HasField(field.name):
            _walk(getattr(msg, field.name), text, raw, depth + 1)


def crypt_message(message, text, raw):
    """A copy of message with text(value, field_name) applied to every non-empty sensitive
    string and raw(value, field_name) to every sensitive bytes value, nested messages included."""
    out = type(message)()
    out.CopyFrom(message)
    _walk(out, text, raw, 0)
    return out


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
    return crypt_message(payment, text, raw)


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

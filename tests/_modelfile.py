"""The documented model-file layout, rebuilt independently of glassnet.io, for tests that
craft or edit files: an 8-byte magic, a uint32 format version and a uint64 header length
(PREFIX), the JSON header, the data section padded to 64 bytes, and a SHA-256 of all before it.

Importable as ``_modelfile`` from any test module: pytest's default (prepend) import mode puts
this folder on sys.path for the rootless test files here, in xdist's workers too."""
import hashlib
import json
import struct

PREFIX = struct.Struct("<8sIQ")


def split(data):
    """(header dict, data section bytes) of a valid file's bytes."""
    magic, version, hlen = PREFIX.unpack_from(data)
    assert magic == b"GLASSNET" and version == 1
    header = json.loads(data[PREFIX.size:PREFIX.size + hlen])
    start = -(-(PREFIX.size + hlen) // 64) * 64
    return header, data[start:-32]


def build(header, section, version=1, hlen=None):
    """A file's bytes from a header (a dict, or its bytes as given) and a data section, with a
    correct checksum, as a forger writes it; ``hlen`` overrides the stated header length."""
    hb = header if isinstance(header, bytes) else json.dumps(header).encode()
    body = PREFIX.pack(b"GLASSNET", version, len(hb) if hlen is None else hlen) + hb
    body += bytes(-len(body) % 64) + section
    return body + hashlib.sha256(body).digest()


def rehash(data):
    """``data`` with its trailing checksum replaced, so that only the parser can object."""
    body = data[:-32] if len(data) >= 32 else data
    return body + hashlib.sha256(body).digest()


def edit_header(path, change):
    """The bytes of the model file at ``path`` with ``change(header)`` applied to its parsed
    JSON header in place (checksum redone); the data section is kept as it is."""
    header, section = split(path.read_bytes())
    change(header)
    return build(header, section)

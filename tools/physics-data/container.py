"""The Penumbra physics-data container (format documented in docs/physics-data.md).

Prelude (little-endian): magic b"PNBRAPHY", format version u32, header length u32, payload length
u64, SHA-256 of the payload (32 bytes). Then the header (UTF-8 JSON, sorted keys, no spaces), then
the payload: Float64 arrays, each listed in the header's "arrays" directory as [offset, count] in
values from the start of the payload.
"""

import hashlib
import json
import os
import struct
import tempfile

import numpy as np

MAGIC = b"PNBRAPHY"
FORMAT_VERSION = 1


class ContainerWriter:
    def __init__(self):
        self.arrays = {}
        self.chunks = []
        self.count = 0

    def add(self, name, values):
        array = np.ascontiguousarray(np.asarray(values, dtype="<f8").ravel())
        if name in self.arrays:
            raise ValueError(f"array {name} written twice")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"array {name} has non-finite values")
        self.arrays[name] = [self.count, int(array.size)]
        self.chunks.append(array.tobytes())
        self.count += array.size

    def write(self, path, header):
        """Writes the file atomically (temporary file in the same folder, then rename)."""
        payload = b"".join(self.chunks)
        header = dict(header, arrays=self.arrays)
        header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
        prelude = MAGIC + struct.pack("<IIQ", FORMAT_VERSION, len(header_bytes), len(payload))
        prelude += hashlib.sha256(payload).digest()
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".physics-data-")
        try:
            os.chmod(temporary, 0o644)
            with os.fdopen(handle, "wb") as out:
                out.write(prelude)
                out.write(header_bytes)
                out.write(payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

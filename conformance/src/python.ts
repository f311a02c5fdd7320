import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The Python that runs the reference: SZCRYPT_PYTHON, else Debian's /usr/bin/python3 (not a pyenv one on PATH). */
export function pythonPath(): string {
  return process.env["SZCRYPT_PYTHON"] ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
}

/** Whether Python with PyCryptodome (as Cryptodome or Crypto) can run; otherwise why not. */
export function pythonReady(): { ok: true } | { ok: false; reason: string } {
  const python = pythonPath();
  const probe = spawnSync(python, ["-c", "try:\n import Cryptodome\nexcept ImportError:\n import Crypto"], { encoding: "utf8" });
  if (probe.error !== undefined) {
    return { ok: false, reason: `${python} cannot run (${probe.error.message}); install Debian's python3` };
  }
  if (probe.status !== 0) {
    return { ok: false, reason: `${python} has no PyCryptodome; install it with: apt-get install python3-pycryptodome` };
  }
  return { ok: true };
}

/** Whether Python can run the grpcio interop programs (grpcio, protobuf, PyCryptodome); otherwise why not. */
export function pythonGrpcReady(): { ok: true } | { ok: false; reason: string } {
  const base = pythonReady();
  if (!base.ok) {
    return base;
  }
  const probe = spawnSync(pythonPath(), ["-c", "import grpc, google.protobuf"], { encoding: "utf8" });
  if (probe.status !== 0) {
    return {
      ok: false,
      reason: `${pythonPath()} lacks grpcio or protobuf; install them with: apt-get install python3-grpcio python3-protobuf`,
    };
  }
  return { ok: true };
}

"""Runs one of szcrypt_ref_tools' programs from wherever this folder is:

    python3 path/to/conformance/python PROGRAM [ARGS...]

Python puts the folder it runs on sys.path, so the programs import
szcrypt_ref (and the generated `sz` package) as installed packages would be,
both in a clone and inside the installed npm package, without anyone editing
sys.path. From this folder `python3 -m szcrypt_ref_tools.PROGRAM` is the same.
"""
import importlib
import sys

PROGRAMS = {
    "peer": "szcrypt_ref_tools.peer",
    "gen-vectors": "szcrypt_ref_tools.gen_vectors",
    "interop-server": "szcrypt_ref_tools.interop_server",
    "interop-client": "szcrypt_ref_tools.interop_client",
    "bench-reference": "szcrypt_ref_tools.bench_reference",
}

if len(sys.argv) < 2 or sys.argv[1] not in PROGRAMS:
    sys.exit(f"usage: python3 {sys.argv[0]} {{{','.join(PROGRAMS)}}} [ARGS...]")
name = sys.argv.pop(1)
sys.argv[0] = name
# Imported on demand: the peer must run where grpcio (used by the interop programs) is not installed.
importlib.import_module(PROGRAMS[name]).main()

"""Programs around the szcrypt_ref library: the vector generator, the conformance
peer, the grpcio interop client and server, and the reference benchmark.

Run one from conformance/python as `python3 -m szcrypt_ref_tools.peer`, or from
anywhere as `python3 path/to/conformance/python peer` (see __main__.py there).
"""

"""Python reference implementations of szcrypt's formats (conformance/SPEC.md).

`legacy` is the platform page's snippet (AES-CBC, random IV prepended, PKCS#7,
base64), written out again so that an IV can be fixed for test vectors. `szc1`
is szcrypt's authenticated format, with the optional context binding. `typed`
is the vectors' typed form of JSON values. The programs that use them (vector
generator, conformance peer, interop client and server) are in
szcrypt_ref_tools.
"""

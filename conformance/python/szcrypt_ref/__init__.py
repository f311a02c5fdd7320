"""Python reference implementations of szcrypt's formats.

`legacy` is the platform page's snippet (AES-CBC, random IV prepended, PKCS#7,
base64), written out again so that an IV can be fixed for test vectors.
"""

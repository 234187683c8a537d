"""``chipla xmlsig sign|verify``: enveloped XML-DSig for operators (RSA-SHA256, exclusive c14n).

``sign --key K --cert C IN OUT`` writes IN signed with the town's key and certificate to OUT;
``verify --cert C FILE`` exits 0 when FILE carries a valid signature by that certificate and 1 when
it does not, with the reason on one line. Unusable keys or files exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cryptography import x509

from broker import xmldsig


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("xmlsig", help="sign or verify XML documents (enveloped XML-DSig)")
    s = p.add_subparsers(dest="xmlsig_command", required=True)
    sign = s.add_parser("sign", help="sign IN with the town's key and certificate, write OUT")
    sign.add_argument("--key", required=True, help="PEM private key (RSA)")
    sign.add_argument("--cert", required=True, help="PEM certificate of the key (chain may follow)")
    sign.add_argument("--passphrase-env", help="environment variable holding the key's passphrase")
    sign.add_argument("input", help="XML document to sign")
    sign.add_argument("output", help="where to write the signed document ('-' for standard output)")
    sign.set_defaults(func=run_sign)
    verify = s.add_parser("verify", help="exit 0 when FILE is validly signed by CERT, 1 when not")
    verify.add_argument("--cert", required=True, help="PEM certificate the signature must be made with")
    verify.add_argument("file", help="signed XML document")
    verify.set_defaults(func=run_verify)


def _fail(message: str, status: int) -> int:
    print(f"chipla xmlsig: {message}", file=sys.stderr)
    return status


def run_sign(args: argparse.Namespace) -> int:
    passphrase = None
    if args.passphrase_env:
        value = os.environ.get(args.passphrase_env)
        if value is None:
            return _fail(f"environment variable {args.passphrase_env} is not set", 2)
        passphrase = value.encode("utf-8")
    try:
        signer = xmldsig.Signer.from_files(args.key, args.cert, passphrase=passphrase)
        document = Path(args.input).read_bytes()
        signed = signer.sign(document)
    except OSError as exc:
        return _fail(f"cannot read {exc.filename}: {exc.strerror}", 2)
    except (xmldsig.KeyMaterialError, xmldsig.SignatureInvalid) as exc:
        return _fail(str(exc), 2)
    if args.output == "-":
        sys.stdout.buffer.write(signed)
    else:
        Path(args.output).write_bytes(signed)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    try:
        cert = Path(args.cert).read_bytes()
        document = Path(args.file).read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {exc.filename}: {exc.strerror}", 2)
    try:
        xmldsig.verify(document, cert)
    except xmldsig.KeyMaterialError as exc:
        return _fail(str(exc), 2)
    except xmldsig.SignatureInvalid as exc:
        reason = " ".join(str(exc).split())
        print(f"INVALID {args.file}: {reason}")
        return 1
    print(f"valid {args.file}: signed by {_subject(cert)}")
    return 0


def _subject(cert_pem: bytes) -> str:
    return x509.load_pem_x509_certificates(cert_pem)[0].subject.rfc4514_string()

"""The electronic seal: PAdES signatures (ECDSA P-256) with the portal's signing certificate.

``sign_pdf(data) -> bytes`` signs (PAdES B-B; B-T when ``CERTIFICATE_TIMESTAMP_URL`` is set);
``pdf_signature_check(data)`` tells whether a file carries an intact signature by the
portal's certificate.  Outside production the key, certificate and a throwaway CA are
created on first use (``keys_init``, also ``manage.py certificate_keys init``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

SIGNER_NAME = "广东省专业技术人员继续教育管理系统电子印章"
CA_NAME = "CE Portal Throwaway Signing CA"


@dataclass(frozen=True)
class KeyPaths:
    key: Path
    cert: Path
    chain: Path


def key_paths() -> KeyPaths:
    return KeyPaths(
        key=Path(settings.CERTIFICATE_SIGNING_KEY),
        cert=Path(settings.CERTIFICATE_SIGNING_CERT),
        chain=Path(settings.CERTIFICATE_SIGNING_CHAIN),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CE Portal (development)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    if private:
        tmp.chmod(0o600)
    tmp.replace(path)  # atomic: a concurrent reader never sees half a file


def keys_init(paths: KeyPaths | None = None) -> bool:
    """Create a throwaway CA and an ECDSA P-256 signing certificate signed by it, unless the
    files exist; returns whether it created them.  For development and tests only."""
    paths = paths or key_paths()
    if paths.key.exists() and paths.cert.exists() and paths.chain.exists():
        return False
    paths.key.parent.mkdir(parents=True, exist_ok=True)
    # Two processes starting at once (a test run and its worker) must not mix two key pairs.
    with (paths.key.parent / ".keys.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if paths.key.exists() and paths.cert.exists() and paths.chain.exists():
            return False
        _keys_create(paths)
    return True


def _keys_create(paths: KeyPaths) -> None:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(CA_NAME))
        .issuer_name(_name(CA_NAME))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER_NAME))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write(paths.chain, ca_cert.public_bytes(pem))
    _write(paths.cert, cert.public_bytes(pem))
    _write(
        paths.key,
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        private=True,
    )
    logger.warning("Created a throwaway certificate-signing CA and key in %s", paths.key.parent)


@cache
def _signer(key: str, cert: str, chain: str):
    from pyhanko.sign import signers

    passphrase = settings.CERTIFICATE_SIGNING_KEY_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load(
        key, cert, ca_chain_files=(chain,), key_passphrase=passphrase
    )
    if signer is None:
        raise RuntimeError(f"Cannot load the certificate-signing key {key} / {cert}")
    return signer


def signer():
    """The portal's pyHanko signer (created on first use outside production)."""
    paths = key_paths()
    if settings.CERTIFICATE_KEYS_AUTOCREATE:
        keys_init(paths)
    return _signer(str(paths.key), str(paths.cert), str(paths.chain))


def signing_certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(key_paths().cert.read_bytes())


def _off_running_loop(call: Callable[[bytes], T], data: bytes) -> T:
    """``call(data)``, on another thread when this one runs an event loop: pyHanko's
    synchronous API runs its own loop (``asyncio.run``), which cannot start inside a running
    one (an ASGI worker, or Playwright's loop in the browser tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(data)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, data).result()


def sign_pdf(data: bytes) -> bytes:
    """``data`` signed with the portal's certificate: PAdES B-B (ECDSA P-256, SHA-256), or
    B-T with a timestamp when ``CERTIFICATE_TIMESTAMP_URL`` is set."""
    return _off_running_loop(_sign_pdf, data)


def _sign_pdf(data: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    timestamper = (
        timestamps.HTTPTimeStamper(settings.CERTIFICATE_TIMESTAMP_URL)
        if settings.CERTIFICATE_TIMESTAMP_URL
        else None
    )
    meta = signers.PdfSignatureMetadata(
        field_name="CertificateSeal",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=SIGNER_NAME,
        reason="继续教育证书电子印章",
        location="广东",
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))
    portal_signer = signer()
    # The space for the signature: pyHanko sizes it by building a whole dummy signature first
    # (about 40% of the signing time). Without a timestamp the signature's size does not change
    # from file to file (same certificates and attributes; pyHanko adds 50% on top), so the
    # first file's reservation is kept for the process; with one, each file is sized afresh.
    cache_key = (id(portal_signer), meta.md_algorithm)
    reserved = None if timestamper else _bytes_reserved.get(cache_key)
    out = signers.sign_pdf(
        writer, meta, signer=portal_signer, timestamper=timestamper, bytes_reserved=reserved
    )
    if reserved is None and not timestamper:
        _bytes_reserved[cache_key] = _contents_size(out.getvalue())
    return out.getvalue()


_bytes_reserved: dict[tuple[int, str | None], int] = {}


def _contents_size(signed: bytes) -> int:
    """The number of hex digits reserved for the last signature's ``/Contents`` in ``signed``."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(BytesIO(signed)).embedded_signatures[-1]
    return len(signature.sig_object["/Contents"]) * 2


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # the file carries at least one signature
    intact: bool  # every signature covers unchanged bytes and the last covers the whole file
    by_portal: bool  # the signer is the portal's signing certificate
    signer_name: str = ""


def pdf_signature_check(data: bytes) -> SignatureCheck:
    """Whether ``data`` is a PDF sealed by the portal and not changed since (no trust-chain
    decision: the comparison is with our own signing certificate)."""
    return _off_running_loop(_pdf_signature_check, data)


def _pdf_signature_check(data: bytes) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError):
        return SignatureCheck(signed=False, intact=False, by_portal=False)
    if not signatures:
        return SignatureCheck(signed=False, intact=False, by_portal=False)
    ours = signing_certificate()
    chain = x509.load_pem_x509_certificate(key_paths().chain.read_bytes())
    from asn1crypto import x509 as asn1_x509

    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(chain.public_bytes(serialization.Encoding.DER))]
    )
    signature = signatures[-1]
    try:
        status = validate_pdf_signature(signature, context)
    except Exception:
        logger.info("Uploaded PDF signature could not be validated", exc_info=True)
        return SignatureCheck(signed=True, intact=False, by_portal=False)
    cert_der = ours.public_bytes(serialization.Encoding.DER)
    by_portal = status.signing_cert.dump() == cert_der
    covers_all = signature.coverage is not None and signature.coverage.name == "ENTIRE_FILE"
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid and covers_all),
        by_portal=by_portal,
        signer_name=status.signing_cert.subject.native.get("common_name", ""),
    )

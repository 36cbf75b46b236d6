#!/usr/bin/env python3
"""Writes the seed corpus of the `signature` fuzz target into fuzz/seeds/signature/.

Usage: python3 fuzz/make_signature_seeds.py [PRIVATE_KEY.pem]

The RFC 9421 seeds that verify are signed with an RSA-2048 key made for fuzzing only; its
public half is `FUZZ_PUBLIC_KEY` in src/fuzzing.rs. The private half is not kept: without an
argument this script makes a new key (with the openssl command), signs with it and prints
the new public key, which then replaces `FUZZ_PUBLIC_KEY`. Needs python3 and openssl.

The request format is described in src/fuzzing.rs: a request line, `name: value` header
lines, `@now: <unix seconds>` for the RFC 9421 clock, an empty line, then the body.
`{date}` and `{unix}` are replaced by the current time when the target runs (draft-cavage
signatures are checked against the real clock), so those seeds never go stale.
"""

import base64
import hashlib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "seeds", "signature")

NOW = 1_700_000_000
HOST = "cohort.example"
KEY_ID = "https://mastodon.example/users/alice#main-key"
BODY = b'{"@context":"https://www.w3.org/ns/activitystreams","id":"https://mastodon.example/users/alice#follows/1","type":"Follow","actor":"https://mastodon.example/users/alice","object":"https://cohort.example/g/rust"}'


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sha256(data: bytes) -> str:
    return b64(hashlib.sha256(data).digest())


def sha512(data: bytes) -> str:
    return b64(hashlib.sha512(data).digest())


def sign(key: str, message: bytes, pss: bool = False) -> str:
    if pss:
        args = ["-sha512", "-sigopt", "rsa_padding_mode:pss", "-sigopt",
                "rsa_pss_saltlen:64", "-sigopt", "rsa_mgf1_md:sha512"]
    else:
        args = ["-sha256"]
    out = subprocess.run(["openssl", "dgst", *args, "-sign", key],
                         input=message, capture_output=True, check=True)
    return b64(out.stdout)


# 256 bytes that are no signature of anything: what a forged request carries.
JUNK = b64(bytes(range(256)))


def request(line: str, headers: list, body: bytes = b"") -> bytes:
    head = line + "\n" + "".join(f"{n}: {v}\n" for n, v in headers)
    return head.encode() + b"\n" + body


def rfc9421(key, components, params, *, method="POST", path="/inbox", body=BODY,
            extra=(), pss=False, label="sig1", now=NOW, signature=None):
    """A request signed per RFC 9421 over `components` (name, value) with `params`."""
    names = " ".join(f'"{n}"' for n, _ in components)
    inner = f"({names}){params}"
    base = "".join(f'"{n}": {v}\n' for n, v in components) + f'"@signature-params": {inner}'
    sig = signature or sign(key, base.encode(), pss)
    headers = [("host", HOST), *extra,
               ("signature-input", f"{label}={inner}"),
               ("signature", f"{label}=:{sig}:"),
               ("@now", str(now))]
    return request(f"{method} {path}", headers, body)


def seeds(key: str) -> dict:
    s = {}
    target = f"https://{HOST}/inbox"
    digest = f"sha-256=:{sha256(BODY)}:"
    post = [("@method", "POST"), ("@target-uri", target), ("content-digest", digest)]
    cd = [("content-digest", digest)]
    params = f';created={NOW};keyid="{KEY_ID}"'

    # --- draft-cavage, as each server family sends it --------------------------------------
    cavage_post = [("host", HOST), ("date", "{date}"), ("digest", f"SHA-256={sha256(BODY)}"),
                   ("content-type", "application/activity+json")]
    s["cavage_mastodon_rsa_sha256"] = request("POST /inbox", [*cavage_post, ("signature",
        f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="{JUNK}"')], BODY)
    s["cavage_lemmy_hs2019"] = request("POST /g/rust/inbox", [*cavage_post, ("signature",
        f'keyId="https://lemmy.example/u/bob#main-key",algorithm="hs2019",headers="(request-target) content-type date digest host",signature="{JUNK}"')], BODY)
    s["cavage_nodebb_no_algorithm"] = request("POST /inbox", [*cavage_post, ("signature",
        f'keyId="https://nodebb.example/uid/1#key",headers="(request-target) host date digest",signature="{JUNK}"')], BODY)
    s["cavage_gotosocial_main_key"] = request("POST /inbox", [*cavage_post, ("signature",
        f'keyId="https://gts.example/users/carol/main-key",algorithm="hs2019",headers="(request-target) host date digest",signature="{JUNK}"')], BODY)
    s["cavage_authorization_header"] = request("POST /inbox", [*cavage_post, ("authorization",
        f'Signature keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="{JUNK}"')], BODY)
    s["cavage_created_expires"] = request("POST /inbox", [*cavage_post, ("signature",
        f'keyId="{KEY_ID}",algorithm="hs2019",created={{unix}},expires=9999999999,headers="(request-target) (created) (expires) host date digest",signature="{JUNK}"')], BODY)
    s["cavage_signed_get"] = request("GET /g/rust/outbox?page=2", [("host", HOST), ("date", "{date}"),
        ("accept", "application/activity+json"), ("signature",
        f'keyId="https://cohort2.example/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date accept",signature="{JUNK}"')])
    s["cavage_get_created_only"] = request("GET /u/alice", [("signature",
        f'keyId="{KEY_ID}",algorithm="hs2019",created={{unix}},headers="(request-target) (created)",signature="{JUNK}"')])
    # --- draft-cavage, refused ------------------------------------------------------------
    s["cavage_stale_date"] = request("POST /inbox", [("host", HOST), ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        ("digest", f"SHA-256={sha256(BODY)}"), ("signature",
        f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="{JUNK}"')], BODY)
    s["cavage_hmac_algorithm"] = request("POST /inbox", [*cavage_post, ("signature",
        f'keyId="{KEY_ID}",algorithm="hmac-sha256",headers="(request-target) host date digest",signature="{JUNK}"')], BODY)
    s["cavage_digest_mismatch"] = request("POST /inbox", [("host", HOST), ("date", "{date}"),
        ("digest", f"SHA-256={sha256(b'other')},SHA-512={sha512(BODY)}"), ("signature",
        f'keyId="{KEY_ID}",headers="(request-target) host date digest",signature="not base64!"')], BODY)
    s["cavage_missing_fields"] = request("POST /inbox", [("host", HOST), ("date", "{date}"),
        ("signature", 'Signature algorithm="rsa-sha256",headers=""')], b"")

    # --- RFC 9421 that verify with FUZZ_PUBLIC_KEY ----------------------------------------
    s["rfc9421_mastodon_post"] = rfc9421(key, post, params, extra=cd)
    s["rfc9421_mastodon_post_alg"] = rfc9421(key, post, params + ';alg="rsa-v1_5-sha256"', extra=cd)
    get = [("@method", "GET"), ("@target-uri", f"https://{HOST}/g/rust/outbox?page=2")]
    s["rfc9421_signed_get"] = rfc9421(key, get, params, method="GET", path="/g/rust/outbox?page=2", body=b"")
    s["rfc9421_pss_sha512"] = rfc9421(key, post, params + ';alg="rsa-pss-sha512"', extra=cd, pss=True)
    digest512 = f"sha-512=:{sha512(BODY)}:"
    path_form = [("@method", "POST"), ("@path", "/inbox"), ("@query", "?a=1"), ("host", HOST),
                 ("content-digest", digest512), ("date", "Tue, 14 Nov 2023 22:13:20 GMT")]
    s["rfc9421_path_query_host_sha512"] = rfc9421(key, path_form, params + ';expires=1700003600;nonce="n1"',
        path="/inbox?a=1", extra=[("content-digest", digest512), ("date", "Tue, 14 Nov 2023 22:13:20 GMT")])
    rt = [("@method", "POST"), ("@request-target", "/inbox"), ("@authority", HOST),
          ("@scheme", "https"), ("content-digest", digest)]
    s["rfc9421_request_target_authority"] = rfc9421(key, rt, params, extra=cd, label="sig-2")

    # --- RFC 9421 Appendix B.2 examples (parse; they do not verify with our key) -----------
    rfc_body = b'{"hello": "world"}'
    rfc_headers = [("host", "example.com"), ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
                   ("content-type", "application/json"),
                   ("content-digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"),
                   ("content-length", "18")]
    s["rfc9421_b23_full_coverage"] = request("POST /foo?param=Value&Pet=dog", [*rfc_headers,
        ("signature-input", 'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"'),
        ("signature", "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:"),
        ("@now", "1618884475")], rfc_body)
    s["rfc9421_b21_b22_refused"] = request("POST /foo?param=Value&Pet=dog", [*rfc_headers,
        ("signature-input", 'sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd", sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"'),
        ("signature", "sig-b21=:AAAA:, sig-b22=:AAAA:"),
        ("@now", "1618884475")], rfc_body)

    # --- RFC 9421, refused ----------------------------------------------------------------
    s["rfc9421_expired"] = rfc9421(key, post, f';created={NOW - 100};expires={NOW - 1};keyid="{KEY_ID}"', extra=cd)
    s["rfc9421_body_mismatch"] = rfc9421(key, post, params, extra=cd, body=b'{"type":"Delete"}')
    s["rfc9421_malformed_fields"] = request("POST /inbox", [("host", HOST),
        ("signature-input", 'sig1=("@method" "@target-uri" "content-digest";bs);created=-1;keyid=?1;alg=rsa-v1_5-sha256, sig1=()'),
        ("signature-input", 'sig2=("@method" @target-uri);created=1.5'),
        ("signature", "sig1=:not*base64:, sig2=(:AAAA:)"),
        ("content-digest", "sha-256=:AAAA:, md5=:AAAA:, sha-512=\"x\""),
        ("@now", str(NOW))], BODY)
    s["rfc9421_unsupported_derived"] = rfc9421(key, [("@method", "POST"), ("@target-uri", target),
        ("@status", "200"), ("content-digest", digest)], params, extra=cd, signature=JUNK)
    return s


def main():
    if len(sys.argv) > 1:
        key = sys.argv[1]
    else:
        tmp = tempfile.mkdtemp()
        key = os.path.join(tmp, "private.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", key], check=True, capture_output=True)
        public = subprocess.run(["openssl", "pkey", "-in", key, "-pubout"],
                                check=True, capture_output=True).stdout.decode()
        print("New key; put this in FUZZ_PUBLIC_KEY (src/fuzzing.rs):\n" + public)
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds(key).items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(os.listdir(OUT))} seeds to {OUT}")


if __name__ == "__main__":
    main()

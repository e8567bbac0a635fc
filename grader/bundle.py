"""The grading bundle: what only graders hold, in one file.

A gzipped tar with `bundle.json` (the hidden-variant secret, the record-signing key and its public
half, the labs it covers) and `labs/<lab>/.meta/` of each lab (reference, hidden checks, wrong and
alternative cases). Laid over a course that lacks them (a student edition, a base ref), it restores
what grading needs. Re-bundling into an existing file keeps its secret and key, so hidden data and
released records stay valid while the checks and references are refreshed.
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

from grader import signing
from grader.errors import UsageError

FORMAT = 1
MANIFEST = "bundle.json"


@dataclass(frozen=True)
class Keys:
    secret: str  # hex; hidden variants and check seeds are derived from it (grader.datasets)
    signing_key: str  # hex Ed25519 private key; signs release records (grader.signing)

    @property
    def public_key(self) -> str:
        return signing.public_key(self.signing_key)


@dataclass(frozen=True)
class Bundle:
    path: Path
    keys: Keys
    labs: list[str]


def new_keys() -> Keys:
    return Keys(secrets.token_hex(32), signing.new_private_key())


def _not_a_bundle(path: Path, why: str) -> UsageError:
    return UsageError(f"{path} is not a grading bundle: {why}",
                      "pass the file `grader bundle OUT` wrote (in CI: the secret that holds it, decoded)")


def read(path: Path) -> Bundle:
    if not path.is_file():
        raise UsageError(f"no grading bundle at {path}", "create one with `grader bundle FILE`, or fix the path")
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise _not_a_bundle(path, f"it holds no {MANIFEST}")
            manifest = json.loads(member.read())
    except (tarfile.TarError, OSError, ValueError, KeyError) as exc:
        raise _not_a_bundle(path, str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_a_bundle(path, f"unknown format {manifest.get('format') if isinstance(manifest, dict) else '?'}")
    return Bundle(path, Keys(str(manifest["secret"]), str(manifest["signing_key"])), list(manifest["labs"]))


def write(path: Path, labs_root: Path, lab_ids: list[str], keys: Keys) -> Bundle:
    """Pack `labs_root/<lab>/.meta/` of each lab with the keys into `path` (mode 0600: it is a secret)."""
    manifest = {"format": FORMAT, "secret": keys.secret, "signing_key": keys.signing_key,
                "public_key": keys.public_key, "labs": lab_ids}
    partial = path.with_name(path.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        data = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o600
        archive.addfile(info, io.BytesIO(data))
        for lab_id in lab_ids:
            meta = labs_root / lab_id / ".meta"
            if meta.is_dir():
                archive.add(meta, arcname=f"labs/{lab_id}/.meta", filter=_no_caches)
    partial.chmod(0o600)
    partial.replace(path)
    return Bundle(path, keys, lab_ids)


def _no_caches(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if "__pycache__" in info.name.split("/") else info


def lay_over(bundle: Bundle, labs_root: Path) -> None:
    """Replace each bundled lab's `.meta/` under `labs_root` with the bundle's (a course copy, never a checkout)."""
    for lab_id in bundle.labs:
        if (labs_root / lab_id).is_dir():
            shutil.rmtree(labs_root / lab_id / ".meta", ignore_errors=True)
    with tarfile.open(bundle.path, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("labs/")]
        archive.extractall(labs_root.parent, members=members, filter="data")

"""Which image each container service runs: the digest `make images` pushed, read from a manifest.

`make images STACK=<stack>` builds every container service's Dockerfile, pushes it to the service's
ECR repository and records the digest the registry returned in `images/<stack>.json`. The task
definition names the image by that digest, never by a tag, so what runs is exactly what was pushed
and scanned. The offline preview and `pulumi preview` need no image: a service without a pin shows
a clearly named placeholder and a warning, and `pulumi up` refuses to deploy it (see
`ContainerService`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

MANIFEST_DIR = Path("images")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
#: The tag the preview shows in place of a digest; it says what to do about it.
PLACEHOLDER_TAG = "unpinned-run-make-images"


class ManifestError(ValueError):
    """An image manifest that cannot be trusted; the message names the file and the entry."""


@dataclass(frozen=True)
class ImagePin:
    """What `make images` pushed for one service: the repository (by name) and the image's digest."""

    repository: str
    digest: str
    #: Content hash of the build context, so a later `make images` knows whether to rebuild.
    source: str = ""

    def to_json(self) -> dict[str, str]:
        return {"repository": self.repository, "digest": self.digest, "source": self.source}


def manifest_path(root: Path, stack: str) -> Path:
    return root / MANIFEST_DIR / f"{stack}.json"


def read_pins(root: Path, stack: str) -> dict[str, ImagePin]:
    """Service -> pin; an absent manifest pins nothing; a malformed one is an error, never ignored."""
    path = manifest_path(root, stack)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ManifestError(f"{path}: not JSON ({error})") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: must be an object of service -> {{repository, digest}}")
    pins = {}
    for service, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("repository"), str) \
                or not DIGEST.fullmatch(str(entry.get("digest", ""))):
            raise ManifestError(f"{path}: entry {service!r} needs a repository name and a digest sha256:<64 hex>")
        pins[service] = ImagePin(entry["repository"], entry["digest"], str(entry.get("source", "")))
    return pins


def write_pins(root: Path, stack: str, pins: Mapping[str, ImagePin]) -> Path:
    path = manifest_path(root, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({s: p.to_json() for s, p in sorted(pins.items())}, indent=2, sort_keys=True) + "\n")
    return path


def image_reference(repository_url: str, pin: ImagePin | None) -> str:
    """`<repository url>@sha256:...` when pinned, else the named placeholder tag."""
    return f"{repository_url}@{pin.digest}" if pin is not None else f"{repository_url}:{PLACEHOLDER_TAG}"


def usable_pin(pins: Mapping[str, ImagePin], service: str, repository: str) -> ImagePin | None:
    """The service's pin if it was pushed to this stack's repository (a pin for another repository
    names an image this stack's tasks could not pull)."""
    pin = pins.get(service)
    return pin if pin is not None and pin.repository == repository else None

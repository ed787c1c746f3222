"""`make images STACK=<stack>`: build, push and pin every container service's image.

For each container service of the stack (found by running the program offline, so the list is the
one `__main__.py` declares), this builds its Dockerfile for linux/arm64, pushes it to the service's
ECR repository under a tag derived from the build context's content, reads the digest back from
ECR and records it in `images/<stack>.json`, which the program pins the task definition to. An
unchanged context whose tag is already in the repository is neither rebuilt nor pushed.

It needs Docker, AWS credentials for the stack's account, and the repositories: the first
`pulumi up` of a stack creates them (and refuses to run the unpinned services), then this, then
`pulumi up` again. Usage: `python -m components.images <stack> [--dry-run]`.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from components.services.container_images import ImagePin, read_pins, write_pins

REPO_ROOT = Path(__file__).resolve().parents[1]
PLATFORM = "linux/arm64"
Runner = Callable[..., Any]


@dataclass(frozen=True)
class ImageBuild:
    service: str
    repository: str          # the repository's name, e.g. platform-dev-menu-app
    context: str             # relative to the project root
    dockerfile: str = "Dockerfile"


def context_digest(root: Path, context: str) -> str:
    """A hash of every file of the build context (paths and bytes), the tag an unchanged context keeps."""
    digest = hashlib.sha256()
    base = root / context
    for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def builds_of(stack: str, root: Path = REPO_ROOT) -> list[ImageBuild]:
    """The stack's container services as the program declares them (run offline, under the mocks)."""
    from components.preview.runner import run_stack

    result = run_stack(stack, root=root)
    builds = []
    for service, entry in sorted(result.outputs["services"].items()):
        if entry.get("kind") == "container":
            builds.append(ImageBuild(service=service, repository=entry["repositoryUrl"].split("/", 1)[1],
                                     context=entry["imageContext"], dockerfile=entry["imageDockerfile"]))
    return builds


def _existing_digest(ecr: Any, repository: str, tag: str) -> str | None:
    try:
        found = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])["imageDetails"]
    except ecr.exceptions.ImageNotFoundException:
        return None
    return found[0]["imageDigest"] if found else None


def push_images(stack: str, builds: Sequence[ImageBuild], *, ecr: Any, account_id: str, region: str,
                root: Path = REPO_ROOT, run: Runner = subprocess.run, dry_run: bool = False) -> dict[str, ImagePin]:
    """Builds and pushes what changed, and returns every service's pin (recorded unless `dry_run`)."""
    registry = f"{account_id}.dkr.ecr.{region}.amazonaws.com"
    pins = read_pins(root, stack)
    logged_in = False
    for build in builds:
        source = context_digest(root, build.context)
        tag = f"src-{source}"
        digest = _existing_digest(ecr, build.repository, tag)
        if digest is None and not dry_run:
            url = f"{registry}/{build.repository}:{tag}"
            if not logged_in:
                token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
                user, password = base64.b64decode(token).decode().split(":", 1)
                run(["docker", "login", "--username", user, "--password-stdin", registry], input=password,
                    text=True, check=True)
                logged_in = True
            run(["docker", "build", "--platform", PLATFORM, "--tag", url, "--file",
                 str(root / build.context / build.dockerfile), str(root / build.context)], check=True)
            run(["docker", "push", url], check=True)
            digest = _existing_digest(ecr, build.repository, tag)
            if digest is None:
                raise RuntimeError(f"{build.service}: pushed {url} but ECR does not list it")
        print(f"{build.service}: {build.repository}@{digest or '(would build and push)'}")
        if digest is not None:
            pins[build.service] = ImagePin(repository=build.repository, digest=digest, source=source)
    if not dry_run:
        path = write_pins(root, stack, pins)
        print(f"pinned in {path.relative_to(root)}; `pulumi up --stack {stack}` deploys these digests")
    return pins


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.images", description=__doc__.split("\n")[0])
    parser.add_argument("stack")
    parser.add_argument("--dry-run", action="store_true", help="show what would be built; push and record nothing")
    args = parser.parse_args(argv)
    import boto3

    from components.preview.stack_config import load_stack_config

    region = load_stack_config(REPO_ROOT, args.stack)[0].get("aws:region", "us-east-1")
    account = boto3.client("sts", region_name=region).get_caller_identity()["Account"]
    push_images(args.stack, builds_of(args.stack), ecr=boto3.client("ecr", region_name=region), account_id=account,
                region=region, dry_run=args.dry_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())

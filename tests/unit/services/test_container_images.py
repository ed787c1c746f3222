"""`make images`: builds what changed, pushes it, reads the digest from ECR, pins it; manifests are validated."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from components.images import ImageBuild, context_digest, push_images
from components.services.container_images import (ImagePin, ManifestError, image_reference, read_pins, usable_pin,
                                                   write_pins)

DIGEST = "sha256:" + "c" * 64


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "services" / "menu").mkdir(parents=True)
    (tmp_path / "services" / "menu" / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "services" / "menu" / "app.py").write_text("print('menu')\n")
    return tmp_path


class FakeDocker:
    """Records docker commands; a push stores an image manifest in (moto's) ECR, as the registry would."""

    def __init__(self, ecr) -> None:
        self.ecr = ecr
        self.commands: list[list[str]] = []

    def __call__(self, command, **kwargs):
        self.commands.append(command)
        if command[1] == "push":
            repository, tag = command[2].split("/", 1)[1].split(":")
            self.ecr.put_image(repositoryName=repository, imageTag=tag, imageManifest=json.dumps(
                {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                 "config": {"digest": "sha256:" + "d" * 64, "size": 1, "mediaType": "x"}, "layers": []}))


@mock_aws
def test_builds_pushes_and_pins_then_skips_an_unchanged_context(project, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="platform-dev-menu-app")
    docker = FakeDocker(ecr)
    builds = [ImageBuild("menu", "platform-dev-menu-app", "services/menu")]
    pins = push_images("dev", builds, ecr=ecr, account_id="123456789012", region="us-east-1", root=project, run=docker)
    verbs = [c[1] for c in docker.commands]
    assert verbs == ["login", "build", "push"]
    assert "--platform" in docker.commands[1] and "linux/arm64" in docker.commands[1]
    digest = ecr.describe_images(repositoryName="platform-dev-menu-app")["imageDetails"][0]["imageDigest"]
    assert pins["menu"] == ImagePin("platform-dev-menu-app", digest, context_digest(project, "services/menu"))
    assert read_pins(project, "dev") == pins
    docker.commands.clear()
    push_images("dev", builds, ecr=ecr, account_id="123456789012", region="us-east-1", root=project, run=docker)
    assert docker.commands == []      # same content, same tag: already in the repository


def test_the_context_digest_changes_with_content(project):
    before = context_digest(project, "services/menu")
    (project / "services" / "menu" / "app.py").write_text("print('menu 2')\n")
    assert context_digest(project, "services/menu") != before


def test_a_malformed_manifest_is_an_error_naming_the_file_and_entry(project):
    (project / "images").mkdir()
    (project / "images" / "dev.json").write_text(json.dumps({"menu": {"repository": "r", "digest": "latest"}}))
    with pytest.raises(ManifestError, match=r"dev.json: entry 'menu'"):
        read_pins(project, "dev")
    (project / "images" / "dev.json").write_text("{not json")
    with pytest.raises(ManifestError, match="not JSON"):
        read_pins(project, "dev")


def test_pins_round_trip_and_apply_only_to_their_repository(project):
    write_pins(project, "prod", {"menu": ImagePin("platform-prod-menu-app", DIGEST, "abc")})
    pins = read_pins(project, "prod")
    assert usable_pin(pins, "menu", "platform-prod-menu-app") == pins["menu"]
    assert usable_pin(pins, "menu", "platform-dev-menu-app") is None
    assert image_reference("r.example/menu", pins["menu"]) == f"r.example/menu@{DIGEST}"
    assert image_reference("r.example/menu", None) == "r.example/menu:unpinned-run-make-images"

"""The Kubernetes manifests, checked offline against the API schemas."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "k8s"
CUSTOM_KINDS = {"HTTPRoute", "Kustomization"}  # CRDs: no bundled schema


def _resources() -> list[tuple[str, dict]]:
    return [
        (f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc)
        for path in sorted(K8S.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") != "Kustomization"
    ]


@pytest.mark.parametrize(
    ("name", "resource"),
    [r for r in _resources() if r[1]["kind"] not in CUSTOM_KINDS],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_manifest_is_valid_for_the_kubernetes_api(name, resource):
    kubernetes_validate.validate(resource, kubernetes_validate.latest_version(), strict=True)


def test_kustomization_lists_every_manifest():
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(listed) == sorted(on_disk)


def test_routes_point_at_the_web_service_and_probes_avoid_websockets():
    resources = dict(_resources())
    service = resources["web.yaml:Service/satgen-web"]
    route = resources["httproute.yaml:HTTPRoute/satgen"]
    ingress = resources["ingress.yaml:Ingress/satgen"]
    assert route["spec"]["rules"][0]["backendRefs"][0] == {"name": "satgen-web", "port": 80}
    assert service["spec"]["ports"][0]["port"] == 80
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "satgen-web"
    web = resources["web.yaml:Deployment/satgen-web"]["spec"]["template"]["spec"]
    container = web["containers"][0]
    probes = [container["readinessProbe"], container["livenessProbe"]]
    assert all(not probe["httpGet"]["path"].startswith("/ws/") for probe in probes)
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"

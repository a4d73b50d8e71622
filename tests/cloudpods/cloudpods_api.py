"""The Cloudpods services for tests (tools/cloudpods), and the region API as a test's own
witness of what the module did: the storage, and where a host mounts it. Shared by
tests/cloudpods and the lab's cloudpods scenario."""

import json
import pathlib
import subprocess
import urllib.error
import urllib.request

import pytest

CLOUDPODS = pathlib.Path(__file__).resolve().parents[2] / "tools" / "cloudpods"
# tools/cloudpods's exit status when the binaries are missing.
EXIT_NO_BINARIES = 3


def services_up(*arguments):
    """`tools/cloudpods up ARGUMENTS` (it reuses what runs) and the OS_* environment `env`
    prints; the calling test is skipped, saying how to build them, without the binaries."""
    up = subprocess.run([str(CLOUDPODS), "up"] + list(arguments), capture_output=True,
                        text=True, check=False)
    if up.returncode == EXIT_NO_BINARIES:
        pytest.skip(up.stderr.strip())
    assert up.returncode == 0, up.stdout + up.stderr
    lines = subprocess.run([str(CLOUDPODS), "env"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    return dict(line[len("export "):].split("=", 1) for line in lines)


class Api(object):
    """The region API as the test's own witness of what the module did."""

    def __init__(self, env):
        self.region_url = env["CLOUDPODS_REGION_URL"]
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": env["OS_USERNAME"], "password": env["OS_PASSWORD"],
            "domain": {"name": env["OS_DOMAIN_NAME"]}}}},
            "scope": {"project": {"name": env["OS_PROJECT_NAME"],
                                  "domain": {"name": env["OS_PROJECT_DOMAIN_NAME"]}}}}}
        request = urllib.request.Request(env["OS_AUTH_URL"] + "/auth/tokens",
                                         data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            self.token = response.headers["X-Subject-Token"]

    def get(self, path):
        """The parsed answer, or None on 404."""
        request = urllib.request.Request(self.region_url + path,
                                         headers={"X-Auth-Token": self.token})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def storage(self, name):
        rows = self.get("/storages?name=%s" % name)["storages"]
        return rows[0] if rows else None

    def mount_point(self, host, storage):
        pair = self.get("/hosts/%s/storages/%s" % (host, storage))
        return pair["hoststorage"]["mount_point"] if pair else None

    def attached(self, name):
        """{host name: mount point} of every host the storage is attached to; None when there
        is no such storage."""
        storage = self.get("/storages/%s" % name)
        if storage is None:
            return None
        hosts = storage["storage"].get("hosts") or []
        return dict((host["name"], self.mount_point(host["id"], storage["storage"]["id"]))
                    for host in hosts)

    def remove_host(self, name):
        """Forget a host (what an earlier run registered); nothing when there is none."""
        request = urllib.request.Request(self.region_url + "/hosts/%s" % name, method="DELETE",
                                         headers={"X-Auth-Token": self.token})
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise

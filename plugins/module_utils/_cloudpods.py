# Copyright: ocfs2.cluster contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloudpods: keystone v3 and the region (compute_v2) API for the cloudpods_storage module.

The decisions are pure functions (find_region_endpoint, parse_api_error, pick_storage,
plan_storage, predict_state, storage_diff, attach_outcome) that the unit tests cover without a
network. CloudpodsClient is the one place a request is sent (ansible's open_url), and
read_storage_state, run_plan and wait_attach_settled gather and change state through it.

REST shapes: yunionio/cloudpods, pkg/mcclient (auth, session), pkg/compute/models/storages.go
and hoststorages.go, pkg/compute/hostdrivers/kvm.go (the checks of an attach).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import open_url

STORAGE_TYPE = "gpfs"
# The region registers itself as compute_v2 (the catalog an operator builds); pkg/apis/const.go
# names the same service "compute" (SERVICE_TYPE_REGION).
REGION_SERVICE_TYPES = ("compute_v2", "compute")
INTERFACES = ("public", "internal", "admin")
MEDIUM_TYPES = ("rotate", "ssd", "hybrid")
# ValidateCreateData's default (pkg/compute/models/storages.go).
DEFAULT_MEDIUM_TYPE = "ssd"
HOST_ONLINE = "online"
# Joint and event lists: one page is enough for a storage's hosts.
LIST_LIMIT = 2048
SETTLE_POLL_S = 0.25
DETACH_WAIT_S = 10


class CloudpodsError(Exception):
    """What went wrong, where, and what next; `fields` travel separately in fail_json."""

    def __init__(self, msg, status=None, error_class=None, details=None, method=None,
                 url=None):
        super(CloudpodsError, self).__init__(msg)
        self.status = status
        self.error_class = error_class
        self.details = details
        self.method = method
        self.url = url
        self.done_actions = None

    @property
    def fields(self):
        names = ("status", "error_class", "details", "method", "url", "done_actions")
        return dict((name, getattr(self, name)) for name in names
                    if getattr(self, name) is not None)

    def explained(self, what, hint=None):
        """The same API error, told as what the module was doing and what to do next."""
        message = "Cloudpods could not %s: %s" % (what, self.details or str(self))
        if self.status is not None:
            message += " (HTTP %s%s)" % (self.status,
                                         " " + self.error_class if self.error_class else "")
        if hint:
            message += ". " + hint
        return CloudpodsError(message, self.status, self.error_class, self.details,
                              self.method, self.url)


# ---------------------------------------------------------------- pure: protocol

def tokens_url(auth_url):
    """Keystone's token URL from OS_AUTH_URL, which ends in /v3 (added when missing)."""
    base = auth_url.rstrip("/")
    if not base.endswith("/v3"):
        base += "/v3"
    return base + "/auth/tokens"


def auth_request_body(params):
    """The password authentication of mcclient's _authV3, scoped to the project."""
    return {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": params["username"], "password": params["password"],
            "domain": {"name": params["domain_name"]}}}},
        "scope": {"project": {"name": params["project_name"],
                              "domain": {"name": params["project_domain_name"]}}}}}


def parse_api_error(status, body, method, url):
    """An error answer as CloudpodsError; its message is the API's `details`.

    Expects the region's and keystone's shape, {"class": "DuplicateNameError", "code": 409,
    "details": "Duplicate name storage vmstore", "time": "..."}, and copes with an OpenStack
    {"error": {"message", "title"}} body or plain text.
    """
    error_class = None
    details = None
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        parsed = dict(parsed["error"], **{"class": parsed["error"].get("title")})
        parsed.setdefault("details", parsed.get("message"))
    if isinstance(parsed, dict):
        error_class = parsed.get("class")
        details = parsed.get("details")
        if details is not None and not isinstance(details, str):
            details = json.dumps(details, sort_keys=True)
    if not details:
        details = (body or "").strip()[:2000] or "no details in the answer"
    message = "%s %s: HTTP %s %s: %s" % (method, url, status, error_class or "", details)
    return CloudpodsError(message, status=status, error_class=error_class, details=details,
                          method=method, url=url)


def auth_failure(error, params):
    """Keystone's refusal, told with the user, domain and project it was about."""
    who = "user %s (domain %s)" % (params["username"], params["domain_name"])
    if error.status == 404 or error.error_class == "UserNotFound":
        hint = ("keystone at %s has no %s. Check username and domain_name (OS_USERNAME, "
                "OS_DOMAIN_NAME)" % (params["auth_url"], who))
    elif error.error_class == "WrongPassword":
        hint = ("keystone at %s refused the password of %s. Check password (OS_PASSWORD)"
                % (params["auth_url"], who))
    elif error.status == 401:
        hint = ("keystone at %s refused %s for project %s (domain %s). Check project_name "
                "and project_domain_name, and that the user has a role in that project"
                % (params["auth_url"], who, params["project_name"],
                   params["project_domain_name"]))
    else:
        hint = "Check auth_url (%s)" % params["auth_url"]
    return error.explained("authenticate", hint)


def find_region_endpoint(catalog, region_name, interface):
    """The region API's URL in a keystone v3 token's catalog.

    Expects [{"type": "compute_v2", "name": "region2", "endpoints": [{"interface": "public",
    "region_id": "region0", "url": "http://127.0.0.1:8889"}]}]. Without region_name, the one
    region that offers the service is taken.
    """
    services = [service for service in catalog or []
                if service.get("type") in REGION_SERVICE_TYPES]
    services.sort(key=lambda service: REGION_SERVICE_TYPES.index(service["type"]))
    if not services:
        have = sorted(set(service.get("type", "?") for service in catalog or []))
        raise CloudpodsError(
            "the keystone catalog has no region service (type %s); it offers: %s. Register "
            "the region's endpoints in keystone, or check auth_url"
            % (" or ".join(REGION_SERVICE_TYPES), ", ".join(have) or "nothing"))
    offered = []
    for service in services:
        for endpoint in service.get("endpoints") or []:
            region = endpoint.get("region_id") or endpoint.get("region")
            offered.append((region, endpoint.get("interface"), endpoint.get("url")))
    regions = sorted(set(offer[0] for offer in offered if offer[0]))
    if region_name is None:
        if len(regions) != 1:
            raise CloudpodsError(
                "the keystone catalog offers the region service in %s; set region_name "
                "(OS_REGION_NAME) to one of them" % (", ".join(regions) or "no region"))
        region_name = regions[0]
    for region, endpoint_interface, url in offered:
        if region == region_name and endpoint_interface == interface and url:
            return url.rstrip("/")
    choices = sorted("%s/%s" % (offer[0], offer[1]) for offer in offered)
    raise CloudpodsError(
        "the keystone catalog has no %s endpoint of the region service in region %s; it has "
        "(region/interface): %s. Set region_name and interface to one of them"
        % (interface, region_name, ", ".join(choices) or "none"))


# ---------------------------------------------------------------- pure: decisions

def pick_storage(rows, name, zone, storage_type=STORAGE_TYPE):
    """The storage called `name` among the rows of GET /storages?name=NAME, or None.

    Storage names are unique in the region (a second one is refused with HTTP 409), so one of
    another type or in another zone cannot be reused and is refused here.
    """
    matches = [row for row in rows if row.get("name") == name]
    if not matches:
        return None
    storage = matches[0]
    if storage.get("storage_type") != storage_type:
        raise CloudpodsError(
            "a storage named %s already exists in zone %s with type %s, not %s; choose "
            "another name" % (name, storage.get("zone"), storage.get("storage_type"),
                              storage_type))
    if zone is not None and zone["id"] != storage.get("zone_id"):
        raise CloudpodsError(
            "storage %s exists in zone %s, not in zone %s; storage names are unique in the "
            "region: choose another name, or set zone: %s"
            % (name, storage.get("zone"), zone["name"], storage.get("zone")))
    return storage


def _attachment_by_host(state):
    return dict((attachment["host_id"], attachment) for attachment in state["attachments"])


def plan_storage(state, params):
    """The steps that bring `state` (read_storage_state) to what `params` ask, in order.

    Each step is a dict with "action": create, update, attach, update_mount_point, detach or
    delete, and the host, mount point or fields it is about. An empty list is the
    idempotent case. Refuses, before any step runs, what the region would refuse.
    """
    storage = state["storage"]
    name = params["name"]
    if params["state"] == "absent":
        if storage is None:
            return []
        steps = [{"action": "detach", "host": attachment["host"],
                  "host_id": attachment["host_id"], "mount_point": attachment["mount_point"]}
                 for attachment in sorted(state["attachments"], key=lambda a: a["host"])]
        return steps + [{"action": "delete", "storage": name}]

    steps = []
    if storage is None:
        steps.append({"action": "create", "storage": name, "zone": state["zone"]["name"],
                      "medium_type": params.get("medium_type") or DEFAULT_MEDIUM_TYPE,
                      "capacity_mb": params.get("capacity_mb") or 0})
    elif params.get("medium_type") and params["medium_type"] != storage.get("medium_type"):
        steps.append({"action": "update", "storage": name,
                      "changes": {"medium_type": params["medium_type"]}})

    mount_point = params.get("mount_point")
    if state["hosts"] and not mount_point:
        raise CloudpodsError(
            "hosts are given but mount_point is not: set mount_point to where the shared "
            "filesystem is mounted on every host")
    if mount_point is not None and not mount_point.startswith("/"):
        raise CloudpodsError("mount_point %r is not an absolute path; give the mount's root, "
                             "for example /srv/ocfs2" % (mount_point,))
    attached = _attachment_by_host(state)
    seen = set()
    for ref in params.get("hosts") or []:
        host = state["hosts"][ref]
        if host["id"] in seen:
            continue
        seen.add(host["id"])
        current = attached.get(host["id"])
        if current is not None and current["mount_point"] == mount_point:
            continue
        if current is not None:
            if not params.get("update_mount_point"):
                raise CloudpodsError(
                    "storage %s is attached to host %s at %s, not at %s. Set "
                    "update_mount_point: true to change it, or set mount_point: %s"
                    % (name, host["name"], current["mount_point"], mount_point,
                       current["mount_point"]))
            steps.append({"action": "update_mount_point", "host": host["name"],
                          "host_id": host["id"], "mount_point": mount_point,
                          "previous_mount_point": current["mount_point"]})
            continue
        _check_attachable(host, mount_point, storage, name)
        steps.append({"action": "attach", "host": host["name"], "host_id": host["id"],
                      "mount_point": mount_point})
    return steps


def _check_attachable(host, mount_point, storage, name):
    """What ValidateAttachStorage (hostdrivers/kvm.go) refuses, said before any change."""
    if host.get("host_status") != HOST_ONLINE:
        raise CloudpodsError(
            "host %s is %s in Cloudpods; the region attaches storage only to online hosts. "
            "Start the host agent on %s (it pings the region) and run again"
            % (host["name"], host.get("host_status") or "not online", host["name"]))
    for other in host.get("storages") or []:
        same_storage = storage is not None and other.get("storage_id") == storage["id"]
        if other.get("mount_point") == mount_point and not same_storage:
            raise CloudpodsError(
                "host %s already has mount point %s for storage %s; a mount point holds one "
                "storage. Choose another mount_point for %s, or detach %s from %s first"
                % (host["name"], mount_point, other.get("storage") or other.get("storage_id"),
                   name, other.get("storage") or other.get("storage_id"), host["name"]))


def predict_state(state, steps, params):
    """The state after the steps, as far as the plan knows it (check mode's answer)."""
    storage = dict(state["storage"]) if state["storage"] else None
    attachments = dict((a["host_id"], dict(a)) for a in state["attachments"])
    hosts_by_id = dict((host["id"], host) for host in state["hosts"].values())
    for step in steps:
        action = step["action"]
        if action == "create":
            storage = {"id": None, "name": step["storage"], "status": "online",
                       "capacity": step["capacity_mb"], "zone": step["zone"],
                       "zone_id": state["zone"]["id"], "medium_type": step["medium_type"],
                       "storage_type": STORAGE_TYPE}
        elif action == "update":
            storage.update(step["changes"])
        elif action == "attach":
            host = hosts_by_id[step["host_id"]]
            attachments[step["host_id"]] = {
                "host": step["host"], "host_id": step["host_id"],
                "mount_point": step["mount_point"], "host_status": host.get("host_status")}
        elif action == "update_mount_point":
            attachments[step["host_id"]]["mount_point"] = step["mount_point"]
        elif action == "detach":
            attachments.pop(step["host_id"], None)
        elif action == "delete":
            storage = None
    return {"zone": state["zone"], "storage": storage, "hosts": state["hosts"],
            "attachments": sorted(attachments.values(), key=lambda a: a["host"])}


def storage_summary(state):
    """What diff shows: the storage and its hosts' mount points; {} when there is none."""
    storage = state["storage"]
    if storage is None:
        return {}
    return {"name": storage["name"], "storage_type": storage.get("storage_type"),
            "zone": storage.get("zone"), "medium_type": storage.get("medium_type"),
            "hosts": dict((a["host"], a["mount_point"]) for a in state["attachments"])}


def storage_diff(before, after):
    return {"before": storage_summary(before), "after": storage_summary(after)}


def storage_report(state):
    """The module's storage and hosts return values."""
    storage = state["storage"]
    report = None
    if storage is not None:
        report = dict((key, storage.get(key)) for key in
                      ("id", "name", "status", "capacity", "zone", "medium_type"))
    hosts = [{"name": a["host"], "id": a["host_id"], "mount_point": a["mount_point"],
              "status": a.get("host_status")} for a in state["attachments"]]
    return {"storage": report, "hosts": sorted(hosts, key=lambda host: host["name"])}


def attach_fail_reason(notes):
    """The agent's error in the region's attach_fail event.

    Expects notes like 'attach host h2 failed: {"__reason__":"{\\"error\\":{\\"class\\":
    \\"InternalServerError\\",\\"code\\":500,\\"details\\":\\"mount went away\\",...}}"}'.
    """
    text = notes or ""
    reason = text.partition(" failed: ")[2] or text
    try:
        inner = json.loads(reason).get("__reason__", reason)
    except (ValueError, AttributeError):
        return reason.strip()[:2000]
    try:
        error = json.loads(inner).get("error") or {}
        return error.get("details") or inner
    except (ValueError, AttributeError):
        return inner.strip()[:2000] if isinstance(inner, str) else str(inner)


def attach_outcome(host_name, pair, events, capacity):
    """Whether an attach the region accepted has settled: (outcome, reason).

    After the 200 the region asks the host agent to attach (tasks/host/
    host_storage_attach_task.go); the agent reports the mount's capacity, and on success the
    task logs a storage event "attach" without notes; on failure it logs "attach_fail"
    ("attach host H failed: ...") and removes the link. `pair` is the link (None once gone),
    `events` the storage's events since the attach request (None when they cannot be read),
    `capacity` the storage's capacity now. Outcomes: settled, failed, pending.
    """
    reason = None
    for event in events or []:
        if event.get("action") == "attach_fail" and \
                (event.get("notes") or "").startswith("attach host %s failed" % host_name):
            reason = attach_fail_reason(event.get("notes"))
    if reason is not None:
        return "failed", reason
    if pair is None:
        return "failed", None
    if events is None:
        return ("settled", None) if capacity and capacity > 0 else ("pending", None)
    if any(event.get("action") == "attach" and not event.get("notes") for event in events):
        return "settled", None
    return "pending", None


def attach_hint(error, host, mount_point):
    """What to do about the region's refusal of an attach, by its details (kvm.go)."""
    details = error.details or ""
    if "is not mount point" in details:
        return ("Nothing is mounted at %s on host %s: mount the shared filesystem there first. "
                "The host agent checks with `mountpoint %s`, so give the mount's root"
                % (mount_point, host, mount_point))
    if "is local storage mount point" in details:
        return ("%s on host %s is on a local filesystem (ext4, xfs, ...); Cloudpods takes only "
                "a shared filesystem such as OCFS2 mounted there" % (mount_point, host))
    if "already has mount point" in details:
        return ("Another storage uses %s on host %s: choose another mount_point or detach the "
                "other storage from %s" % (mount_point, host, host))
    if "requires host to be online" in details:
        return "Start the host agent on %s (it pings the region) and run again" % host
    if error.status == 499 or error.error_class in ("ConnectRefusedError", "TimeoutError"):
        return ("The region could not reach the host agent of %s (its manager_uri). Start the "
                "agent, or fix the host's manager_uri" % host)
    return None


# ---------------------------------------------------------------- the client

class CloudpodsClient(object):
    """Keystone v3 password auth, then JSON calls to the region with the token."""

    def __init__(self, params, opener=open_url):
        self.params = params
        self.open = opener
        self.token = None
        self.region_url = None

    def _send(self, method, url, body=None, token=None):
        """(status, headers, text); HTTP errors are answers too, the unreachable is raised."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["X-Auth-Token"] = token
        data = None if body is None else json.dumps(body)
        try:
            response = self.open(url, data=data, headers=headers, method=method,
                                 timeout=self.params["timeout"],
                                 validate_certs=self.params["validate_certs"],
                                 ca_path=self.params.get("ca_path"))
            return response.getcode(), response.headers, _text(response.read())
        except HTTPError as error:
            return error.code, error.headers, _text(error.read())
        except (URLError, UrlsConnectionError, socket.timeout, socket.error) as error:
            reason = getattr(error, "reason", None) or error
            raise CloudpodsError(
                "the Cloudpods API at %s is unreachable: %s. Check the URL, that the service "
                "runs, and the network between here and it" % (url, reason),
                method=method, url=url, details=str(reason))

    def authenticate(self):
        url = tokens_url(self.params["auth_url"])
        status, headers, text = self._send("POST", url, auth_request_body(self.params))
        if status != 200:
            raise auth_failure(parse_api_error(status, text, "POST", url), self.params)
        token = headers.get("X-Subject-Token")
        if not token:
            raise CloudpodsError("keystone at %s answered without a token (no X-Subject-Token "
                                 "header); is auth_url a Cloudpods keystone v3?" % url,
                                 method="POST", url=url)
        catalog = (_json(text, "POST", url).get("token") or {}).get("catalog")
        self.token = token
        self.region_url = find_region_endpoint(catalog, self.params.get("region_name"),
                                               self.params["interface"])
        return self.region_url

    def call(self, method, path, body=None, query=None):
        """The parsed answer of one region call; a non-2xx answer raises CloudpodsError."""
        url = self.region_url + path
        if query:
            url += "?" + urlencode(query)
        status, _headers, text = self._send(method, url, body, self.token)
        if not 200 <= status < 300:
            raise parse_api_error(status, text, method, url)
        return _json(text, method, url)

    def get_or_none(self, path, query=None):
        try:
            return self.call("GET", path, query=query)
        except CloudpodsError as error:
            if error.status == 404:
                return None
            raise


def _text(raw):
    if raw is None:
        return ""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _json(text, method, url):
    try:
        return json.loads(text) if text else {}
    except ValueError:
        raise CloudpodsError("%s %s answered something that is not JSON: %s"
                             % (method, url, text[:500]), method=method, url=url)


def ref(value):
    return quote(value, safe="")


# ---------------------------------------------------------------- reads and writes

def read_zone(client, zone, required=True):
    """The zone; an unknown one is an error, or, when not required, {"id": None, "name"}."""
    found = client.get_or_none("/zones/%s" % ref(zone))
    if found is None and not required:
        return {"id": None, "name": zone}
    if found is None:
        raise CloudpodsError("zone %s not found in the Cloudpods region at %s; create it, or "
                             "set zone to an existing one" % (zone, client.region_url),
                             status=404, details="zone %s not found" % zone)
    return found["zone"]


def read_attachments(client, storage):
    """The hosts a storage is attached to: [{host, host_id, mount_point, host_status}]."""
    detail = client.call("GET", "/storages/%s" % ref(storage["id"]))["storage"]
    hosts = dict((host["id"], host) for host in detail.get("hosts") or [])
    rows = client.call("GET", "/storages/%s/hosts" % ref(storage["id"]),
                       query={"limit": LIST_LIMIT})["hoststorages"]
    attachments = []
    for row in rows:
        host = hosts.get(row["host_id"]) or client.call(
            "GET", "/hosts/%s" % ref(row["host_id"]))["host"]
        attachments.append({"host": host["name"], "host_id": row["host_id"],
                            "mount_point": row.get("mount_point"),
                            "host_status": host.get("host_status")})
    return detail, sorted(attachments, key=lambda attachment: attachment["host"])


def read_host(client, host_ref):
    host = client.get_or_none("/hosts/%s" % ref(host_ref))
    if host is None:
        raise CloudpodsError("host %s not found in the Cloudpods region at %s; register the "
                             "host (its name or id) first" % (host_ref, client.region_url),
                             status=404, details="host %s not found" % host_ref)
    host = host["host"]
    rows = client.call("GET", "/hosts/%s/storages" % ref(host["id"]),
                       query={"limit": LIST_LIMIT})["hoststorages"]
    return {"id": host["id"], "name": host["name"], "host_status": host.get("host_status"),
            "zone": host.get("zone"),
            "storages": [{"storage_id": row.get("storage_id"), "storage": row.get("storage"),
                          "mount_point": row.get("mount_point")} for row in rows]}


def read_storage_state(client, params):
    """Zone, storage, its attachments and the hosts asked for, as plan_storage wants them."""
    zone = None
    if params.get("zone"):
        # Nothing can be absent from a zone that does not exist; pick_storage still refuses a
        # storage of that name elsewhere.
        zone = read_zone(client, params["zone"], required=params["state"] == "present")
    rows = client.call("GET", "/storages", query={"name": params["name"],
                                                  "limit": LIST_LIMIT})["storages"]
    storage = pick_storage(rows, params["name"], zone)
    attachments = []
    if storage is not None:
        storage, attachments = read_attachments(client, storage)
    hosts = {}
    if params["state"] == "present":
        for host_ref in params.get("hosts") or []:
            if host_ref not in hosts:
                hosts[host_ref] = read_host(client, host_ref)
    return {"zone": zone, "storage": storage, "attachments": attachments, "hosts": hosts}


def _last_event_id(client, storage_id):
    # The region pages events by a marker, newest first (marker_order DESC), whatever `order`
    # says: the first row is the newest.
    try:
        events = client.call("GET", "/events", query={"obj_id": storage_id, "limit": 1})
    except CloudpodsError as error:
        if error.status in (401, 403, 404):
            return None
        raise
    rows = events.get("events") or []
    return rows[0]["id"] if rows else 0


def _events_since(client, storage_id, last_id):
    if last_id is None:
        return None
    events = client.call("GET", "/events", query={"obj_id": storage_id, "limit": 50})
    return sorted((event for event in events.get("events") or [] if event["id"] > last_id),
                  key=lambda event: event["id"])


def wait_attach_settled(client, storage, step, timeout, clock=time.monotonic, sleep=time.sleep):
    """Wait until the host agent finished the attach (attach_outcome), at most `timeout` s."""
    deadline = clock() + timeout
    last_id = step.get("last_event_id")
    pair_path = "/hosts/%s/storages/%s" % (ref(step["host_id"]), ref(storage["id"]))
    while True:
        pair = client.get_or_none(pair_path)
        events = _events_since(client, storage["id"], last_id)
        capacity = client.call("GET", "/storages/%s" % ref(storage["id"]))["storage"].get(
            "capacity")
        outcome, reason = attach_outcome(step["host"], pair, events, capacity)
        if outcome == "settled":
            return
        if outcome == "failed":
            raise CloudpodsError(
                "the region accepted attaching storage %s to host %s at %s, but the host "
                "agent's attach failed%s and the region removed the link again. Check the "
                "host agent on %s (its log), then run again"
                % (storage["name"], step["host"], step["mount_point"],
                   ": " + reason if reason else "", step["host"]),
                details=reason)
        if clock() >= deadline:
            raise CloudpodsError(
                "storage %s is linked to host %s at %s, but the host agent has not reported "
                "its capacity after %s s. Check the host agent on %s, or raise attach_timeout"
                % (storage["name"], step["host"], step["mount_point"], timeout, step["host"]))
        sleep(SETTLE_POLL_S)


def _wait_detached(client, storage, step, timeout=DETACH_WAIT_S, clock=time.monotonic,
                   sleep=time.sleep):
    deadline = clock() + timeout
    pair_path = "/hosts/%s/storages/%s" % (ref(step["host_id"]), ref(storage["id"]))
    while client.get_or_none(pair_path) is not None:
        if clock() >= deadline:
            raise CloudpodsError("storage %s is still linked to host %s %s s after the region "
                                 "accepted the detach" % (storage["name"], step["host"],
                                                          timeout))
        sleep(SETTLE_POLL_S)


def run_plan(client, state, steps, params):
    """Make the planned calls in order; each API refusal says which step it was, and the
    error carries the steps done before it (done_actions)."""
    storage = state["storage"]
    for index, step in enumerate(steps):
        try:
            storage = _run_step(client, state["zone"], storage, step, params)
        except CloudpodsError as error:
            error.done_actions = steps[:index]
            raise
    return storage


def _run_step(client, zone, storage, step, params):
    """One step; the storage as it is after it (None once deleted)."""
    action = step["action"]
    if action == "create":
        return _call(client, "create storage %s in zone %s" % (step["storage"], step["zone"]),
                     "POST", "/storages", {"storage": {
                         "name": step["storage"], "storage_type": STORAGE_TYPE,
                         "medium_type": step["medium_type"], "zone_id": zone["id"],
                         "capacity": step["capacity_mb"]}})["storage"]
    storage_path = "/storages/%s" % ref(storage["id"])
    pair_path = "/hosts/%s/storages/%s" % (ref(step.get("host_id") or ""), ref(storage["id"]))
    if action == "update":
        return _call(client, "update storage %s (%s)" % (storage["name"], step["changes"]),
                     "PUT", storage_path, {"storage": step["changes"]})["storage"]
    if action == "attach":
        _attach(client, storage, step, pair_path, params["attach_timeout"])
    elif action == "update_mount_point":
        _call(client, "change the mount point of storage %s on host %s from %s to %s" % (
            storage["name"], step["host"], step["previous_mount_point"], step["mount_point"]),
            "PUT", pair_path, {"hoststorage": {"mount_point": step["mount_point"]}})
    elif action == "detach":
        _call(client, "detach storage %s from host %s" % (storage["name"], step["host"]),
              "DELETE", pair_path)
        _wait_detached(client, storage, step)
    elif action == "delete":
        _call(client, "delete storage %s" % storage["name"], "DELETE", storage_path,
              hint="Detach it from every host, and move or delete the disks on it")
        return None
    return storage


def _attach(client, storage, step, pair_path, timeout):
    what = "attach storage %s to host %s at %s" % (storage["name"], step["host"],
                                                   step["mount_point"])
    step = dict(step, last_event_id=_last_event_id(client, storage["id"]))
    _call(client, what, "POST", pair_path, {"hoststorage": {"mount_point": step["mount_point"]}},
          hint=lambda error: attach_hint(error, step["host"], step["mount_point"]))
    wait_attach_settled(client, storage, step, timeout)


def _call(client, what, method, path, body=None, hint=None):
    """One region call; its refusal told as `what` was being done, with a hint (or a function
    of the error giving one). The unreachable API keeps its own message."""
    try:
        return client.call(method, path, body)
    except CloudpodsError as error:
        if error.status is None:
            raise
        raise error.explained(what, hint(error) if callable(hint) else hint)
